import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { test } from 'node:test';
import { OPCODE, STATUS } from './packet.js';
import { TNGTLS_CONFIG } from './profiles.js';
import { fromHex, hex, partOnHost, TestHost } from './test-host.case.js';
import { dataAddress } from './zones.js';

// Reference §3.9: packets a host sends after the 0x03 word address, and what the part answers.
test('ready-made packets of reference §3.9 produce the documented responses', () => {
  const { part, host } = partOnHost();
  const ask = (packet: string): Uint8Array => {
    host.wake();
    assert.ok(host.sendRaw(fromHex(packet)));
    const group = host.receive();
    host.idle();
    return group;
  };
  assert.equal(hex(ask('07 30 00 00 00 03 5D')), '070000600383BB', 'Info reply of a 608B');
  const config = ask('07 02 80 00 00 09 AD');
  assert.equal(config.length, 35);
  assert.deepEqual(config.subarray(1, 33), part.configZone.subarray(0, 32));
  assert.equal(ask('07 02 82 40 00 09 A4').length, 35, 'slot 8 block 0');
  assert.equal(ask('07 02 82 40 0C A9 A4').length, 35, 'slot 8 block 12');
  assert.equal(hex(ask('07 02 82 00 00 0A 28')), '040F2342', 'slot 0 read: execution error');
  assert.equal(ask('07 1B 00 00 00 24 CD').length, 35, 'Random');
  const pub = ask('07 40 00 00 00 00 05');
  assert.equal(pub.length, 67);
  assert.deepEqual(pub.subarray(1, 65), part.publicKey(0));
  assert.equal(hex(ask('07 17 22 00 00 7E 08')), '04000340', 'Lock slot 8: success');
  assert.equal(hex(ask('07 17 22 00 00 7E 08')), '040F2342', 'Lock slot 8 again: already locked');
});

test('the TNGTLS config zone is the reference image except the per-part serial bytes', () => {
  const { part } = partOnHost();
  const serialBytes = new Set([2, 3, 8, 9, 10, 11]);
  const config = part.configZone;
  for (let i = 0; i < 128; i++)
    if (!serialBytes.has(i)) assert.equal(config[i], TNGTLS_CONFIG[i], `byte ${i}`);
  assert.deepEqual([...part.serialNumber.subarray(0, 2)], [0x01, 0x23]);
  assert.equal(part.serialNumber[8], 0x01);
  assert.equal(part.i2cAddress, 0x35);
});

test('slot 8 is clear-read and always-write: 13 × 32-byte blocks at (8<<3)|(block<<8)', () => {
  const { part, host } = partOnHost();
  const blob = Uint8Array.from({ length: 416 }, (_, i) => (i * 7 + 3) & 0xff);
  for (let block = 0; block < 13; block++) {
    const r = host.command(
      OPCODE.WRITE,
      0x82,
      dataAddress(8, block),
      blob.subarray(block * 32, block * 32 + 32),
    );
    assert.equal(r.status, STATUS.SUCCESS, `write block ${block}`);
  }
  const read = new Uint8Array(416);
  for (let block = 0; block < 13; block++) {
    const r = host.command(OPCODE.READ, 0x82, (8 << 3) | (block << 8));
    assert.equal(r.payload.length, 32);
    read.set(r.payload, block * 32);
  }
  assert.deepEqual(read, blob);
  // Anyone on the bus can overwrite it: another master, no secret, no session.
  const intruder = new TestHost(part, host.clock);
  assert.equal(
    intruder.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), new Uint8Array(32)).status,
    STATUS.SUCCESS,
  );
  assert.deepEqual(host.command(OPCODE.READ, 0x82, dataAddress(8, 0)).payload, new Uint8Array(32));
});

test('locking slot 8 stops writes but not reads; Lock is irreversible', () => {
  const { part, host } = partOnHost();
  // The lab's blob: 2-byte length, then the start of a PKCS#8 P-256 key.
  const block = Uint8Array.from({ length: 32 }, (_, i) => [0x00, 0x8a, 0x30, 0x81, 0x87][i] ?? i);
  assert.equal(host.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), block).status, STATUS.SUCCESS);
  assert.equal(host.command(OPCODE.LOCK, 0x22, 0).status, STATUS.SUCCESS);
  assert.equal(part.locks.slots[8], true);
  assert.equal(
    host.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), new Uint8Array(32)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(
    host.command(OPCODE.WRITE, 0x02, dataAddress(8, 3, 1), new Uint8Array(4)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.deepEqual(host.command(OPCODE.READ, 0x82, dataAddress(8, 0)).payload, block);
  assert.equal(host.command(OPCODE.LOCK, 0x22, 0).status, STATUS.EXECUTION_ERROR);
  // Survives a power cycle and a save/load: the lock is in the EEPROM.
  part.powerCycle();
  assert.equal(
    host.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), new Uint8Array(32)).status,
    STATUS.EXECUTION_ERROR,
  );
});

test('slot 0 is never read or written, yet signs; the signature verifies with the GenKey public key', () => {
  const { host } = partOnHost();
  for (const [p1, addr] of [
    [0x82, dataAddress(0, 0)],
    [0x02, dataAddress(0, 0, 1)],
    [0x02, dataAddress(0, 1, 0)],
  ] as const)
    assert.equal(host.command(OPCODE.READ, p1, addr).status, STATUS.EXECUTION_ERROR);
  assert.equal(
    host.command(OPCODE.WRITE, 0x82, dataAddress(0, 0), new Uint8Array(32)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(
    host.command(OPCODE.WRITE, 0x02, dataAddress(0, 0), new Uint8Array(4)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(host.command(OPCODE.GENKEY, 0x04, 0).status, STATUS.EXECUTION_ERROR, 'no new key in slot 0');
  const pub = host.command(OPCODE.GENKEY, 0x00, 0).payload;
  const message = Buffer.from('m5go/env {"t":21.5}');
  assert.equal(host.command(OPCODE.NONCE, 0x03, 0, createHash('sha256').update(message).digest()).status, 0);
  const sig = host.command(OPCODE.SIGN, 0x80, 0).payload;
  assert.equal(sig.length, 64);
  const key = createPublicKey({
    key: Buffer.concat([fromHex('3059301306072A8648CE3D020106082A8648CE3D030107034200'), Buffer.of(4), pub]),
    format: 'der',
    type: 'spki',
  });
  assert.ok(verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, sig));
});

test('the config zone is readable; after lock it is not writable', () => {
  const { part, host } = partOnHost();
  for (let block = 0; block < 4; block++)
    assert.deepEqual(
      host.command(OPCODE.READ, 0x80, block << 3).payload,
      part.configZone.subarray(block * 32, block * 32 + 32),
    );
  assert.equal(
    host.command(OPCODE.WRITE, 0x00, 5, Uint8Array.of(0x0f, 0x0f, 0x0f, 0x0f)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(host.command(OPCODE.LOCK, 0x80, 0).status, STATUS.EXECUTION_ERROR, 'already locked');
});
