import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../test/helpers/prng.js';
import { LabError } from '../../core/errors.js';
import { FixedClock } from '../../core/clock.js';
import { SeededRng } from '../../core/rng.js';
import { keySigner } from '../../pki/signer.js';
import { type ConnectionSeams, Tls12ClientConnection } from './connection.js';
import type { Tls12ClientOptions } from './options.js';
import { identities, recordServerBytes } from './peer.case.js';
import { type AuthenticateParams, authenticateServer, type ServerIdentity } from './server-auth.js';

const TLS_CODES = new Set(['ERR_TLS_HANDSHAKE', 'ERR_TLS_ALERT', 'ERR_TLS_PROTOCOL', 'ERR_TLS_CERTIFICATE']);
const ITERATIONS = 20_000;

type Rnd = () => number;
const int = (rnd: Rnd, n: number) => Math.floor(rnd() * n);

/**
 * Where a mutation lands. Inside a certificate's DER body a change mostly tests the X.509
 * parser (pki/, fuzzed on its own) and costs milliseconds of path validation per case, so
 * only 2% of the positions that fall there are kept; the TLS framing around them is hit fully.
 */
function position(rnd: Rnd, length: number, certificates: readonly [number, number][]): number {
  for (let tries = 0; ; tries++) {
    const at = int(rnd, length);
    if (tries > 20 || rnd() < 0.02 || !certificates.some(([from, to]) => at >= from && at < to)) return at;
  }
}

/** One mutation of a valid byte stream: the classic fuzzing moves, plus pure noise. */
function mutate(rnd: Rnd, bytes: Uint8Array, certificates: readonly [number, number][]): Uint8Array {
  const b = Uint8Array.from(bytes);
  const at = () => position(rnd, b.length, certificates);
  switch (int(rnd, 8)) {
    case 0: // flip 1–8 bits
      for (let i = 1 + int(rnd, 8); i > 0; i--) b[at()]! ^= 1 << int(rnd, 8);
      return b;
    case 1: // set a byte to a boundary value (lengths, types, versions)
      b[at()] = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff][int(rnd, 6)]!;
      return b;
    case 2: // truncate
      return b.subarray(0, int(rnd, b.length));
    case 3: {
      // delete a run
      const from = at();
      return Uint8Array.from([...b.subarray(0, from), ...b.subarray(from + 1 + int(rnd, 16))]);
    }
    case 4: {
      // insert random bytes
      const from = at();
      const ins = Array.from({ length: 1 + int(rnd, 16) }, () => int(rnd, 256));
      return Uint8Array.from([...b.subarray(0, from), ...ins, ...b.subarray(from)]);
    }
    case 5: {
      // duplicate a slice (a replayed record or message)
      const from = at();
      const to = from + 1 + int(rnd, 300);
      return Uint8Array.from([...b.subarray(0, to), ...b.subarray(from, to), ...b.subarray(to)]);
    }
    case 6: // pure noise, sometimes starting like a handshake record
      return Uint8Array.from({ length: int(rnd, 600) }, (_, i) =>
        i < 3 && rnd() < 0.5 ? [22, 3, 3][i]! : int(rnd, 256),
      );
    default: {
      // a 16-bit length field somewhere, rewritten
      const from = Math.min(at(), b.length - 2);
      const v = int(rnd, 0x10000);
      b[from] = v >> 8;
      b[from + 1] = v & 0xff;
      return b;
    }
  }
}

/** [start, end) of each certificate's DER inside a recorded flight. */
function certificateRanges(flight: Uint8Array, ders: readonly Uint8Array[]): [number, number][] {
  const buf = Buffer.from(flight);
  return ders
    .map((d) => [buf.indexOf(Buffer.from(d)), d.length] as const)
    .filter(([from]) => from >= 0)
    .map(([from, n]) => [from, from + n]);
}

/**
 * The real server authentication, judged once per distinct input. It is a pure function of
 * its input (the clock is fixed), and X.509 parsing plus path validation cost milliseconds,
 * which 20,000 identical chains would turn into minutes. Failures are replayed too.
 */
const memo = new Map<string, { ok: ServerIdentity } | { err: unknown }>();
const seams: ConnectionSeams = {
  authenticateServer(p: AuthenticateParams): ServerIdentity {
    const key = JSON.stringify([
      p.chain.map((c) => Buffer.from(c).toString('base64')),
      p.anchors.map((a) => a.serial),
      p.serverName,
      p.at.getTime(),
      p.rejectUnauthorized,
      p.auth,
      p.curves,
    ]);
    let hit = memo.get(key);
    if (!hit) {
      try {
        hit = { ok: authenticateServer(p) };
      } catch (err) {
        hit = { err };
      }
      memo.set(key, hit);
    }
    if ('err' in hit) throw hit.err;
    return hit.ok;
  },
};

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
