// Codec benchmark: our MQTT decoder and encoder against mqtt-packet's parser and generate, for
// PUBLISH with a 64-byte payload at QoS 0 and QoS 1, MQTT 3.1.1 and 5.0, in one process. Decoding
// is fed 64 KB chunks, as a socket delivers them. Before timing, both decoders must read the input
// to the same packets and both encoders must write the same bytes, so neither wins with garbage.
//
//   npx tsx scripts/bench-codec.ts [--ms N] [--json]
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generate, type IPublishPacket, type Packet, parser } from 'mqtt-packet';
import { LabError } from '../src/core/errors.js';
import { MqttDecoder } from '../src/wire/mqtt/decoder.js';
import { encodePacket } from '../src/wire/mqtt/encoder.js';

const HELP = `Usage: npx tsx scripts/bench-codec.ts [--ms N] [--json]

  --ms N    time per run; each figure is the best of five runs (default 300)
  --json    print the results as JSON

Examples:
  npx tsx scripts/bench-codec.ts
  npx tsx scripts/bench-codec.ts --ms 2000 --json`;

const PACKETS = 10_000;
const ROUNDS = 5;
const CHUNK = 64 * 1024;

interface Row {
  readonly name: string;
  readonly decodeOurs: number;
  readonly decodeMqttPacket: number;
  readonly encodeOurs: number;
  readonly encodeMqttPacket: number;
}

function options(): { ms: number; json: boolean } {
  const { values } = parseArgs({
    options: {
      ms: { type: 'string', default: '300' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const ms = Number(values.ms);
  if (!Number.isInteger(ms) || ms < 1) {
    throw new LabError('ERR_OPTIONS_INVALID', `--ms must be a positive integer, got "${values.ms}"`, {
      details: { option: '--ms' },
    });
  }
  return { ms, json: values.json };
}

function publishes(qos: 0 | 1): IPublishPacket[] {
  const payload = Buffer.alloc(64, 0x5a);
  return Array.from({ length: PACKETS }, (_, i) => ({
    cmd: 'publish',
    topic: 'm5go/env',
    payload,
    qos,
    retain: false,
    dup: false,
    ...(qos > 0 ? { messageId: 1 + (i % 65_535) } : {}),
  }));
}

function chunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK) out.push(bytes.subarray(at, at + CHUNK));
  return out;
}

function decodeOurs(input: Buffer[], version: 4 | 5): Packet[] {
  const decoder = new MqttDecoder({ maxPacketSize: 1024 * 1024, protocolVersion: version });
  const out: Packet[] = [];
  for (const chunk of input) {
    const failure = decoder.push(chunk, (p) => out.push(p));
    if (failure) throw new Error(failure.message);
  }
  return out;
}

function decodeMqttPacket(input: Buffer[], version: 4 | 5): Packet[] {
  const p = parser({ protocolVersion: version });
  const out: Packet[] = [];
  p.on('packet', (packet) => out.push(packet));
  p.on('error', (e: Error) => {
    throw e;
  });
  for (const chunk of input) p.parse(chunk);
  return out;
}

/**
 * Packets per second of each run (each handles PACKETS packets), best of ROUNDS. The runs take
 * turns within a round, so load from other processes falls on all of them alike.
 */
function rates(runs: readonly (() => unknown)[], ms: number): number[] {
  for (const run of runs) run(); // warm up the JIT before any timing
  const best = runs.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    runs.forEach((run, i) => {
      let n = 0;
      let elapsed = 0;
      const start = performance.now();
      while (elapsed < ms) {
        run();
        n += PACKETS;
        elapsed = performance.now() - start;
      }
      best[i] = Math.max(best[i]!, (n / elapsed) * 1000);
    });
  }
  return best;
}

function measure(qos: 0 | 1, version: 4 | 5, ms: number): Row {
  const packets = publishes(qos);
  const opts = { protocolVersion: version };
  const bytes = Buffer.concat(packets.map((p) => generate(p, opts)));
  const input = chunks(bytes);
  // Same input, same meaning: mqtt-packet adds `length` (and nulls) that we do not.
  const fields = (p: Packet) => (p.cmd === 'publish' ? [p.topic, p.qos, p.messageId, p.payload.length] : []);
  assert.deepEqual(decodeOurs(input, version).map(fields), decodeMqttPacket(input, version).map(fields));
  assert.ok(Buffer.concat(packets.map((p) => encodePacket(p, version))).equals(bytes));
  const [decodeO, decodeM, encodeO, encodeM] = rates(
    [
      () => decodeOurs(input, version),
      () => decodeMqttPacket(input, version),
      () => packets.forEach((p) => encodePacket(p, version)),
      () => packets.forEach((p) => generate(p, opts)),
    ],
    ms,
  );
  return {
    name: `PUBLISH QoS ${qos} v${version === 4 ? '3.1.1' : '5.0'}`,
    decodeOurs: decodeO!,
    decodeMqttPacket: decodeM!,
    encodeOurs: encodeO!,
    encodeMqttPacket: encodeM!,
  };
}

function table(rows: readonly Row[]): string {
  const m = (r: number) => `${(r / 1e6).toFixed(2)} M/s`;
  const x = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
  const lines = [
    '| 64-byte payload       | decode ours | mqtt-packet | ratio | encode ours | generate  | ratio |',
    '|-----------------------|-------------|-------------|-------|-------------|-----------|-------|',
  ];
  for (const r of rows) {
    const cells = [
      r.name.padEnd(21),
      m(r.decodeOurs).padStart(11),
      m(r.decodeMqttPacket).padStart(11),
      x(r.decodeOurs, r.decodeMqttPacket).padStart(5),
      m(r.encodeOurs).padStart(11),
      m(r.encodeMqttPacket).padStart(9),
      x(r.encodeOurs, r.encodeMqttPacket).padStart(5),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const { ms, json } = options();
const rows: Row[] = [];
for (const version of [4, 5] as const) {
  for (const qos of [0, 1] as const) rows.push(measure(qos, version, ms));
}
if (json) console.log(JSON.stringify({ node: process.version, packets: PACKETS, rows }, null, 2));
else
  console.log(
    `Node ${process.version}, packets per second (M/s), ${PACKETS} packets a run\n\n${table(rows)}`,
  );
