import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { MAX_HANDSHAKE_MESSAGE } from './codes.js';
import { HandshakeBuffer } from './handshake-buffer.js';
import { handshakeMessage } from './messages/frame.js';

test('handshake messages are reassembled across records and split when several share one', () => {
  const m1 = handshakeMessage(2, Uint8Array.of(1, 2, 3, 4));
  const m2 = handshakeMessage(14, new Uint8Array(0));
  const m3 = handshakeMessage(11, new Uint8Array(300).fill(7));
  const stream = Uint8Array.from([...m1, ...m2, ...m3]);
  const b = new HandshakeBuffer();
  const got: number[] = [];
  // One byte per "record": the worst fragmentation a server can choose.
  for (const byte of stream) {
    b.push(Uint8Array.of(byte));
    for (let m = b.next(); m; m = b.next()) {
      got.push(m.type);
      if (m.type === 11) assert.deepEqual(m.raw, m3);
    }
  }
  assert.deepEqual(got, [2, 14, 11]);
  assert.equal(b.pending, 0);
  // All three in one record.
  b.push(stream);
  assert.deepEqual(
    [b.next()?.body, b.next()?.type, b.next()?.body.length],
    [Uint8Array.of(1, 2, 3, 4), 14, 300],
  );
});

test('a message announcing more than 64 KiB is refused from its header, before the body is buffered', () => {
  const b = new HandshakeBuffer();
  const n = MAX_HANDSHAKE_MESSAGE + 1;
  assert.throws(
    () => b.push(Uint8Array.of(11, n >> 16, (n >> 8) & 0xff, n & 0xff)),
    (e: unknown) =>
      isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === 'illegal_parameter' && e.details.length === n,
  );
  const ok = new HandshakeBuffer();
  const m = MAX_HANDSHAKE_MESSAGE;
  ok.push(Uint8Array.of(11, m >> 16, (m >> 8) & 0xff, m & 0xff));
  assert.equal(ok.next(), undefined);
  // The bound also holds for a header that arrives after a complete message in the same push.
  const late = new HandshakeBuffer();
  late.push(Uint8Array.of(...handshakeMessage(14, new Uint8Array(0)), 11, 0xff, 0xff, 0xff));
  assert.equal(late.next()?.type, 14);
  assert.throws(
    () => late.next(),
    (e: unknown) => isLabError(e, 'ERR_TLS_PROTOCOL'),
  );
});
