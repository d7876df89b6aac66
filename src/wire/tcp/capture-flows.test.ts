// scanFlows against the object path it replaces for whole files (readCapture → decodeTcpFrame per
// frame → reassembleTcp): the same connections, byte for byte, the same frame counts and the same
// errors, on synthesized captures and thousands of mutations of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../test/helpers/prng.js';
import { isLabError } from '../../core/errors.js';
import { type Conversation, synthesizeConversations } from '../pcap/frames/synthesize.js';
import { decodeTcpFrame, type TcpSegment } from '../pcap/frames/decode.js';
import { encodePcap } from '../pcap/pcap-writer.js';
import { encodePcapng } from '../pcap/pcapng-writer.js';
import { readCapture } from '../pcap/read-capture.js';
import { buildAll, scanFlows } from './capture-flows.js';
import { reassembleTcp } from './reassemble.js';

const T = 1_700_000_000_000_000;
const fill = (n: number, b: number) => new Uint8Array(n).fill(b);

function conversation(i: number, port: number): Conversation {
  return {
    client: { ip: `10.0.0.${2 + i}`, port: 50000 + i },
    server: { ip: '10.0.0.1', port },
    mss: 120 + 40 * i,
    events: [
      { type: 'connect', timestampUs: T + i },
      { type: 'data', direction: 'client-to-server', timestampUs: T + 10 + i, data: fill(450 + i, 0x10 + i) },
      { type: 'data', direction: 'server-to-client', timestampUs: T + 20 + i, data: fill(90, 0x20 + i) },
      { type: 'data', direction: 'client-to-server', timestampUs: T + 30 + i, data: fill(700, 0x30 + i) },
      { type: 'close', direction: 'client-to-server', timestampUs: T + 40 + i },
      i % 2 === 0
        ? { type: 'close', direction: 'server-to-client', timestampUs: T + 41 + i }
        : { type: 'reset', direction: 'server-to-client', timestampUs: T + 41 + i },
    ],
  };
}

/** Frames of three connections, mixed by time, and one refused connect. */
function frames() {
  return synthesizeConversations([
    conversation(0, 1883),
    conversation(1, 8883),
    conversation(2, 1883),
    {
      client: { ip: '10.0.0.9', port: 50009 },
      server: { ip: '10.0.0.1', port: 1883 },
      events: [{ type: 'refused', timestampUs: T + 5 }],
    },
  ]);
}

/** The object path: what analyzeCapture did before scanFlows. */
function reference(bytes: Uint8Array) {
  const capture = readCapture(bytes);
  const segments: TcpSegment[] = [];
  const skipped = { other: 0, malformed: 0, unsupported: 0 };
  let first: string | undefined;
  capture.packets.forEach((p, i) => {
    try {
      const s = decodeTcpFrame(p, i);
      if (s === null) skipped.other++;
      else segments.push(s);
    } catch (err) {
      assert.ok(isLabError(err), String(err));
      first ??= `${err.code}: ${err.message}`;
      skipped[err.code === 'ERR_PCAP_MALFORMED' ? 'malformed' : 'unsupported']++;
    }
  });
  return {
    format: capture.format,
    packets: capture.packets.length,
    tcpSegments: segments.length,
    skipped,
    first,
    connections: reassembleTcp(segments, { maxStreamBytes: 1000 }),
  };
}

function scanned(bytes: Uint8Array) {
  const f = scanFlows(bytes);
  return {
    format: f.format,
    packets: f.packets,
    tcpSegments: f.tcpSegments,
    skipped: { ...f.skipped },
    first: f.firstError && `${f.firstError.code}: ${f.firstError.message}`,
    connections: buildAll(f, 1000),
  };
}

function outcome(f: (b: Uint8Array) => unknown, bytes: Uint8Array): unknown {
  try {
    return f(bytes);
  } catch (err) {
    assert.ok(isLabError(err), String(err));
    return `${err.code}: ${err.message}`;
  }
}

/** Records of a classic little-endian pcap file, to shuffle, repeat, drop and damage. */
function records(file: Uint8Array): { header: Uint8Array; recs: Uint8Array[] } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const recs: Uint8Array[] = [];
  for (let at = 24; at + 16 <= file.length; at += 16 + v.getUint32(at + 8, true))
    recs.push(file.subarray(at, at + 16 + v.getUint32(at + 8, true)));
  return { header: file.subarray(0, 24), recs };
}

const join = (parts: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

function mutate(rnd: () => number, file: Uint8Array): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const { header, recs } = records(file);
  const r = [...recs];
  for (let n = 1 + pick(4); n > 0; n--) {
    const j = pick(r.length);
    switch (pick(5)) {
      case 0: // out of order
        if (j + 1 < r.length) [r[j], r[j + 1]] = [r[j + 1]!, r[j]!];
        break;
      case 1: {
        // a retransmission, sometimes with a byte that differs
        const copy = new Uint8Array(r[j]!);
        if (rnd() < 0.5) copy[copy.length - 1]! ^= 0x5a;
        r.splice(j + 1 + pick(3), 0, copy);
        break;
      }
      case 2: // a lost frame
        r.splice(j, 1);
        break;
      case 3: {
        // a damaged header byte
        const copy = new Uint8Array(r[j]!);
        copy[16 + pick(Math.min(copy.length - 16, 60))] = pick(256);
        r[j] = copy;
        break;
      }
      default: {
        // cut by the snap length: captured length shortened, original kept
        const cut = pick(r[j]!.length - 16);
        const copy = new Uint8Array(r[j]!.subarray(0, 16 + cut));
        new DataView(copy.buffer).setUint32(8, cut, true);
        r[j] = copy;
      }
    }
  }
  const out = join([header, ...r]);
  return rnd() < 0.1 ? out.subarray(0, pick(out.length)) : out;
}

test('scanFlows: the connections, counts and notes of readCapture → decodeTcpFrame → reassembleTcp', () => {
  const f = frames();
  const raw = f.map((x) => ({ ...x, data: x.data.subarray(14) }));
  for (const file of [
    encodePcap(f),
    encodePcapng(f.map((x, i) => (i % 3 === 0 ? { ...x, comment: `frame ${i}` } : x))),
    encodePcap(raw, { linkType: 101 }),
    encodePcapng(raw, { linkType: 228, tsResolution: 9 }),
  ]) {
    const expected = reference(file);
    assert.ok(expected.connections.length === 4 && expected.tcpSegments > 20);
    assert.deepEqual(scanned(file), expected);
  }
});

test('scanFlows: 3,000 mutated captures (reordered, repeated, lost, damaged, cut frames; truncated files) read as the object path reads them', () => {
  const rnd = mulberry32(0x5ca7);
  const seed = encodePcap(frames());
  const seen = { errors: 0, damagedFrames: 0, gaps: 0, conflicts: 0 };
  for (let i = 0; i < 3000; i++) {
    const file = mutate(rnd, seed);
    const expected = outcome(reference, file);
    assert.deepEqual(outcome(scanned, file), expected, `case ${i}`);
    if (typeof expected === 'string') seen.errors++;
    else {
      const e = expected as ReturnType<typeof reference>;
      if (e.first !== undefined) seen.damagedFrames++;
      for (const c of e.connections) {
        if (c.clientToServer.gaps.length + c.serverToClient.gaps.length > 0) seen.gaps++;
        if (c.clientToServer.conflictingBytes + c.serverToClient.conflictingBytes > 0) seen.conflicts++;
      }
    }
  }
  // The cases reach every path: files refused, frames skipped, holes and rewritten bytes.
  for (const [k, n] of Object.entries(seen)) assert.ok(n > 20, `${k}: ${n}`);
});
