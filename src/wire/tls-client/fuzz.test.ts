import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../test/helpers/prng.js';
import { LabError } from '../../core/errors.js';
import { FixedClock } from '../../core/clock.js';
import { SeededRng } from '../../core/rng.js';
import { keySigner } from '../../pki/signer.js';
import { Tls12ClientConnection } from './connection.js';
import type { Tls12ClientOptions } from './options.js';
import { identities, recordServerBytes } from './peer.case.js';
import { certificateRanges, int, mutate, type Rnd, seams } from './fuzz.case.js';

const TLS_CODES = new Set(['ERR_TLS_HANDSHAKE', 'ERR_TLS_ALERT', 'ERR_TLS_PROTOCOL', 'ERR_TLS_CERTIFICATE']);
const ITERATIONS = 20_000;

/** Feed `bytes` in random pieces, then end of stream. Returns how the connection ended. */
async function run(options: Tls12ClientOptions, bytes: Uint8Array, rnd: Rnd): Promise<string> {
  const conn = new Tls12ClientConnection(options, seams);
  conn.start();
  let at = 0;
  while (at < bytes.length) {
    const n = rnd() < 0.3 ? 1 + int(rnd, 8) : 1 + int(rnd, bytes.length);
    const out = await conn.receive(bytes.subarray(at, at + n));
    at += n;
    if (out.error) break;
  }
  await conn.receiveEnd();
  const err = conn.error;
  if (err === undefined) return conn.state;
  assert.ok(err instanceof LabError, `not a LabError: ${String(err)}`);
  assert.ok(TLS_CODES.has(err.code), err.code);
  assert.equal(typeof err.details.alert, 'string');
  // internal_error would mean an input reached code that did not validate it first.
  assert.notEqual(
    err.details.alert,
    'internal_error',
    `${err.message} ${String((err.cause as Error)?.stack)}`,
  );
  return `${err.code}:${String(err.details.alert)}`;
}

test(`fuzz: ${ITERATIONS} mutated and random server flights end in a clean coded failure`, async () => {
  const id = await identities();
  const clock = new FixedClock(new Date());
  const plain: Tls12ClientOptions = {
    serverName: 'localhost',
    trustAnchors: [id.ca.certificate],
    clock,
    rng: new SeededRng('fuzz'),
  };
  const signer = keySigner(id.client.key);
  // The session runs on secp256r1 and the mutual flight on x25519, so both groups are fuzzed.
  const optionsFor = (mutual: boolean): Tls12ClientOptions => ({
    ...plain,
    rng: new SeededRng('fuzz'),
    groups: mutual ? ['x25519'] : ['secp256r1'],
    ...(mutual ? { certificateChain: [id.client.certificate.der], signer } : {}),
  });
  // A whole session (handshake, data, close_notify) and a flight that asks for our certificate.
  const session = await recordServerBytes(
    optionsFor(false),
    { cert: id.ecServer.certPem, key: id.ecServer.keyPem },
    (s) => s.end('reading 21.5 C'),
  );
  const mutual = await recordServerBytes(
    optionsFor(true),
    { cert: id.rsaServer.certPem, key: id.rsaServer.keyPem, ca: id.caPem, requestCert: true },
    () => {},
  );
  assert.equal(session.error, undefined);
  const sessionBytes = Buffer.concat(session.chunks);
  const mutualFlight = mutual.chunks[0]!;
  const ders = [id.ecServer.certificate, id.rsaServer.certificate, id.ca.certificate].map((c) => c.der);
  const sessionCerts = certificateRanges(sessionBytes, ders);
  const mutualCerts = certificateRanges(mutualFlight, ders);
  assert.ok(sessionCerts.length >= 1 && mutualCerts.length >= 1);
  // The unmutated recording replays to a clean close: the base case of the fuzz is valid.
  assert.equal(await run(optionsFor(false), sessionBytes, mulberry32(1)), 'closed');

  const rnd = mulberry32(0x5eed);
  const outcomes = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const useMutual = i % 4 === 3;
    const input = useMutual
      ? mutate(rnd, mutualFlight, mutualCerts)
      : mutate(rnd, sessionBytes, sessionCerts);
    const outcome = await run(optionsFor(useMutual), input, rnd);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const ms = Date.now() - started;
  // Every failure mode we expect to meet shows up, so the fuzz really reaches deep states.
  for (const expected of [
    'ERR_TLS_PROTOCOL:decode_error',
    'ERR_TLS_PROTOCOL:unexpected_message',
    'ERR_TLS_PROTOCOL:record_overflow',
    'ERR_TLS_PROTOCOL:bad_record_mac',
    'ERR_TLS_HANDSHAKE:decrypt_error',
    'ERR_TLS_CERTIFICATE:bad_certificate',
    'ERR_TLS_HANDSHAKE:handshake_failure',
  ])
    assert.ok(outcomes.has(expected), `no ${expected} in ${JSON.stringify([...outcomes])}`);
  console.log(`# fuzz: ${ITERATIONS} cases in ${ms} ms`, JSON.stringify(Object.fromEntries(outcomes)));
});
