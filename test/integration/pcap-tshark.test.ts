// tshark as the independent oracle for the capture layer: it must read our pcap and pcapng
// without error, find every checksum right and no TCP analysis warning, dissect the MQTT and the
// TLS inside, and reassemble every stream to the bytes our reassembler finds. editcap rewrites our
// files in its own writers' hands, and our reader must read those back to the same packets.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  type CapturedPacket,
  encodePcap,
  encodePcapng,
  type PacketToWrite,
  readCapture,
  synthesizeConversation,
  synthesizeConversations,
  tcpSegments,
} from '../../src/wire/pcap/index.js';
import { reassembleTcp } from '../../src/wire/tcp/index.js';
import { join } from '../helpers/openssl.js';
import { mqttConversation, READING, tlsThroughRelay } from './pcap/conversations.js';
import { fields, followRaw, requireWiresharkTools, run } from './pcap/tshark.js';

const MQTT_CONNECT = 1;
const MQTT_CONNACK = 2;
const MQTT_PUBLISH = 3;
const MQTT_PUBACK = 4;
const MQTT_DISCONNECT = 14;
/** Wireshark expert severities (epan/proto.h): PI_WARN and above mean something is wrong. */
const PI_WARN = 0x00600000;

let dir = '';
const files = { pcap: '', pcapng: '', disordered: '' };
let frames: PacketToWrite[] = [];

before(async () => {
  requireWiresharkTools();
  dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-pcap-tshark-'));
  const tls = await tlsThroughRelay(dir);
  const t0 = Math.floor(Date.now() / 1000) * 1_000_000 - 60_000_000; // a minute before the TLS run
  frames = synthesizeConversations([mqttConversation(t0), ...tls]);
  files.pcap = join(dir, 'lab.pcap');
  files.pcapng = join(dir, 'lab.pcapng');
  writeFileSync(files.pcap, encodePcap(frames));
  writeFileSync(files.pcapng, encodePcapng(frames));
  // The same MQTT conversation, damaged: two segments of the big PUBLISH swapped, one sent twice.
  const damaged = synthesizeConversation(mqttConversation(t0));
  const big = damaged.findIndex((f) => f.data.length === 14 + 20 + 20 + 1460);
  [damaged[big], damaged[big + 1]] = [damaged[big + 1]!, damaged[big]!];
  damaged.splice(big + 3, 0, damaged[big]!);
  files.disordered = join(dir, 'disordered.pcap');
  writeFileSync(files.disordered, encodePcap(damaged.map((f, i) => ({ ...f, timestampUs: t0 + i }))));
});
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const FIELDS = [
  'frame.number',
  'ip.checksum.status',
  'tcp.checksum.status',
  'tcp.analysis.flags',
  '_ws.expert.severity',
  'tcp.stream',
  'tcp.srcport',
  'tcp.dstport',
  'mqtt.msgtype',
  'mqtt.topic',
  'mqtt.ver',
  'mqtt.msg',
  'tls.handshake.type',
  'tls.record.content_type',
  'tls.record.opaque_type',
  'frame.comment',
  'frame.interface_name',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

/** One tshark run per file, every field at once (tshark starts slowly); rows keyed by field name. */
const dissected = new Map<string, Row[]>();
function dissect(file: string): Row[] {
  let rows = dissected.get(file);
  if (rows === undefined) {
    rows = fields(file, FIELDS).map(
      (cells) => Object.fromEntries(FIELDS.map((f, i) => [f, cells[i] ?? ''])) as Row,
    );
    dissected.set(file, rows);
  }
  return rows;
}
const list = (cell: string) => cell.split(',').filter((x) => x !== '');

for (const format of ['pcap', 'pcapng'] as const) {
  test(`${format}: tshark reads every frame; IP and TCP checksums good; no TCP analysis flag, no warning`, () => {
    const rows = dissect(files[format]);
    assert.equal(rows.length, frames.length);
    for (const r of rows) {
      const n = r['frame.number'];
      // checksum.status: 0 bad, 1 good, 2 unverified.
      assert.equal(r['ip.checksum.status'], '1', `frame ${n}: IPv4 checksum`);
      assert.equal(r['tcp.checksum.status'], '1', `frame ${n}: TCP checksum`);
      assert.equal(r['tcp.analysis.flags'], '', `frame ${n}: tcp.analysis.flags`);
      for (const s of list(r['_ws.expert.severity']))
        assert.ok(Number(s) < PI_WARN, `frame ${n}: expert severity ${s}`);
    }
    assert.deepEqual(new Set(rows.map((r) => r['tcp.stream'])), new Set(['0', '1']), 'two TCP conversations');
  });

  test(`${format}: tshark dissects MQTT 3.1.1 on 1883 — CONNECT, CONNACK, PUBLISH m5go/env, PUBACK, DISCONNECT`, () => {
    const rows = dissect(files[format]).filter((r) => r['mqtt.msgtype'] !== '');
    assert.ok(rows.every((r) => r['tcp.dstport'] === '1883' || r['tcp.srcport'] === '1883'));
    assert.deepEqual(
      rows.flatMap((r) => list(r['mqtt.msgtype']).map(Number)),
      [MQTT_CONNECT, MQTT_CONNACK, MQTT_PUBLISH, MQTT_PUBACK, MQTT_PUBLISH, MQTT_DISCONNECT],
    );
    assert.equal(rows[0]!['mqtt.ver'], '4', 'protocol level 4 = MQTT 3.1.1');
    const publishes = rows.filter((r) => r['mqtt.msgtype'] === String(MQTT_PUBLISH));
    assert.deepEqual(
      publishes.map((r) => r['mqtt.topic']),
      ['m5go/env', 'm5go/env'],
    );
    const payload = (r: Row) => Buffer.from(r['mqtt.msg'].replace(/:/g, ''), 'hex');
    assert.equal(payload(publishes[0]!).toString(), READING);
    assert.equal(payload(publishes[1]!).length, 4000, 'the big PUBLISH reassembled across three segments');
    if (format === 'pcapng') {
      const commented = dissect(files.pcapng).filter((r) => r['frame.comment'] !== '');
      assert.deepEqual(
        commented.map((r) => [r['frame.comment'], r['mqtt.topic']]),
        [['ENV II reading', 'm5go/env']],
      );
      assert.ok(dissect(files.pcapng).every((r) => r['frame.interface_name'] === 'lab0'));
    }
  });

  test(`${format}: tshark sees the real TLS handshake on 8883 (ClientHello 1, ServerHello 2)`, () => {
    const rows = dissect(files[format]).filter(
      (r) => r['tcp.dstport'] === '8883' || r['tcp.srcport'] === '8883',
    );
    const types = rows.flatMap((r) => list(r['tls.handshake.type'])).map(Number);
    assert.deepEqual(types.slice(0, 2), [1, 2], `handshake types ${types.join(',')}`);
    const records = rows.flatMap((r) => [
      ...list(r['tls.record.content_type']),
      ...list(r['tls.record.opaque_type']),
    ]);
    assert.ok(records.includes('23'), 'application data records follow the handshake');
    assert.ok(
      rows.every((r) => r['mqtt.msgtype'] === ''),
      'the MQTT inside the tunnel is not visible',
    );
  });
}

test('our reassembly of every stream equals tshark follow,tcp,raw', () => {
  // pcap and pcapng hold the same frames (checked above and by editcap below): follow one of them.
  for (const file of [files.pcapng, files.disordered]) {
    const ours = reassembleTcp(tcpSegments(readCapture(readFileSync(file)).packets));
    const theirs = followRaw(
      file,
      ours.map((_, i) => i),
    );
    assert.equal(theirs.length, ours.length);
    ours.forEach((c, i) => {
      const t = theirs[i]!; // tshark numbers streams in order of first frame, as we order connections
      assert.equal(t.node0, `${c.client.ip}:${c.client.port}`);
      assert.equal(t.node1, `${c.server.ip}:${c.server.port}`);
      assert.deepEqual(Buffer.from(c.clientToServer.bytes), t.fromNode0, `${file} stream ${i} client→server`);
      assert.deepEqual(Buffer.from(c.serverToClient.bytes), t.fromNode1, `${file} stream ${i} server→client`);
      assert.deepEqual([c.clientToServer.gaps, c.serverToClient.gaps], [[], []]);
    });
  }
});

test('the clean-file check has teeth: tshark flags the disordered copy, and our reassembly counts the repeat', () => {
  const flagged = fields(
    files.disordered,
    ['frame.number'],
    'tcp.analysis.out_of_order || tcp.analysis.retransmission',
  );
  assert.ok(flagged.length >= 2, 'tshark saw the swapped and the repeated segment');
  const [conn] = reassembleTcp(tcpSegments(readCapture(readFileSync(files.disordered)).packets));
  assert.equal(conn!.clientToServer.retransmittedBytes, 1460);
  assert.equal(conn!.clientToServer.conflictingBytes, 0);
});

const summary = (packets: readonly CapturedPacket[]) =>
  packets.map(
    (p) => `${p.timestampUs} ${p.linkType} ${p.originalLength} ${Buffer.from(p.data).toString('hex')}`,
  );

test('our reader reads what editcap writes: pcap → pcapng, pcapng → pcap, pcapng → nanosecond pcap', () => {
  const expected = summary(readCapture(readFileSync(files.pcap)).packets);
  assert.equal(expected.length, frames.length);
  const conversions: [string, string, string, 'pcap' | 'pcapng'][] = [
    [files.pcap, 'pcapng', 'editcap.pcapng', 'pcapng'],
    [files.pcapng, 'pcap', 'editcap.pcap', 'pcap'],
    [files.pcapng, 'nsecpcap', 'editcap-ns.pcap', 'pcap'],
  ];
  for (const [from, type, name, format] of conversions) {
    const out = join(dir, name);
    run('editcap', ['-F', type, from, out]);
    const c = readCapture(readFileSync(out));
    assert.equal(c.format, format, name);
    assert.deepEqual(summary(c.packets), expected, name);
    if (type === 'nsecpcap') assert.equal(c.interfaces[0]!.unitsPerSecond, 1_000_000_000n);
  }
  // editcap keeps our pcapng comment: its SHB/IDB/EPB options parse too.
  const back = readCapture(readFileSync(join(dir, 'editcap.pcapng')));
  assert.equal(back.interfaces.length, 1);
  run('editcap', ['-a', '3:from editcap', files.pcapng, join(dir, 'commented.pcapng')]);
  const commented = readCapture(readFileSync(join(dir, 'commented.pcapng')));
  assert.deepEqual(
    commented.packets.flatMap((p, i) => (p.comment === undefined ? [] : [[i + 1, p.comment]])),
    [
      [3, 'from editcap'],
      [frames.findIndex((f) => f.comment !== undefined) + 1, 'ENV II reading'],
    ].sort((a, b) => (a[0] as number) - (b[0] as number)),
  );
});
