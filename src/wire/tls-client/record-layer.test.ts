import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { RecordProtection } from './aead.js';
import { ContentType } from './codes.js';
import { encodeRecord } from './record.js';
import { RecordLayer } from './record-layer.js';

const keys = () => ({
  clientKey: new Uint8Array(16).fill(1),
  serverKey: new Uint8Array(16).fill(2),
  clientSalt: new Uint8Array(4).fill(3),
  serverSalt: new Uint8Array(4).fill(4),
});
const refused = (alert: string) => (e: unknown) =>
  isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === alert;

test('plaintext until keys are installed; our records protected at once, theirs after activateRead', () => {
  const layer = new RecordLayer();
  assert.equal(layer.writeProtected, false);
  assert.equal(layer.record(ContentType.alert, Uint8Array.of(1, 0)).length, 7);
  layer.installKeys('aes-128-gcm', keys());
  assert.equal(layer.writeProtected, true);
  assert.equal(layer.record(ContentType.alert, Uint8Array.of(1, 0)).length, 5 + 8 + 2 + 16);
  // The server's first protected record (seq 0) under the server key.
  const server = new RecordProtection('aes-128-gcm', keys().serverKey, keys().serverSalt);
  const fin = encodeRecord(22, 0x0303, server.seal(22, 0x0303, Uint8Array.of(20, 0, 0, 0)));
  layer.push(fin);
  // Read protection is still pending: the record is handed up as it came, ciphertext and all.
  assert.equal(layer.next(true)?.plaintext.length, 8 + 4 + 16);
  const fresh = new RecordLayer();
  fresh.installKeys('aes-128-gcm', keys());
  fresh.activateRead();
  fresh.push(fin);
  assert.deepEqual(fresh.next(true), { type: 22, plaintext: Uint8Array.of(20, 0, 0, 0) });
});

test('records larger than 2^14 of data are split; versions other than 3.3 after ServerHello refused', () => {
  const layer = new RecordLayer();
  const out = layer.records(ContentType.applicationData, new Uint8Array(16_385));
  assert.equal(out.length, 5 + 16_384 + 5 + 1);
  layer.push(encodeRecord(22, 0x0301, Uint8Array.of(1)));
  assert.throws(() => layer.next(true), refused('protocol_version'));
  const early = new RecordLayer();
  early.push(encodeRecord(22, 0x0301, Uint8Array.of(1)));
  assert.equal(early.next(false)?.type, 22, 'the ServerHello record may carry 3.1');
});

test('empty records: never for handshake or alerts; at most 32 empty application-data records in a row', () => {
  const layer = new RecordLayer();
  layer.push(encodeRecord(22, 0x0303, new Uint8Array(0)));
  assert.throws(() => layer.next(true), refused('unexpected_message'));
  const flood = new RecordLayer();
  for (let i = 0; i < 33; i++) flood.push(encodeRecord(23, 0x0303, new Uint8Array(0)));
  for (let i = 0; i < 32; i++) assert.equal(flood.next(true)?.plaintext.length, 0);
  assert.throws(() => flood.next(true), refused('unexpected_message'));
});
