// 20,000 mutated and random connections through the dissector: it must return (never throw,
// never hang), and what it returns must be consistent with the bytes it was given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../test/helpers/prng.js';
import { fixedCertificates } from './certs.case.js';
import { dissectTls } from './dissector.js';
import {
  chunk,
  handshake,
  HELLO_RETRY_REQUEST,
  record,
  RFC8448,
  tls12Connection,
  tls13Connection,
} from './golden.case.js';
import type { TlsDirection, TlsDissection, TlsStreamChunk } from './types.js';

const CASES = 20_000;
type Rand = () => number;
type Mutation = (chunks: TlsStreamChunk[], rand: Rand) => TlsStreamChunk[];

const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const bytes = (rand: Rand, n: number) => Uint8Array.from({ length: n }, () => int(rand, 256));

/** Change the bytes of one chunk with `edit` (a copy: seeds are shared between cases). */
function editOne(
  chunks: TlsStreamChunk[],
  rand: Rand,
  edit: (b: Uint8Array) => Uint8Array,
): TlsStreamChunk[] {
  if (chunks.length === 0) return chunks;
  const i = int(rand, chunks.length);
  const out = [...chunks];
  out[i] = { ...chunks[i]!, bytes: edit(Uint8Array.from(chunks[i]!.bytes)) };
  return out;
}

const MUTATIONS: readonly Mutation[] = [
  // flip a few bytes
  (c, rand) =>
    editOne(c, rand, (b) => {
      for (let k = 1 + int(rand, 8); k > 0 && b.length > 0; k--) b[int(rand, b.length)] = int(rand, 256);
      return b;
    }),
  // an extreme value in a would-be length field
  (c, rand) =>
    editOne(c, rand, (b) => {
      if (b.length > 2)
        b.set(
          [
            [0xff, 0xff],
            [0x00, 0x00],
            [0x40, 0x01],
            [0x00, 0x01],
          ][int(rand, 4)]!,
          int(rand, b.length - 1),
        );
      return b;
    }),
  // insert random bytes
  (c, rand) =>
    editOne(c, rand, (b) => {
      const at = int(rand, b.length + 1);
      return Uint8Array.from([...b.subarray(0, at), ...bytes(rand, 1 + int(rand, 16)), ...b.subarray(at)]);
    }),
  // delete a range
  (c, rand) =>
    editOne(c, rand, (b) => {
      const at = int(rand, b.length + 1);
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + int(rand, 64))]);
    }),
  // truncate the connection
  (c, rand) =>
    editOne(c.slice(0, 1 + int(rand, c.length)), rand, (b) => b.subarray(0, int(rand, b.length + 1))),
  // duplicate, drop or swap the direction of a chunk
  (c, rand) => {
    if (c.length === 0) return c;
    const i = int(rand, c.length);
    const out = [...c];
    const k = int(rand, 3);
    if (k === 0) out.splice(i, 0, c[i]!);
    else if (k === 1) out.splice(i, 1);
    else out[i] = { ...c[i]!, direction: c[i]!.direction === 'c2s' ? 's2c' : 'c2s' };
    return out;
  },
  // re-chunk every direction at random boundaries, keeping the bytes
  (c, rand) =>
    c.flatMap((x) => {
      const parts: TlsStreamChunk[] = [];
      for (let at = 0; at < x.bytes.length;) {
        const n = 1 + int(rand, 40);
        parts.push({ ...x, bytes: x.bytes.subarray(at, at + n) });
        at += n;
      }
      return parts;
    }),
  // random bytes behind a plausible record header
  (_c, rand) => {
    const dir: TlsDirection = rand() < 0.5 ? 'c2s' : 's2c';
    const n = int(rand, 400);
    return [
      chunk(dir, 1, Uint8Array.of(20 + int(rand, 5), 3, int(rand, 5), n >> 8, n & 0xff), bytes(rand, n)),
    ];
  },
  // a plausible handshake record whose body is random
  (_c, rand) => [chunk('c2s', 1, record(22, handshake(int(rand, 26), bytes(rand, int(rand, 300)))))],
  // plain noise
  (_c, rand) => [chunk('c2s', 1, bytes(rand, int(rand, 200))), chunk('s2c', 2, bytes(rand, int(rand, 200)))],
];

/** Dissect and check the result against the input. */
function check(chunks: readonly TlsStreamChunk[]): TlsDissection {
  const r = dissectTls(chunks);
  const given = { c2s: 0, s2c: 0 };
  for (const c of chunks) given[c.direction] += c.bytes.length;
  const counted = r.tls ? r.summary.bytes : r.bytes;
  assert.deepEqual({ c2s: counted.c2s, s2c: counted.s2c }, given);
  if (!r.tls) return r;
  for (const dir of ['c2s', 's2c'] as const) {
    let end = 0;
    for (const rec of r.records.filter((x) => x.direction === dir)) {
      assert.equal(rec.offset, end, 'records tile their stream');
      end = rec.offset + 5 + rec.length;
    }
    assert.ok(end + r.trailing[dir] <= given[dir]);
  }
  const internal = r.malformed.find((m) => m.what.startsWith('internal'));
  assert.equal(internal, undefined, internal?.what);
  JSON.stringify(r);
  return r;
}

test(`fuzz: ${CASES} mutated and random connections never throw and stay consistent`, async (t) => {
  const certs = await fixedCertificates();
  const seeds: TlsStreamChunk[][] = [
    tls12Connection([certs.broker, certs.ca], [certs.device]),
    tls12Connection([certs.broker], []),
    tls13Connection(),
    [
      chunk('c2s', 1, record(22, RFC8448.clientHello, 0x0301)),
      chunk('s2c', 2, record(22, handshake(2, HELLO_RETRY_REQUEST))),
      chunk('c2s', 3, record(22, RFC8448.clientHello)),
      chunk('s2c', 4, record(22, RFC8448.serverHello), record(23, Uint8Array.of(1, 2, 3))),
    ],
  ];
  const rand = mulberry32(0x7151);
  const started = performance.now();
  const seen = { tls: 0, malformed: 0, handshakes: 0, certificates: 0 };
  for (let i = 0; i < CASES; i++) {
    let chunks = seeds[int(rand, seeds.length)]!;
    for (let k = 1 + int(rand, 3); k > 0; k--) chunks = MUTATIONS[int(rand, MUTATIONS.length)]!(chunks, rand);
    try {
      const r = check(chunks);
      if (!r.tls) continue;
      seen.tls++;
      if (r.malformed.length > 0) seen.malformed++;
      if (r.handshakes.some((h) => !h.encrypted && h.type !== 'other')) seen.handshakes++;
      if (r.summary.serverCertificates.some((c) => c.subject)) seen.certificates++;
    } catch (err) {
      const dump = chunks.map((c) => `${c.direction}:${Buffer.from(c.bytes).toString('hex')}`).join('\n');
      assert.fail(`case ${i}: ${(err as Error).stack}\n${dump}`);
    }
  }
  const ms = performance.now() - started;
  t.diagnostic(`${Math.round(ms)} ms; ${JSON.stringify(seen)}`);
  // The cases must reach the parsers, both their error paths and their success paths.
  assert.ok(seen.tls > CASES / 2, `only ${seen.tls} cases still looked like TLS`);
  assert.ok(seen.malformed > CASES / 10, `only ${seen.malformed} cases had a malformed note`);
  assert.ok(seen.handshakes > CASES / 10, `only ${seen.handshakes} cases had a decoded handshake message`);
  assert.ok(seen.certificates > CASES / 50, `only ${seen.certificates} cases had a readable certificate`);
  assert.ok(ms < 120_000, `fuzzing took ${Math.round(ms)} ms`);
});
