import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../../core/errors.js';
import { onesComplementSum } from './checksum.js';
import { decodeTcpFrame } from './decode.js';
import { LINKTYPE_ETHERNET } from './link.js';
import {
  type Conversation,
  type ConversationEvent,
  synthesizeConversation,
  synthesizeConversations,
} from './synthesize.js';
import { formatTcpFlags, tcpChecksum } from './tcp.js';

const client = { ip: '10.0.0.2', port: 50000 };
const server = { ip: '10.0.0.1', port: 1883 };
const T = 1_700_000_000_000_000;
const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

function run(events: ConversationEvent[], extra: Partial<Conversation> = {}) {
  const frames = synthesizeConversation({
    client,
    server,
    events,
    isn: { client: 1000, server: 5000 },
    ...extra,
  });
  const segs = frames.map((f, i) => decodeTcpFrame({ ...f, linkType: LINKTYPE_ETHERNET }, i)!);
  const rows = segs.map((s) => {
    const dir = s.src.port === client.port ? 'C>S' : 'S>C';
    return `${dir} ${formatTcpFlags(s.flags)} seq=${s.seq} ack=${s.ack} len=${s.payload.length}`;
  });
  return { frames, segs, rows };
}

test('three-way handshake with MSS, data with the peer ACK, FIN/ACK teardown both ways', () => {
  const { rows, segs } = run([
    { type: 'connect', timestampUs: T },
    { type: 'data', direction: 'client-to-server', timestampUs: T + 10, data: bytes(5) },
    { type: 'data', direction: 'server-to-client', timestampUs: T + 20, data: bytes(4) },
    { type: 'close', direction: 'client-to-server', timestampUs: T + 30 },
    { type: 'close', direction: 'server-to-client', timestampUs: T + 40 },
  ]);
  assert.deepEqual(rows, [
    'C>S SYN seq=1000 ack=0 len=0',
    'S>C SYN|ACK seq=5000 ack=1001 len=0',
    'C>S ACK seq=1001 ack=5001 len=0',
    'C>S PSH|ACK seq=1001 ack=5001 len=5',
    'S>C ACK seq=5001 ack=1006 len=0',
    'S>C PSH|ACK seq=5001 ack=1006 len=4',
    'C>S ACK seq=1006 ack=5005 len=0',
    'C>S FIN|ACK seq=1006 ack=5005 len=0',
    'S>C ACK seq=5005 ack=1007 len=0',
    'S>C FIN|ACK seq=5005 ack=1007 len=0',
    'C>S ACK seq=1007 ack=5006 len=0',
  ]);
  assert.deepEqual([segs[0]!.mss, segs[1]!.mss, segs[2]!.mss], [1460, 1460, undefined]);
});

test('data is cut at the MSS, PSH only on the last segment, the peer ACKs every second segment', () => {
  const { rows } = run(
    [
      { type: 'connect', timestampUs: T },
      { type: 'data', direction: 'client-to-server', timestampUs: T, data: bytes(250) },
    ],
    { mss: 100 },
  );
  assert.deepEqual(rows.slice(3), [
    'C>S ACK seq=1001 ack=5001 len=100',
    'C>S ACK seq=1101 ack=5001 len=100',
    'S>C ACK seq=5001 ack=1201 len=0',
    'C>S PSH|ACK seq=1201 ack=5001 len=50',
    'S>C ACK seq=5001 ack=1251 len=0',
  ]);
});

test('every frame: Ethernet II from derived MACs, IPv4 TTL 64 + DF, id incrementing per sender, checksums right', () => {
  const { frames } = run([
    { type: 'connect', timestampUs: T },
    { type: 'data', direction: 'server-to-client', timestampUs: T + 5, data: bytes(3000) },
    { type: 'reset', direction: 'client-to-server', timestampUs: T + 9 },
  ]);
  const ids = { c: [] as number[], s: [] as number[] };
  for (const f of frames) {
    const d = f.data;
    const fromClient = d[26 + 3] === 2; // last byte of the IPv4 source
    assert.equal(
      Buffer.from(d.subarray(0, 12)).toString('hex'),
      fromClient ? '02000a00000102000a000002' : '02000a00000202000a000001',
    );
    assert.deepEqual([d[12], d[13], d[14], d[22], d[20]! & 0x40], [0x08, 0x00, 0x45, 64, 0x40]);
    assert.equal(onesComplementSum([d.subarray(14, 34)]), 0xffff, 'IPv4 header checksum');
    const seg = d.subarray(34);
    assert.equal(tcpChecksum(fromClient ? client.ip : server.ip, fromClient ? server.ip : client.ip, seg), 0);
    (fromClient ? ids.c : ids.s).push((d[18]! << 8) | d[19]!);
  }
  for (const list of [ids.c, ids.s])
    list.forEach((id, i) => i > 0 && assert.equal(id, (list[i - 1]! + 1) & 0xffff));
});

test('refused: SYN answered by RST/ACK with ack = ISN + 1 (RFC 793 §3.4)', () => {
  const { rows } = run([{ type: 'refused', timestampUs: T }]);
  assert.deepEqual(rows, ['C>S SYN seq=1000 ack=0 len=0', 'S>C RST|ACK seq=0 ack=1001 len=0']);
});

test('half-close: the server keeps sending after the client FIN; a RST ends the conversation', () => {
  const { rows } = run([
    { type: 'connect', timestampUs: T },
    { type: 'close', direction: 'client-to-server', timestampUs: T + 1 },
    { type: 'data', direction: 'server-to-client', timestampUs: T + 2, data: bytes(2) },
    { type: 'reset', direction: 'server-to-client', timestampUs: T + 3 },
  ]);
  assert.deepEqual(rows.slice(3), [
    'C>S FIN|ACK seq=1001 ack=5001 len=0',
    'S>C ACK seq=5001 ack=1002 len=0',
    'S>C PSH|ACK seq=5001 ack=1002 len=2',
    'C>S ACK seq=1002 ack=5003 len=0',
    'S>C RST|ACK seq=5003 ack=1002 len=0',
  ]);
});

test('sequence numbers wrap modulo 2^32', () => {
  const { rows } = run(
    [
      { type: 'connect', timestampUs: T },
      { type: 'data', direction: 'client-to-server', timestampUs: T, data: bytes(4) },
    ],
    { isn: { client: 0xfffffffe, server: 0 } },
  );
  assert.deepEqual(rows.slice(3), ['C>S PSH|ACK seq=4294967295 ack=1 len=4', 'S>C ACK seq=1 ack=3 len=0']);
});

test('timestamps and comments: frames carry their event time, a data comment is on its first segment', () => {
  const { frames } = run(
    [
      { type: 'connect', timestampUs: T },
      {
        type: 'data',
        direction: 'client-to-server',
        timestampUs: T + 7,
        data: bytes(30),
        comment: 'tampered',
      },
    ],
    { mss: 10 },
  );
  assert.deepEqual(
    frames.map((f) => f.timestampUs - T),
    [0, 0, 0, 7, 7, 7, 7, 7],
  );
  assert.deepEqual(
    frames.map((f) => f.comment),
    [undefined, undefined, undefined, 'tampered', undefined, undefined, undefined, undefined],
  );
});

test('output is deterministic: default ISNs derive from the endpoints, conversations differ', () => {
  const events: ConversationEvent[] = [{ type: 'connect', timestampUs: T }];
  const a = synthesizeConversation({ client, server, events });
  assert.deepEqual(a, synthesizeConversation({ client, server, events }));
  const b = synthesizeConversation({ client: { ...client, port: 50001 }, server, events });
  assert.notDeepEqual(a[0]!.data.subarray(38, 42), b[0]!.data.subarray(38, 42));
});

test('several conversations merge by time, ties in input order', () => {
  const c2 = { ip: '10.0.0.3', port: 50001 };
  const frames = synthesizeConversations([
    {
      client,
      server,
      events: [
        { type: 'connect', timestampUs: 10 },
        { type: 'close', direction: 'client-to-server', timestampUs: 30 },
      ],
    },
    { client: c2, server, events: [{ type: 'connect', timestampUs: 20 }] },
  ]);
  assert.deepEqual(
    frames.map((f) => `${f.timestampUs}:${f.data[29]}`),
    ['10:2', '10:1', '10:2', '20:3', '20:1', '20:3', '30:2', '30:1'],
  );
});

test('impossible event lists are ERR_OPTIONS_INVALID naming the event; bad endpoints too', () => {
  const bad: [ConversationEvent[], string][] = [
    [[{ type: 'data', direction: 'client-to-server', timestampUs: T, data: bytes(1) }], 'events.0'],
    [
      [
        { type: 'connect', timestampUs: T },
        { type: 'connect', timestampUs: T },
      ],
      'events.1',
    ],
    [
      [
        { type: 'connect', timestampUs: T },
        { type: 'close', direction: 'client-to-server', timestampUs: T - 1 },
      ],
      'events.1',
    ],
    [
      [
        { type: 'connect', timestampUs: T },
        { type: 'close', direction: 'server-to-client', timestampUs: T },
        { type: 'data', direction: 'server-to-client', timestampUs: T, data: bytes(1) },
      ],
      'events.2',
    ],
    [
      [
        { type: 'refused', timestampUs: T },
        { type: 'reset', direction: 'server-to-client', timestampUs: T },
      ],
      'events.1',
    ],
  ];
  for (const [events, option] of bad)
    assert.throws(
      () => synthesizeConversation({ client, server, events }),
      (e) => isLabError(e, 'ERR_OPTIONS_INVALID') && e.details.option === option,
      option,
    );
  assert.throws(
    () => synthesizeConversation({ client: { ip: '10.0.0.300', port: 1 }, server, events: [] }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => synthesizeConversation({ client, server, events: [], windw: 1 } as Conversation),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
});
