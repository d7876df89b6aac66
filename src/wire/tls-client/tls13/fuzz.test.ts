// The TLS 1.3 paths under mutation: recorded server flights from Node's TLS 1.3 server
// (OpenSSL), replayed to a seeded client and mutated two ways — as raw bytes (the record
// layer) and, inside the server's encrypted handshake records, as plaintext re-encrypted under
// the same key (so EncryptedExtensions, Certificate, CertificateVerify and Finished parsing is
// reached, not just AEAD rejection). Every case must end in a coded ERR_TLS_* failure or a
// clean close: never an exception, a hang or an internal_error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../../test/helpers/prng.js';
import { FixedClock } from '../../../core/clock.js';
import { LabError } from '../../../core/errors.js';
import { SeededRng } from '../../../core/rng.js';
import { keySigner } from '../../../pki/signer.js';
import { concat } from '../bytes.js';
import { TlsClientConnection } from '../client-connection.js';
import { ContentType } from '../codes.js';
import { certificateRanges, int, mutate, type Rnd, seams } from '../fuzz.case.js';
import type { TlsClientOptions } from '../options.js';
import { identities, recordServerBytes } from '../peer.case.js';
import { RecordReader } from '../record.js';
import { trafficKey } from './key-schedule.js';
import { MAX_CIPHERTEXT_13, Tls13Protection } from './record-protection.js';

const TLS_CODES = new Set(['ERR_TLS_HANDSHAKE', 'ERR_TLS_ALERT', 'ERR_TLS_PROTOCOL', 'ERR_TLS_CERTIFICATE']);
const ITERATIONS = 20_000;

async function run(options: TlsClientOptions, bytes: Uint8Array, rnd: Rnd): Promise<string> {
  const conn = new TlsClientConnection(options, seams);
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
  assert.notEqual(
    err.details.alert,
    'internal_error',
    `${err.message} ${String((err.cause as Error)?.stack)}`,
  );
  return `${err.code}:${String(err.details.alert)}`;
}

/** The recorded stream as records: header ‖ body, in order. */
function records(bytes: Uint8Array): Uint8Array[] {
  const reader = new RecordReader();
  reader.push(bytes);
  const out: Uint8Array[] = [];
  for (let r = reader.next(MAX_CIPHERTEXT_13); r; r = reader.next(MAX_CIPHERTEXT_13))
    out.push(
      concat(
        Uint8Array.of(
          r.type,
          r.version >> 8,
          r.version & 0xff,
          r.fragment.length >> 8,
          r.fragment.length & 0xff,
        ),
        r.fragment,
      ),
    );
  return out;
}

/** The server's handshake-key records (decrypted) and the index of the first of them. */
function handshakeRecords(all: Uint8Array[], secret: Uint8Array) {
  const open = new Tls13Protection('aes-128-gcm', trafficKey('sha256', secret, 16));
  const first = all.findIndex((r) => r[0] === ContentType.applicationData);
  const contents: { type: number; content: Uint8Array }[] = [];
  for (let i = first; i < all.length; i++) {
    try {
      contents.push(open.open(all[i]!.subarray(0, 5), all[i]!.subarray(5)));
    } catch {
      break; // the first record under the application key
    }
  }
  return { first, contents };
}

/** Mutate the plaintext of one handshake-key record and seal them all again under the same key. */
function mutateInside(
  rnd: Rnd,
  all: Uint8Array[],
  secret: Uint8Array,
  hs: ReturnType<typeof handshakeRecords>,
) {
  const seal = new Tls13Protection('aes-128-gcm', trafficKey('sha256', secret, 16));
  const victim = int(rnd, hs.contents.length);
  const resealed = hs.contents.map(({ type, content }, i) => {
    const body = i === victim ? mutate(rnd, content, []).subarray(0, 16_384) : content;
    return seal.seal(type, body);
  });
  return concat(...all.slice(0, hs.first), ...resealed, ...all.slice(hs.first + hs.contents.length));
}

test(`fuzz TLS 1.3: ${ITERATIONS} mutated server flights (raw and re-encrypted) end in a clean coded failure`, async () => {
  const id = await identities();
  const clock = new FixedClock(new Date());
  const signer = keySigner(id.client.key);
  const optionsFor = (mutual: boolean, keylog?: (l: string) => void): TlsClientOptions => ({
    serverName: 'localhost',
    trustAnchors: [id.ca.certificate],
    clock,
    rng: new SeededRng('fuzz13'),
    ...(mutual ? { certificateChain: [id.client.certificate.der], signer } : {}),
    ...(keylog ? { keylog } : {}),
  });
  const connect = (o: TlsClientOptions) => new TlsClientConnection(o);
  const secrets: string[] = [];
  // A whole session (tickets, data, close_notify) and a mutual flight that needs a HelloRetryRequest.
  const session = await recordServerBytes(
    optionsFor(false, (l) => secrets.push(l)),
    { cert: id.ecServer.certPem, key: id.ecServer.keyPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
    (s) => s.end('reading 21.5 C'),
    connect,
  );
  const mutual = await recordServerBytes(
    optionsFor(true),
    {
      cert: id.rsaServer.certPem,
      key: id.rsaServer.keyPem,
      ca: id.caPem,
      requestCert: true,
      ecdhCurve: 'P-256',
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    },
    (s) => s.write('ok'),
    connect,
  );
  assert.equal(session.error, undefined);
  assert.equal(mutual.error, undefined);
  const sessionBytes = Buffer.concat(session.chunks);
  const mutualBytes = Buffer.concat(mutual.chunks);
  // The unmutated recordings replay: the session to a clean close, the mutual flight to connected.
  assert.equal(await run(optionsFor(false), sessionBytes, mulberry32(1)), 'closed');
  assert.equal(await run(optionsFor(true), mutualBytes, mulberry32(2)), 'closed');
  const serverHs = secrets.find((l) => l.startsWith('SERVER_HANDSHAKE_TRAFFIC_SECRET'))!.split(' ')[2]!;
  const secret = Uint8Array.from(Buffer.from(serverHs, 'hex'));
  const all = records(sessionBytes);
  const hs = handshakeRecords(all, secret);
  assert.ok(hs.contents.length >= 1 && hs.contents.every((c) => c.type === ContentType.handshake));
  const ders = [id.ecServer.certificate, id.rsaServer.certificate].map((c) => c.der);
  const sessionCerts = certificateRanges(sessionBytes, ders);
  const mutualCerts = certificateRanges(mutualBytes, ders);

  const rnd = mulberry32(0x13f00d);
  const outcomes = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const kind = i % 4;
    const input =
      kind === 0 || kind === 1
        ? mutateInside(rnd, all, secret, hs)
        : kind === 2
          ? mutate(rnd, sessionBytes, sessionCerts)
          : mutate(rnd, mutualBytes, mutualCerts);
    const outcome = await run(optionsFor(kind === 3), input, rnd);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const ms = Date.now() - started;
  for (const expected of [
    'ERR_TLS_PROTOCOL:decode_error',
    'ERR_TLS_PROTOCOL:unexpected_message',
    'ERR_TLS_PROTOCOL:bad_record_mac',
    'ERR_TLS_HANDSHAKE:decrypt_error',
    'ERR_TLS_HANDSHAKE:illegal_parameter',
    'ERR_TLS_HANDSHAKE:handshake_failure',
  ])
    assert.ok(outcomes.has(expected), `no ${expected} in ${JSON.stringify([...outcomes])}`);
  console.log(`# fuzz13: ${ITERATIONS} cases in ${ms} ms`, JSON.stringify(Object.fromEntries(outcomes)));
});
