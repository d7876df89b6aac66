import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import type { TcpSegment } from '../pcap/frames/decode.js';
import { TCP_FLAGS } from '../pcap/frames/tcp.js';
import { reassembleTcp } from './reassemble.js';
import { SegmentTable } from './segment-table.js';
import { StreamBuilder, type TcpChunk } from './stream.js';

const { SYN, ACK, FIN, RST, PSH } = TCP_FLAGS;
const C = { ip: '10.0.0.2', port: 50000 };
const S = { ip: '10.0.0.1', port: 1883 };
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

let clock = 0;
function seg(from: 'c' | 's', seq: number, flags: number, data = '', ack = 0): TcpSegment {
  return {
    packetIndex: clock,
    timestampUs: 1000 + clock++ * 10,
    src: from === 'c' ? C : S,
    dst: from === 'c' ? S : C,
    seq: seq >>> 0,
    ack,
    flags,
    window: 65535,
    mss: undefined,
    payload: text(data),
    truncated: false,
  };
}
const handshake = (cIsn = 100, sIsn = 900) => [
  seg('c', cIsn, SYN),
  seg('s', sIsn, SYN | ACK, '', cIsn + 1),
  seg('c', cIsn + 1, ACK),
];

test('in-order conversation: endpoints, times, both streams, chunks in arrival order, FIN consumes one number', () => {
  clock = 0;
  const [conn, ...rest] = reassembleTcp([
    ...handshake(),
    seg('c', 101, PSH | ACK, 'CONNECT'),
    seg('s', 901, PSH | ACK, 'CONNACK'),
    seg('c', 108, PSH | ACK, 'PUBLISH'),
    seg('c', 115, FIN | ACK),
    seg('s', 908, FIN | ACK),
    seg('c', 116, ACK),
  ]);
  assert.equal(rest.length, 0);
  assert.ok(conn);
  assert.deepEqual(
    [conn.client, conn.server, conn.startUs, conn.endUs, conn.handshake, conn.segments],
    [C, S, 1000, 1080, true, 9],
  );
  assert.equal(str(conn.clientToServer.bytes), 'CONNECTPUBLISH');
  assert.equal(str(conn.serverToClient.bytes), 'CONNACK');
  for (const st of [conn.clientToServer, conn.serverToClient]) {
    assert.deepEqual(
      [st.gaps, st.synSeen, st.finSeen, st.resetSeen, st.truncated, st.retransmittedBytes],
      [[], true, true, false, false, 0],
    );
  }
  assert.equal(conn.clientToServer.baseSeq, 101);
  assert.deepEqual(
    conn.chunks.map((c) => [c.direction, c.offset, c.length, c.timestampUs]),
    [
      ['client-to-server', 0, 7, 1030],
      ['server-to-client', 0, 7, 1040],
      ['client-to-server', 7, 7, 1050],
    ],
  );
});

test('out-of-order segments are put back in sequence; each chunk keeps its arrival time', () => {
  clock = 0;
  const [conn] = reassembleTcp([
    ...handshake(),
    seg('c', 111, ACK, 'world'),
    seg('c', 116, ACK, '!'),
    seg('c', 101, ACK, 'hello, '),
  ]);
  // 101 + 7 = 108, so 108..110 were never sent: a gap, not silent concatenation.
  assert.equal(str(conn!.clientToServer.bytes.subarray(0, 7)), 'hello, ');
  assert.deepEqual(conn!.clientToServer.gaps, [{ offset: 7, length: 3 }]);
  assert.equal(str(conn!.clientToServer.bytes.subarray(10)), 'world!');
  assert.deepEqual(
    conn!.chunks.map((c) => [c.offset, c.length, c.timestampUs]),
    [
      [10, 5, 1030],
      [15, 1, 1040],
      [0, 7, 1050],
    ],
  );
});

test('retransmissions and overlaps: first-seen bytes are kept, repeats and rewrites are counted', () => {
  clock = 0;
  const [conn] = reassembleTcp([
    ...handshake(),
    seg('c', 101, ACK, 'abcdef'),
    seg('c', 101, ACK, 'abcdef'), // plain retransmission
    seg('c', 104, ACK, 'XYZghi'), // overlaps def with different bytes, adds ghi
    seg('c', 99, ACK, 'zzab'), // starts before the first byte after the SYN
  ]);
  const st = conn!.clientToServer;
  assert.equal(str(st.bytes), 'abcdefghi');
  assert.deepEqual([st.retransmittedBytes, st.conflictingBytes], [6 + 3 + 2, 3]);
  assert.deepEqual(
    conn!.chunks.map((c) => [c.offset, c.length]),
    [
      [0, 6],
      [6, 3],
    ],
  );
});

test('a segment filling the middle of two others yields one chunk per new piece', () => {
  clock = 0;
  const [conn] = reassembleTcp([
    ...handshake(),
    seg('c', 101, ACK, 'aa'),
    seg('c', 105, ACK, 'ee'),
    seg('c', 101, ACK, 'AAccEEff'),
  ]);
  assert.equal(str(conn!.clientToServer.bytes), 'aacceeff');
  assert.deepEqual(
    conn!.chunks.map((c) => [c.offset, c.length]),
    [
      [0, 2],
      [4, 2],
      [2, 2],
      [6, 2],
    ],
  );
});

test('a gap before the FIN is reported: the FIN says where the stream ends', () => {
  clock = 0;
  const [conn] = reassembleTcp([...handshake(), seg('c', 101, ACK, 'abc'), seg('c', 110, FIN | ACK)]);
  const st = conn!.clientToServer;
  assert.equal(st.bytes.length, 9);
  assert.deepEqual(st.gaps, [{ offset: 3, length: 6 }]);
  assert.equal(st.finSeen, true);
});

test('a reused buffer is overwritten whole: the bytes of a gap are zeros, not what was there', () => {
  const table = new SegmentTable(null);
  const b = new StreamBuilder('client-to-server', table);
  b.add(table.pushPayload(1, 100, SYN, new Uint8Array(0)));
  b.add(table.pushPayload(2, 101, ACK, text('abc')));
  b.add(table.pushPayload(3, 107, ACK, text('gh')));
  const into = new Uint8Array(b.measure(1000).length).fill(0xee);
  const chunks: TcpChunk[] = [];
  const st = b.build(1000, chunks, into);
  assert.equal(st.bytes, into);
  assert.deepEqual([...st.bytes], [...text('abc'), 0, 0, 0, ...text('gh')]);
  assert.deepEqual(st.gaps, [{ offset: 3, length: 3 }]);
  assert.deepEqual(
    chunks.map((c) => [c.offset, c.length]),
    [
      [0, 3],
      [6, 2],
    ],
  );
});

test('sequence numbers wrapping past 2^32 reassemble in order', () => {
  clock = 0;
  const [conn] = reassembleTcp([
    ...handshake(0xfffffffd),
    seg('c', 0xfffffffe, ACK, 'ab'),
    seg('c', 0, ACK, 'cd'),
    seg('c', 2, ACK, 'e'),
  ]);
  assert.equal(str(conn!.clientToServer.bytes), 'abcde');
  assert.equal(conn!.clientToServer.baseSeq, 0xfffffffe);
});

test('a SYN carrying data (TCP Fast Open): the data starts after the SYN number', () => {
  clock = 0;
  const [conn] = reassembleTcp([
    seg('c', 500, SYN, 'early'),
    seg('s', 10, SYN | ACK),
    seg('c', 506, ACK, 'late'),
  ]);
  assert.equal(str(conn!.clientToServer.bytes), 'earlylate');
});

test('no handshake in the capture: streams start at the lowest sequence seen, client = higher port', () => {
  clock = 0;
  const [conn] = reassembleTcp([
    seg('s', 5000, ACK, 'world'),
    seg('c', 20, ACK, 'there'),
    seg('c', 15, ACK, 'hello'),
  ]);
  assert.deepEqual([conn!.client, conn!.server, conn!.handshake], [C, S, false]);
  assert.equal(str(conn!.clientToServer.bytes), 'hellothere');
  assert.equal(str(conn!.serverToClient.bytes), 'world');
  assert.equal(conn!.clientToServer.baseSeq, 15);
});

test('RST ends a connection; its payload is not stream data', () => {
  clock = 0;
  const [conn] = reassembleTcp([
    ...handshake(),
    seg('c', 101, ACK, 'x'),
    seg('s', 901, RST | ACK, 'diagnostic'),
  ]);
  assert.equal(conn!.serverToClient.bytes.length, 0);
  assert.equal(conn!.serverToClient.resetSeen, true);
});

test('the same 4-tuple reused with a new ISN is a second connection; a repeated SYN is not', () => {
  clock = 0;
  const conns = reassembleTcp([
    ...handshake(100),
    seg('c', 100, SYN), // retransmitted SYN
    seg('c', 101, ACK, 'one'),
    seg('c', 104, FIN | ACK),
    ...handshake(7000, 3000),
    seg('c', 7001, ACK, 'two'),
  ]);
  assert.equal(conns.length, 2);
  assert.deepEqual(
    conns.map((c) => str(c.clientToServer.bytes)),
    ['one', 'two'],
  );
});

test('distinct 4-tuples are distinct connections, in order of first appearance', () => {
  clock = 0;
  const other = { ip: '10.0.0.3', port: 50001 };
  const a = seg('c', 1, ACK, 'a');
  const b = { ...seg('c', 1, ACK, 'b'), src: other };
  const conns = reassembleTcp([b, a, { ...b, seq: 2, payload: text('B') }]);
  assert.deepEqual(
    conns.map((c) => [c.client.ip, str(c.clientToServer.bytes)]),
    [
      ['10.0.0.3', 'bB'],
      ['10.0.0.2', 'a'],
    ],
  );
});

test('memory is bounded: bytes past maxStreamBytes are dropped and the stream marked truncated', () => {
  clock = 0;
  const [conn] = reassembleTcp(
    [...handshake(), seg('c', 101, ACK, 'abcdef'), seg('c', 107, ACK, 'gh'), seg('c', 1_000_000, ACK, 'far')],
    {
      maxStreamBytes: 4,
    },
  );
  const st = conn!.clientToServer;
  assert.deepEqual([str(st.bytes), st.truncated, st.gaps], ['abcd', true, []]);
  assert.throws(
    () => reassembleTcp([], { maxStreamBytes: -1 }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => reassembleTcp([], { maxBytes: 1 } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
});
