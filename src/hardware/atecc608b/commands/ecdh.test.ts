import assert from 'node:assert/strict';
import { createECDH, createHash } from 'node:crypto';
import { test } from 'node:test';
import { decodeImage, encodeImage } from '../image.js';
import { OPCODE, STATUS } from '../packet.js';
import { Atecc608b } from '../part.js';
import { partOnHost, TestHost } from '../test-host.case.js';
import { dataAddress } from '../zones.js';

function peer(): { xy: Uint8Array; shared: (xy: Uint8Array) => Uint8Array } {
  const e = createECDH('prime256v1');
  e.generateKeys();
  return {
    xy: new Uint8Array(e.getPublicKey().subarray(1)),
    shared: (xy) => new Uint8Array(e.computeSecret(Buffer.concat([Buffer.of(4), xy]))),
  };
}

test('ECDH 0x0C with slot 0: the clear pre-master secret equals the peer side', () => {
  const { part, host } = partOnHost();
  const p = peer();
  const pms = host.command(OPCODE.ECDH, 0x0c, 0, p.xy).payload;
  assert.equal(pms.length, 32);
  assert.deepEqual(pms, p.shared(part.publicKey(0)!));
  // Mode 0x00 (508-compatible) with ReadKey bit 3 clear outputs it the same way.
  assert.deepEqual(host.command(OPCODE.ECDH, 0x00, 0, p.xy).payload, pms);
});

test('ECDH 0x0E: encrypted with the IO protection key (slot 6), decrypted as CryptoAuthLib does', () => {
  const { part, host } = partOnHost();
  const ioKey = new Uint8Array(32).fill(0x6b);
  // Slot 6 on a TNGTLS part is "No read, Always write": anyone can set the IO key.
  assert.equal(host.command(OPCODE.WRITE, 0x82, dataAddress(6, 0), ioKey).status, STATUS.SUCCESS);
  const p = peer();
  const out = host.command(OPCODE.ECDH, 0x0e, 0, p.xy).payload;
  assert.equal(out.length, 64);
  const outNonce = out.subarray(32);
  const key = createHash('sha256').update(ioKey).update(outNonce.subarray(0, 16)).digest();
  const pms = out.subarray(0, 32).map((b, i) => b ^ key[i]!);
  assert.deepEqual(pms, p.shared(part.publicKey(0)!));
});

test('ECDH 0x08 puts the result in TempKey (status only)', () => {
  const { part, host } = partOnHost();
  const p = peer();
  assert.equal(host.command(OPCODE.ECDH, 0x08, 2, p.xy).status, STATUS.SUCCESS);
  const state = host.command(OPCODE.INFO, 0x02, 0).payload;
  assert.equal(state[1]! & 0x80, 0x80, 'TempKey valid');
  assert.equal(state[0]! & 0x0f, 2, 'TempKey.KeyId');
  assert.ok(part.publicKey(2));
});

test('ECDH refusals: slot bits, ChipOptions.ECDHProt, invalid points; parse errors', () => {
  const { host } = partOnHost();
  const p = peer();
  assert.equal(host.command(OPCODE.ECDH, 0x0c, 1, p.xy).status, STATUS.EXECUTION_ERROR, 'slot 1: no ECDH');
  assert.equal(host.command(OPCODE.ECDH, 0x0c, 8, p.xy).status, STATUS.EXECUTION_ERROR, 'slot 8: no key');
  const bad = p.xy.slice();
  bad[5]! ^= 1;
  assert.equal(host.command(OPCODE.ECDH, 0x0c, 0, bad).status, STATUS.EXECUTION_ERROR, 'not on the curve');
  assert.equal(host.command(OPCODE.ECDH, 0x0d, 0, p.xy).status, STATUS.PARSE_ERROR, 'TempKey source');
  assert.equal(host.command(OPCODE.ECDH, 0x04, 0, p.xy).status, STATUS.PARSE_ERROR, 'copy to slot');
  assert.equal(host.command(OPCODE.ECDH, 0x1c, 0, p.xy).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.ECDH, 0x0c, 0, p.xy.subarray(0, 32)).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.ECDH, 0x0c, 16, p.xy).status, STATUS.PARSE_ERROR);
  const { eeprom } = decodeImage(Atecc608b.create().toImage());
  eeprom.config[91] = 0x61; // ChipOptions.ECDHProt = 1: output must be encrypted
  const guarded = new TestHost(
    Atecc608b.fromImage(encodeImage({ profile: 'tngtls', eeprom }), { timing: 'instant' }),
  );
  assert.equal(guarded.command(OPCODE.ECDH, 0x0c, 0, p.xy).status, STATUS.EXECUTION_ERROR);
  assert.equal(guarded.command(OPCODE.ECDH, 0x0e, 0, p.xy).payload.length, 64);
});

test('ECDH with ReadKey bit 3 (blank slot 2) writes the result to slot 3', () => {
  const { part, host } = partOnHost({ profile: 'blank' });
  host.command(OPCODE.LOCK, 0x80, 0);
  host.command(OPCODE.GENKEY, 0x04, 2);
  host.command(OPCODE.LOCK, 0x81, 0);
  const p = peer();
  assert.equal(host.command(OPCODE.ECDH, 0x00, 2, p.xy).status, STATUS.SUCCESS);
  assert.equal(part.readSlot(3), null, 'slot 3 is secret in the default config');
  const { eeprom } = decodeImage(part.toImage());
  assert.deepEqual(eeprom.slot(3).subarray(0, 32), p.shared(part.publicKey(2)!));
  assert.equal(host.command(OPCODE.ECDH, 0x0c, 2, p.xy).payload.length, 32, 'explicit output mode');
});
