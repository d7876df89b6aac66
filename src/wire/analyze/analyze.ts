/**
 * The eavesdropper's view of a capture: read the file, reassemble TCP, and per connection say what
 * a passive observer learns — everything, for plaintext MQTT; the handshake, and sizes and times,
 * for TLS — each item with a verdict and the bytes it was read from.
 */
import { readFileStepwise, STEP_READ_BYTES } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import {
  buildAll,
  type CaptureFlows,
  type ConnectionBuilder,
  DEFAULT_MAX_STREAM_BYTES,
  scanFlows,
  steppedFlows,
  type TcpConnection,
} from '../tcp/index.js';
import { aeadOverhead, dissectTls } from '../tls/index.js';
import { KeyLog } from '../tls/keylog.js';
import { observation } from './bytes-view.js';
import { decryptedView } from './decrypted.js';
import { decodeMqtt } from './mqtt-decode.js';
import { observeMqtt } from './mqtt.js';
import { orderedStreams, type OrderedStreams } from './streams.js';
import { recordViews, tlsObservations, tlsView } from './tls.js';
import { analyzeTraffic, formatInterval, trafficObservations } from './traffic.js';
import type { AnalysisNote, CaptureAnalysis, ConnectionAnalysis, Observation } from './types.js';
import { connectionVerdict } from './verdict.js';

const schema = z.strictObject({
  /** PUBLISH packets and subscription filters listed per connection (the rest are counted). */
  maxMessages: z.number().int().min(0).max(1_000_000).default(1000),
  /** Encrypted records listed per direction (all of them are grouped). */
  maxRecords: z.number().int().min(0).max(10_000_000).default(10_000),
  /** Largest MQTT packet decoded; the decoder refuses a bigger one before buffering it. */
  maxPacketSize: z
    .number()
    .int()
    .min(2)
    .max(268_435_460)
    .default(16 * 1024 * 1024),
  /** Per direction of each connection, as reassembleTcp's option. */
  maxStreamBytes: z.number().int().min(0).max(0x7fffffff).default(DEFAULT_MAX_STREAM_BYTES),
  /** Session secrets (parseKeyLog): TLS connections they cover are decrypted into `decrypted`. */
  keyLog: z.instanceof(KeyLog).optional(),
});
export type AnalyzeOptions = z.input<typeof schema>;
type Options = z.output<typeof schema>;

/** Throws ERR_PCAP_MALFORMED / ERR_PCAP_UNSUPPORTED for a file the reader refuses; peer bytes never throw. */
export function analyzeCapture(bytes: Uint8Array, options: AnalyzeOptions = {}): CaptureAnalysis {
  const o = parseOptions(schema, options, 'analyzeCapture');
  return analyzeFlows(scanFlows(bytes), o);
}

/**
 * analyzeCapture of a file, the same analysis, read while its packets are scanned: a capture of
 * hundreds of megabytes is read in steps on libuv's threads while this one files the packets
 * already read under their connections. Also throws ERR_FS_* for a file that cannot be read.
 * `stepBytes` is the size of each read (the tests make it small to cut records anywhere).
 */
export async function analyzeCaptureFile(
  path: string,
  options: AnalyzeOptions = {},
  stepBytes = STEP_READ_BYTES,
): Promise<CaptureAnalysis> {
  const o = parseOptions(schema, options, 'analyzeCaptureFile');
  let scan: ReturnType<typeof steppedFlows> | undefined;
  let scanned: Uint8Array | undefined;
  const bytes = await readFileStepwise(
    path,
    (buffer, filled) => {
      if (scan === undefined) {
        scanned = buffer;
        scan = steppedFlows(buffer);
      }
      scan.advance(filled);
    },
    stepBytes,
  );
  // A file that shrank while it was read is scanned again as it was read, whole.
  const flows = scan !== undefined && scanned?.length === bytes.length ? scan.finish() : scanFlows(bytes);
  return analyzeFlows(flows, o);
}

function analyzeFlows(flows: CaptureFlows, o: Options): CaptureAnalysis {
  const notes = frameNotes(flows);
  const arena = streamArena(flows.connections, o.maxStreamBytes);
  const connections = flows.connections.map((c, i) =>
    analyzeTcpConnection(c.build(o.maxStreamBytes, arena()), i, o),
  );
  const decryptedConnections = connections.filter((c) => (c.decrypted?.records.decrypted ?? 0) > 0).length;
  return {
    kind: 'mqtts-lab.capture-analysis',
    version: 1,
    format: flows.format,
    packets: flows.packets,
    tcpSegments: flows.tcpSegments,
    connections,
    ...(o.keyLog && { keyLog: { sessions: o.keyLog.size, decryptedConnections } }),
    notes,
  };
}

/** The capture's TCP connections, reassembled (what a replay or a custom check reads). */
export function captureConnections(bytes: Uint8Array, options: AnalyzeOptions = {}): TcpConnection[] {
  const o = parseOptions(schema, options, 'captureConnections');
  const flows = scanFlows(bytes);
  frameNotes(flows);
  return buildAll(flows, o.maxStreamBytes);
}

/** One reassembled connection (e.g. from a live recording) through the same analysis. */
export function analyzeConnection(
  conn: TcpConnection,
  index: number,
  options: AnalyzeOptions = {},
): ConnectionAnalysis {
  return analyzeTcpConnection(conn, index, parseOptions(schema, options, 'analyzeConnection'));
}

/**
 * Connection by connection, the streams of each go in one buffer, the size of the largest
 * connection, overwritten by the next (the builder writes every byte, zeros where nothing was
 * captured): 200 MB of streams cost one allocation, not fresh pages (and the collections V8 runs
 * as array-buffer memory grows) for each connection. Safe because
 * nothing of an analysis keeps a view of stream bytes: every value taken from them is a number
 * or a string (analyze.test.ts checks it).
 */
function streamArena(
  connections: readonly ConnectionBuilder[],
  maxStreamBytes: number,
): () => (length: number) => Uint8Array {
  let largest = 0;
  for (const c of connections) largest = Math.max(largest, c.measure(maxStreamBytes));
  const buffer = new Uint8Array(largest);
  return () => {
    let at = 0;
    return (length) => {
      const view = buffer.subarray(at, at + length);
      at += length;
      return view;
    };
  };
}

/** One damaged frame is a note and the rest of the capture is still read; nothing readable throws. */
function frameNotes(flows: CaptureFlows): AnalysisNote[] {
  const { skipped, firstError: first } = flows;
  if (first && flows.tcpSegments === 0 && skipped.other === 0) throw first; // nothing readable at all
  const notes: AnalysisNote[] = [];
  if (skipped.other > 0) notes.push({ what: `${skipped.other} frames are not IPv4/TCP (skipped)` });
  const bad = skipped.malformed + skipped.unsupported;
  if (first && bad > 0)
    notes.push({
      what: `${bad} frames could not be decoded and were skipped (first: ${first.code}: ${first.message})`,
    });
  return notes;
}

function analyzeTcpConnection(conn: TcpConnection, index: number, o: Options): ConnectionAnalysis {
  const streams = orderedStreams(conn);
  const bytes = { c2s: conn.clientToServer.bytes.length, s2c: conn.serverToClient.bytes.length };
  const base = {
    index,
    client: conn.client,
    server: conn.server,
    startUs: conn.startUs,
    endUs: conn.endUs,
    bytes,
  };
  const tcp = tcpObservations(conn, bytes);
  if (bytes.c2s + bytes.s2c === 0) {
    return {
      ...base,
      protocol: 'empty',
      verdict: connectionVerdict('empty', bytes, undefined, undefined),
      observations: tcp,
      notes: streams.notes,
    };
  }
  const d = dissectTls(streams.chunks);
  if (d.tls) {
    const s = d.summary;
    const overhead = s.cipherSuite ? aeadOverhead(s.cipherSuite.code, s.version === '1.3') : undefined;
    const traffic = analyzeTraffic(recordViews(d, overhead), overhead, s.version === '1.3', o.maxRecords);
    const tls = tlsView(d, overhead);
    const notes = [
      ...streams.notes,
      ...d.malformed.map((m) => ({ direction: m.direction, offset: m.offset, what: `TLS: ${m.what}` })),
      ...(['c2s', 's2c'] as const)
        .filter((dir) => d.trailing[dir] > 0)
        .map((dir) => ({
          direction: dir,
          what: `stream ends inside a TLS record (${d.trailing[dir]} bytes)`,
        })),
    ];
    return {
      ...base,
      protocol: 'tls',
      verdict: connectionVerdict('tls', bytes, undefined, tls),
      observations: [...tcp, ...tlsObservations(d, tls, traffic), ...trafficObservations(traffic)],
      tls,
      traffic,
      ...(o.keyLog && {
        decrypted: decryptedView(d, streams.streams, o.keyLog, {
          maxPacketSize: o.maxPacketSize,
          maxMessages: o.maxMessages,
        }),
      }),
      notes,
    };
  }
  const decoding = decodeMqtt(streams, o.maxPacketSize);
  // Not one whole packet decoded: whatever this is, it is not MQTT the analysis can read.
  if (decoding.packets.length === 0)
    return unknownProtocol(base, tcp, streams, `not TLS (${d.reason}) and not MQTT`);
  const mqtt = observeMqtt(decoding, o.maxMessages);
  return {
    ...base,
    protocol: 'mqtt',
    verdict: connectionVerdict('mqtt', bytes, mqtt.view, undefined),
    observations: [...tcp, ...mqtt.observations],
    mqtt: mqtt.view,
    notes: [
      ...streams.notes,
      ...(mqtt.view.connect ? [] : [{ what: 'no CONNECT captured: packets decoded as MQTT 3.1.1' }]),
      ...decoding.notes,
      ...(mqtt.view.omittedMessages > 0
        ? [{ what: `${mqtt.view.omittedMessages} more messages not listed (limit ${o.maxMessages})` }]
        : []),
    ],
  };
}

function unknownProtocol(
  base: Omit<ConnectionAnalysis, 'protocol' | 'verdict' | 'observations' | 'notes'>,
  tcp: Observation[],
  streams: OrderedStreams,
  why: string,
): ConnectionAnalysis {
  const first = (['c2s', 's2c'] as const).flatMap((dir) => {
    const c = streams.chunks.find((x) => x.direction === dir);
    return c ? [{ direction: dir, timeUs: c.timestampUs, offset: c.offset, length: c.bytes.length }] : [];
  });
  const n = base.bytes.c2s + base.bytes.s2c;
  return {
    ...base,
    protocol: 'unknown',
    verdict: connectionVerdict('unknown', base.bytes, undefined, undefined),
    observations: [
      ...tcp,
      observation(
        'payload',
        'exposed',
        `${n} bytes in clear`,
        `${why}: unencrypted bytes anyone on the path reads`,
        first,
      ),
    ],
    notes: streams.notes,
  };
}

function tcpObservations(conn: TcpConnection, bytes: { c2s: number; s2c: number }): Observation[] {
  const ep = (e: { ip: string; port: number }) => `${e.ip}:${e.port}`;
  const start = new Date(Math.floor(conn.startUs / 1000)).toISOString();
  return [
    observation(
      'tcp.endpoints',
      'exposed',
      `${ep(conn.client)} → ${ep(conn.server)}`,
      conn.handshake
        ? 'client and server addresses and ports (the client sent the SYN)'
        : 'client and server addresses and ports (no SYN captured: the client is the higher port)',
    ),
    observation(
      'tcp.timing',
      'exposed',
      `${start}, ${formatInterval(Math.max(0, conn.endUs - conn.startUs))}`,
      'when the connection started, and how long it lasted',
    ),
    observation(
      'tcp.volume',
      'exposed',
      `c2s ${bytes.c2s} bytes, s2c ${bytes.s2c} bytes`,
      `bytes each way, in ${conn.segments} TCP segments`,
    ),
  ];
}
