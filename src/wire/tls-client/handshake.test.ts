import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { ClientHandshake } from './handshake.js';
import { handshakeMessage } from './messages/frame.js';
import { resolveOptions } from './options.js';

const unexpected = (e: unknown) =>
  isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === 'unexpected_message';
const message = (type: number, body: Uint8Array) => ({ type, body, raw: handshakeMessage(type, body) });
const serverHello = () => {
  const body = Uint8Array.from([3, 3, ...new Array(32).fill(7), 0, 0xc0, 0x2b, 0]);
  return message(2, body);
};

function fresh(): ClientHandshake {
  const h = new ClientHandshake(resolveOptions({ rejectUnauthorized: false, rng: new SeededRng('h') }));
  h.clientHello();
  return h;
}

test('RFC 5246 §7.4: messages out of order are unexpected_message', async () => {
  await assert.rejects(fresh().handle(message(14, new Uint8Array(0))), unexpected, 'ServerHelloDone first');
  const h = fresh();
  await h.handle(serverHello());
  assert.equal(h.state, 'wait-certificate');
  await assert.rejects(
    h.handle(message(12, Uint8Array.of(3))),
    unexpected,
    'ServerKeyExchange before Certificate',
  );
  const again = fresh();
  await again.handle(serverHello());
  await assert.rejects(again.handle(serverHello()), unexpected, 'a second ServerHello');
  await assert.rejects(
    fresh().handle(message(4, Uint8Array.of(0))),
    unexpected,
    'NewSessionTicket (never asked for)',
  );
});

test('RFC 5246 §7.1: ChangeCipherSpec before our Finished is refused (early CCS injection)', async () => {
  const h = fresh();
  assert.throws(() => h.changeCipherSpec(), unexpected);
  await h.handle(serverHello());
  assert.throws(() => h.changeCipherSpec(), unexpected);
});

test('nothing is negotiated before the handshake is done', async () => {
  const h = fresh();
  await h.handle(serverHello());
  assert.equal(h.parameters(), undefined);
});
