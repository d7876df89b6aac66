import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TcpChunk, TcpConnection, TcpStream } from '../tcp/index.js';
import { orderedStreams } from './streams.js';

const stream = (bytes: Uint8Array, gaps: TcpStream['gaps'] = []): TcpStream => ({
  bytes,
  gaps,
  baseSeq: 1,
  synSeen: true,
  finSeen: true,
  resetSeen: false,
  truncated: false,
  retransmittedBytes: 0,
  conflictingBytes: 0,
});
const chunk = (dir: 'c' | 's', offset: number, length: number, timestampUs: number): TcpChunk => ({
  direction: dir === 'c' ? 'client-to-server' : 'server-to-client',
  offset,
  length,
  timestampUs,
  order: timestampUs,
});
const conn = (c2s: TcpStream, s2c: TcpStream, chunks: TcpChunk[]): TcpConnection => ({
  client: { ip: '10.0.0.2', port: 50000 },
  server: { ip: '10.0.0.1', port: 1883 },
  startUs: 0,
  endUs: 100,
  handshake: true,
  segments: chunks.length,
  clientToServer: c2s,
  serverToClient: s2c,
  chunks,
});
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

test('in-order chunks pass through in capture order, both directions interleaved', () => {
  const s = orderedStreams(
    conn(stream(bytes(10)), stream(bytes(4)), [
      chunk('c', 0, 6, 1),
      chunk('s', 0, 4, 2),
      chunk('c', 6, 4, 3),
    ]),
  );
  assert.deepEqual(
    s.chunks.map((c) => [c.direction, c.offset, c.bytes.length, c.timestampUs]),
    [
      ['c2s', 0, 6, 1],
      ['s2c', 0, 4, 2],
      ['c2s', 6, 4, 3],
    ],
  );
  assert.deepEqual(s.readable, { c2s: 10, s2c: 4 });
  assert.deepEqual(s.notes, []);
});

test('an out-of-order segment waits for the hole before it, and is released with the filler', () => {
  const s = orderedStreams(
    conn(stream(bytes(12)), stream(new Uint8Array(0)), [
      chunk('c', 0, 4, 1),
      chunk('c', 8, 4, 2), // early
      chunk('c', 4, 4, 3), // fills the hole
    ]),
  );
  assert.deepEqual(
    s.chunks.map((c) => [c.offset, c.bytes.length, c.timestampUs]),
    [
      [0, 4, 1],
      [4, 8, 3],
    ],
  );
  assert.deepEqual([...s.chunks[1]!.bytes], [4, 5, 6, 7, 8, 9, 10, 11]);
});

test('a gap that is never filled stops the direction there, with a note', () => {
  const s = orderedStreams(
    conn(stream(bytes(12), [{ offset: 4, length: 4 }]), stream(new Uint8Array(0)), [
      chunk('c', 0, 4, 1),
      chunk('c', 8, 4, 2),
    ]),
  );
  assert.equal(s.readable.c2s, 4);
  assert.equal(s.chunks.length, 1);
  assert.deepEqual(s.notes, [
    {
      direction: 'c2s',
      offset: 4,
      what: '4 bytes were not captured (first gap at 4); this direction is read up to it',
    },
  ]);
});
