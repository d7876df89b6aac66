import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { test } from 'node:test';
import { hasValidCrc } from './crc.js';
import { encodeCommand, OPCODE } from './packet.js';
import { Atecc608b } from './part.js';
import { nodePublicKey, sha256, TestHost } from './test-host.case.js';
import { dataAddress, zoneAddress } from './zones.js';

/**
 * The SparkFun ATECCX08A library's way of talking (reference §4): wakeUp() before every command
 * (general call, 1,500 µs, read 4), one write of 0x03 + packet, a fixed delay, then
 * requestFrom() in chunks of at most 32 bytes, 20 attempts in all with no pause between them,
 * idle afterwards; success only if the bytes received match the count byte and the CRC.
 */
class SparkFunHost {
  constructor(readonly bus: TestHost) {}

  command(
    op: number,
    p1: number,
    p2: number,
    data: Uint8Array,
    delayMs: number,
    length: number,
  ): Uint8Array | null {
    const bus = this.bus;
    bus.wakePulse();
    bus.advance(1500);
    bus.read(4);
    bus.sendRaw(encodeCommand(op, p1, p2, data));
    bus.advance(delayMs * 1000);
    const got: number[] = [];
    for (let attempt = 0; attempt < 20 && got.length < length; attempt++) {
      const chunk = bus.read(Math.min(32, length - got.length));
      if (chunk) got.push(...chunk);
    }
    bus.idle();
    const group = Uint8Array.from(got);
    return group.length === length && group[0] === length && hasValidCrc(group)
      ? group.subarray(1, length - 2)
      : null;
  }
}

function boot(part: Atecc608b): {
  sfe: SparkFunHost;
  results: Record<string, boolean>;
  signature: Uint8Array | null;
} {
  const sfe = new SparkFunHost(new TestHost(part));
  const results: Record<string, boolean> = {};
  const config = [0, 1, 2, 3].map((block) =>
    sfe.command(OPCODE.READ, 0x80, zoneAddress(block), new Uint8Array(0), 1, 35),
  );
  results.readConfigZone = config.every(Boolean);
  const blocks = Array.from({ length: 13 }, (_, b) =>
    sfe.command(OPCODE.READ, 0x82, dataAddress(8, b), new Uint8Array(0), 1, 35),
  );
  results.readSlot8 = blocks.every(Boolean);
  results.nonce = sfe.command(OPCODE.NONCE, 0x03, 0, sha256('hello'), 7, 4) !== null;
  const signature = sfe.command(OPCODE.SIGN, 0x80, 0, new Uint8Array(0), 70, 67);
  results.sign = signature !== null;
  results.write = sfe.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), new Uint8Array(32), 26, 4) !== null;
  return { sfe, results, signature };
}

test("the SparkFun library's fixed delays work with 'typical' timing", () => {
  const part = Atecc608b.create({ timing: 'typical' });
  const { results, signature } = boot(part);
  assert.deepEqual(results, { readConfigZone: true, readSlot8: true, nonce: true, sign: true, write: true });
  assert.ok(
    verify(
      'sha256',
      Buffer.from('hello'),
      { key: nodePublicKey(part.publicKey(0)!), dsaEncoding: 'ieee-p1363' },
      signature!,
    ),
  );
});

test("with 'max' timing the same calls fail as on a slow part: SparkFun's delays are too short", () => {
  const { results } = boot(Atecc608b.create({ timing: 'max' }));
  assert.deepEqual(results, {
    readConfigZone: false,
    readSlot8: false,
    nonce: false,
    sign: false,
    write: false,
  });
});
