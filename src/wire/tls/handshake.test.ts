import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fill, hex } from './golden.case.js';
import { parseHandshakeBody } from './handshake.js';
import { TlsParseError } from './reader.js';

const parse = (type: number, body: string | Uint8Array, version?: number) => {
  const notes: string[] = [];
  const bytes = typeof body === 'string' ? hex(body) : body;
  const out = parseHandshakeBody(type, bytes, version ? { version } : {}, (w) => notes.push(w));
  return { out, notes };
};

test('ServerHelloDone and HelloRequest have no body (RFC 5246 §7.4.5, §7.4.1.1)', () => {
  assert.deepEqual(parse(14, '').out, { type: 'server_hello_done' });
  assert.deepEqual(parse(0, '').out, { type: 'hello_request' });
  assert.throws(() => parse(14, '00'), TlsParseError);
});

test('Finished keeps the verify_data length (12 in TLS 1.2)', () => {
  assert.deepEqual(parse(20, fill(12, 9)).out, { type: 'finished', verifyDataLength: 12 });
});

test('TLS 1.2 NewSessionTicket (RFC 5077 §3.3): lifetime hint and ticket size', () => {
  assert.deepEqual(parse(4, `00001c20 0004 01020304`, 0x0303).out, {
    type: 'new_session_ticket',
    lifetimeHintSeconds: 7200,
    ticketLength: 4,
  });
  assert.deepEqual(parse(4, '00', 0x0304).out, { type: 'other', name: 'new_session_ticket' });
});

test('a known type without a decoder is named; an unknown type is noted (RFC 8446 §4)', () => {
  assert.deepEqual(parse(22, '0100').out, { type: 'other', name: 'certificate_status' });
  const { out, notes } = parse(99, '0102');
  assert.deepEqual(out, { type: 'other', name: 'unknown(99)' });
  assert.deepEqual(notes, ['unknown handshake type 99']);
});
