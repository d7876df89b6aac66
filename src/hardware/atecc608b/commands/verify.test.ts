import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { OPCODE, STATUS } from '../packet.js';
import { partOnHost, sha256 } from '../test-host.case.js';

function keyPair(): { xy: Uint8Array; sign: (m: string) => Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const xy = Uint8Array.from([...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
  return {
    xy,
    sign: (m) =>
      new Uint8Array(sign('sha256', Buffer.from(m), { key: privateKey, dsaEncoding: 'ieee-p1363' })),
  };
}

test('Verify external (0x02, key type 0x0004): 0x00 on a good signature, 0x01 on a bad one', () => {
  const { host } = partOnHost();
  const k = keyPair();
  const sig = k.sign('firmware v2');
  host.command(OPCODE.NONCE, 0x03, 0, sha256('firmware v2'));
  assert.equal(
    host.command(OPCODE.VERIFY, 0x02, 0x0004, Uint8Array.from([...sig, ...k.xy])).status,
    STATUS.SUCCESS,
  );
  const forged = sig.slice();
  forged[63]! ^= 1;
  assert.equal(
    host.command(OPCODE.VERIFY, 0x02, 0x0004, Uint8Array.from([...forged, ...k.xy])).status,
    STATUS.MISCOMPARE,
  );
  // CryptoAuthLib's 608 path: digest in the Message Digest Buffer, mode 0x22.
  host.command(OPCODE.NONCE, 0x43, 0, sha256('firmware v2'));
  assert.equal(
    host.command(OPCODE.VERIFY, 0x22, 0x0004, Uint8Array.from([...sig, ...k.xy])).status,
    STATUS.SUCCESS,
  );
  const offCurve = k.xy.slice();
  offCurve[10]! ^= 1;
  assert.equal(
    host.command(OPCODE.VERIFY, 0x22, 0x0004, Uint8Array.from([...sig, ...offCurve])).status,
    STATUS.EXECUTION_ERROR,
  );
});

test('Verify stored (0x00) with the signer public key in slot 11 (pad X pad Y)', () => {
  const k = keyPair();
  const slot11 = new Uint8Array(72);
  slot11.set(k.xy.subarray(0, 32), 4);
  slot11.set(k.xy.subarray(32), 40);
  const { host } = partOnHost({ certificates: { signerPublicKey: slot11 } });
  host.command(OPCODE.NONCE, 0x03, 0, sha256('device cert tbs'));
  assert.equal(host.command(OPCODE.VERIFY, 0x00, 11, k.sign('device cert tbs')).status, STATUS.SUCCESS);
  assert.equal(host.command(OPCODE.VERIFY, 0x00, 11, k.sign('other')).status, STATUS.MISCOMPARE);
  assert.equal(
    host.command(OPCODE.VERIFY, 0x00, 10, k.sign('x')).status,
    STATUS.EXECUTION_ERROR,
    'slot 10 is not a key',
  );
  assert.equal(
    host.command(OPCODE.VERIFY, 0x00, 0, k.sign('x')).status,
    STATUS.EXECUTION_ERROR,
    'slot 0 is private',
  );
});

test('Verify needs a loaded message; malformed Verify is a parse error', () => {
  const { host } = partOnHost();
  const k = keyPair();
  const data = Uint8Array.from([...k.sign('m'), ...k.xy]);
  assert.equal(host.command(OPCODE.VERIFY, 0x02, 0x0004, data).status, STATUS.EXECUTION_ERROR);
  assert.equal(host.command(OPCODE.VERIFY, 0x02, 0x0000, data).status, STATUS.PARSE_ERROR, 'B283 key type');
  assert.equal(host.command(OPCODE.VERIFY, 0x02, 0x0004, data.subarray(0, 64)).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.VERIFY, 0x82, 0x0004, data).status, STATUS.PARSE_ERROR, 'MAC output');
  assert.equal(host.command(OPCODE.VERIFY, 0x03, 11, data).status, STATUS.PARSE_ERROR, 'validate');
  assert.equal(host.command(OPCODE.VERIFY, 0x00, 16, data.subarray(0, 64)).status, STATUS.PARSE_ERROR);
});
