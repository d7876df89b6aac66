// Decryption under damage: the golden TLS 1.2 and 1.3 captures of mosquitto_pub, with their key
// logs, mutated thousands of ways (bytes flipped, cut, duplicated; key log lines altered). The
// analyzer must never throw anything but a coded capture error, and what it reports as decrypted
// must be true: a record counted as decrypted passed AEAD authentication, so no mutated ciphertext
// may ever come out as application data different from the original's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isLabError } from '../../src/core/errors.js';
import { analyzeCapture } from '../../src/wire/analyze/index.js';
import { parseKeyLog } from '../../src/wire/tls/keylog.js';
import { mulberry32 } from '../helpers/prng.js';
import { goldenPath } from './golden/captures.js';

const CASES = 1500;

function mutate(bytes: Uint8Array, rnd: () => number): Uint8Array {
  const out = Buffer.from(bytes);
  const kind = Math.floor(rnd() * 4);
  const at = Math.floor(rnd() * out.length);
  if (kind === 0) {
    for (let i = 0, n = 1 + Math.floor(rnd() * 8); i < n; i++)
      out[Math.floor(rnd() * out.length)]! ^= 1 << Math.floor(rnd() * 8);
    return out;
  }
  if (kind === 1) return out.subarray(0, at);
  if (kind === 2) return Buffer.concat([out.subarray(0, at), out.subarray(at, at + 64), out.subarray(at)]);
  return Buffer.concat([
    out.subarray(0, at),
    out.subarray(Math.min(out.length, at + 1 + Math.floor(rnd() * 64))),
  ]);
}

for (const name of ['mosquitto-pub-tls12', 'mosquitto-pub-tls13']) {
  describe(`decryption fuzz: ${name}`, () => {
    const pcap = readFileSync(goldenPath(`${name}.pcap`));
    const keys = readFileSync(goldenPath(`${name}.keys`), 'utf8');
    const reference = analyzeCapture(pcap, { keyLog: parseKeyLog(keys) }).connections[0]!.decrypted!;
    const payloads = new Set((reference.mqtt?.publishes ?? []).map((p) => p.payload.text ?? p.payload.hex));

    test(`${CASES} mutated captures: coded errors only, and whatever decrypts is the original plaintext`, () => {
      const rnd = mulberry32(name.length * 7919);
      let decryptedSome = 0;
      let failedSome = 0;
      for (let i = 0; i < CASES; i++) {
        const bytes = mutate(pcap, rnd);
        let a;
        try {
          a = analyzeCapture(bytes, { keyLog: parseKeyLog(keys) });
        } catch (err) {
          assert.ok(
            isLabError(err, 'ERR_PCAP_MALFORMED') || isLabError(err, 'ERR_PCAP_UNSUPPORTED'),
            `case ${i}: ${String(err)}`,
          );
          continue;
        }
        for (const c of a.connections) {
          const d = c.decrypted;
          if (!d) continue;
          if (d.records.decrypted > 0) decryptedSome++;
          if (d.records.failed > 0) failedSome++;
          // AEAD: a flipped bit in a record cannot authenticate, so every PUBLISH read is an original one.
          for (const p of d.mqtt?.publishes ?? [])
            assert.ok(
              payloads.has(p.payload.text ?? p.payload.hex),
              `case ${i}: a payload that was never sent`,
            );
        }
      }
      assert.ok(
        decryptedSome > 0 && failedSome > 0,
        'the cases reach both the success and the failure paths',
      );
    });

    test('key logs with lines altered: refused with ERR_KEYLOG_MALFORMED, or parsed and then decrypting nothing wrong', () => {
      const rnd = mulberry32(name.length * 104_729);
      for (let i = 0; i < 500; i++) {
        const chars = [...keys];
        for (let k = 0, n = 1 + Math.floor(rnd() * 4); k < n; k++) {
          const at = Math.floor(rnd() * chars.length);
          chars[at] = '0123456789abcdefXYZ _\n#'[Math.floor(rnd() * 23)]!;
        }
        let log;
        try {
          log = parseKeyLog(chars.join(''));
        } catch (err) {
          assert.ok(isLabError(err, 'ERR_KEYLOG_MALFORMED'), `case ${i}: ${String(err)}`);
          continue;
        }
        const d = analyzeCapture(pcap, { keyLog: log }).connections[0]!.decrypted!;
        for (const p of d.mqtt?.publishes ?? [])
          assert.ok(
            payloads.has(p.payload.text ?? p.payload.hex),
            `case ${i}: a payload that was never sent`,
          );
      }
    });
  });
}
