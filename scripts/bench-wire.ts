// Wire benchmark: one synthesized capture of the lab's traffic (scripts/bench/wire-capture.ts),
// dissected by analyzeCaptureFile and by tshark, side by side in one run. Ours runs in a child process,
// so its peak RSS is its own. Counts from the generator, from our analysis and from tshark's fields
// show that both did the same work; a difference fails the run. Markdown table on stdout, JSON in
// scratch/bench-wire.json.
//
//   npm run bench:wire -- [--size MB] [--format pcap|pcapng] [--seed N] [--rounds N] [--keep] [--quick]
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { analyzeCaptureFile } from '../src/wire/analyze/index.js';
import { DEFAULT_MAX_STREAM_BYTES } from '../src/wire/tcp/index.js';
import { medianBy } from './bench/util.js';
import { type Counts, generateCapture, MAX_PUBLISHES, zeroCounts } from './bench/wire-capture.js';

const HELP = `Usage: npm run bench:wire -- [--size MB] [--format pcap|pcapng] [--seed N] [--rounds N] [--keep] [--quick]

Generates a capture of plaintext MQTT 3.1.1/5.0 and mutual-TLS 1.2/1.3 connections, then times
analyzeCaptureFile (the file read and analyzed, in a child process) and tshark on it, one after the other in each
round, and compares what each found. The ratio is of the two readers' median rounds.

  --size MB     capture size in MB of 10^6 bytes (default 200)
  --format F    pcap (default) or pcapng
  --seed N      generator seed (default 1): the same seed and size give the same file
  --rounds N    rounds of (ours, tshark) on the file (default 3, 1–9)
  --keep        keep the capture (its path is printed) instead of deleting it
  --quick       an 8 MB capture, one round: a smoke test of the harness, not a measurement

Examples:
  npm run bench:wire
  npm run bench:wire -- --format pcapng --keep
  npm run bench:wire -- --quick`;

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'scratch', 'bench-wire.json');
const MB = 1e6;
/** tshark's work: the fields our analysis also reads, for every frame. */
const TSHARK_FIELDS = [
  'frame.number',
  'tcp.stream',
  'tls.record.content_type',
  'tls.record.length',
  'mqtt.msgtype',
  'mqtt.topic',
  'mqtt.msg',
];

interface Options {
  readonly size: number;
  readonly format: 'pcap' | 'pcapng';
  readonly seed: number;
  readonly rounds: number;
  readonly keep: boolean;
  readonly quick: boolean;
  /** Internal: the child process that runs analyzeCaptureFile on this file. */
  readonly measure?: string;
}

const FLAGS = {
  size: { type: 'string' },
  format: { type: 'string', default: 'pcap' },
  seed: { type: 'string', default: '1' },
  rounds: { type: 'string' },
  keep: { type: 'boolean', default: false },
  quick: { type: 'boolean', default: false },
  measure: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function options(): Options {
  const fail = (why: string, code = 'ERR_OPTIONS_INVALID'): never => {
    console.error(`${code}: ${why}\n\n${HELP}`);
    process.exit(2);
  };
  let values: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>['values'];
  try {
    values = parseArgs({ options: FLAGS, strict: true }).values;
  } catch (err) {
    const e = err as Error & { code?: string };
    return fail(e.message, e.code);
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  if (values.quick && values.size !== undefined) fail('--quick and --size are exclusive');
  const size = Number(values.size ?? (values.quick ? 8 : 200));
  if (!(size >= 1 && size <= 1500)) fail(`--size must be 1–1500 (MB), got "${values.size}"`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    fail(`--seed must be a non-negative integer, got "${values.seed}"`);
  if (values.quick && values.rounds !== undefined) fail('--quick and --rounds are exclusive');
  const rounds = Number(values.rounds ?? (values.quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 9)
    fail(`--rounds must be an integer 1–9, got "${values.rounds}"`);
  const format = values.format;
  if (format !== 'pcap' && format !== 'pcapng')
    return fail(`--format must be pcap or pcapng, got "${format}"`);
  const measure = values.measure === undefined ? {} : { measure: values.measure };
  return { size, format, seed, rounds, keep: values.keep, quick: values.quick, ...measure };
}

// ---------------------------------------------------------------------------------------------
// Ours: the child reads and analyzes the file with the default options, as `capture analyze`.

interface OursResult {
  /** analyzeCaptureFile, from the call to the analysis: the file is read while it is scanned. */
  readonly seconds: number;
  /** CPU time of the process over those seconds (its collector's threads and reads included). */
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
  readonly counts: Counts;
  /** PUBLISH packets and filters counted but not listed (maxMessages): 0 when all were compared. */
  readonly omitted: number;
  readonly notes: number;
}

async function measureOurs(file: string): Promise<OursResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const a = await analyzeCaptureFile(file);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const c: Counts = {
    ...zeroCounts(),
    frames: a.packets,
    connections: a.connections.length,
    appDataRecords: 0,
  };
  const topics = new Set<string>();
  let omitted = 0;
  let notes = a.notes.length;
  for (const conn of a.connections) {
    notes += conn.notes.length;
    if (conn.mqtt) {
      const m = conn.mqtt;
      for (const n of [...Object.values(m.packets.c2s), ...Object.values(m.packets.s2c)]) c.mqttPackets += n;
      c.publishes += (m.packets.c2s.publish ?? 0) + (m.packets.s2c.publish ?? 0);
      for (const p of m.publishes) {
        c.publishPayloadBytes += p.payload.bytes;
        topics.add(p.topic);
      }
      for (const s of m.subscriptions) topics.add(s.filter);
      omitted += m.omittedMessages;
    }
    if (conn.tls && conn.traffic) {
      const records = conn.tls.records.c2s + conn.tls.records.s2c;
      c.tlsRecords += records;
      // Each record is a 5-byte header and its length field's bytes (RFC 5246 §6.2.1).
      c.tlsRecordBytes += conn.bytes.c2s + conn.bytes.s2c - 5 * records;
      const r = conn.traffic;
      c.appDataRecords! +=
        r.records.c2s.length + r.records.s2c.length + r.omittedRecords.c2s + r.omittedRecords.s2c;
    }
  }
  c.distinctTopics = topics.size;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMB,
    counts: c,
    omitted,
    notes,
  };
}

async function runOurs(file: string): Promise<OursResult & { processSeconds: number }> {
  const t0 = performance.now();
  const args = [...process.execArgv, process.argv[1]!, '--measure', file];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the analyzeCaptureFile child exited with ${code}`);
  return { ...(JSON.parse(out) as OursResult), processSeconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// tshark: the same file, the fields above. Its output is counted here as it streams (on the other
// core); its peak RSS is the last VmHWM read from /proc before it exits.

interface TsharkResult {
  readonly seconds: number;
  readonly maxRssMB: number;
  readonly counts: Counts;
  readonly args: readonly string[];
  readonly version: string;
}

async function runTshark(file: string): Promise<TsharkResult> {
  const args = ['-r', file, '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
  const c = zeroCounts();
  const topics = new Set<string>();
  // -T fields: one line per frame, tab between fields, a comma between a field's occurrences.
  const values = (cell: string | undefined) => (cell ? cell.split(',') : []);
  const t0 = performance.now();
  const child = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let hwm = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]));
    } catch {
      // it exited between two polls
    }
  }, 100);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  let streams = 0;
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    if (line === '') continue;
    const [, stream, , lengths, types, topic, msg] = line.split('\t');
    c.frames++;
    if (stream) streams = Math.max(streams, Number(stream) + 1);
    for (const n of values(lengths)) {
      c.tlsRecords++;
      c.tlsRecordBytes += Number(n);
    }
    for (const type of values(types)) {
      c.mqttPackets++;
      if (type === '3') c.publishes++; // MQTT 3.1.1 §2.2.1: PUBLISH
    }
    for (const x of values(topic)) topics.add(x);
    for (const hex of values(msg)) c.publishPayloadBytes += hex.length / 2;
  }
  const code = await exit;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(poll);
  if (code !== 0) throw new Error(`tshark exited with ${code}: ${stderr.trim()}`);
  c.connections = streams;
  c.distinctTopics = topics.size;
  const version = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '?';
  return { seconds, maxRssMB: hwm / 1024, counts: c, args, version };
}

// ---------------------------------------------------------------------------------------------

const COUNTS: readonly (readonly [keyof Counts, string])[] = [
  ['frames', 'frames'],
  ['connections', 'TCP connections'],
  ['mqttPackets', 'MQTT packets (plaintext)'],
  ['publishes', 'PUBLISH packets'],
  ['publishPayloadBytes', 'PUBLISH payload bytes'],
  ['distinctTopics', 'distinct topics and filters'],
  ['tlsRecords', 'TLS records'],
  ['tlsRecordBytes', 'TLS record bytes (length fields)'],
  ['appDataRecords', 'TLS type-23 records'],
];

async function main(): Promise<void> {
  const o = options();
  if (o.measure !== undefined) {
    process.stdout.write(JSON.stringify(await measureOurs(o.measure)));
    return;
  }
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'bench-wire-'));
  const file = join(dir, `capture.${o.format}`);
  process.once('exit', () => {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  log(`generating ${o.size} MB (${o.format}, seed ${o.seed}) …`);
  const gen = await generateCapture({ path: file, bytes: o.size * MB, format: o.format, seed: o.seed });
  const e = gen.expected;
  log(`  ${e.frames} frames, ${e.connections} connections in ${gen.seconds.toFixed(1)} s`);
  // The file was just written: its dirty pages go to disk now, not while a reader is timed.
  const fd = openSync(file, 'r');
  fsyncSync(fd);
  closeSync(fd);
  const rounds: { ours: OursResult & { processSeconds: number }; tshark: TsharkResult }[] = [];
  for (let r = 1; r <= o.rounds; r++) {
    log(`round ${r}/${o.rounds}: mqtts-lab analyzeCaptureFile (child process) …`);
    const ours = await runOurs(file);
    log(`round ${r}/${o.rounds}: tshark -T fields ${TSHARK_FIELDS.map((f) => `-e ${f}`).join(' ')} …`);
    const tshark = await runTshark(file);
    log(`  ours ${ours.seconds.toFixed(2)} s, tshark ${tshark.seconds.toFixed(2)} s`);
    rounds.push({ ours, tshark });
  }
  const oursSecondsOf = (x: OursResult) => x.seconds;
  const ours = medianBy(
    rounds.map((x) => x.ours),
    oursSecondsOf,
  );
  const tshark = medianBy(
    rounds.map((x) => x.tshark),
    (x) => x.seconds,
  );

  const mb = gen.bytes / MB;
  const oursSeconds = oursSecondsOf(ours);
  const rate = { ours: mb / oursSeconds, oursProcess: mb / ours.processSeconds, tshark: mb / tshark.seconds };
  const ratio = rate.ours / rate.tshark;
  // Every round is checked, not only the median ones.
  const checks = COUNTS.map(([key, label]) => {
    const g = gen.expected[key];
    const [a, t] = [ours.counts[key], tshark.counts[key]];
    const ok = rounds.every((x) => x.ours.counts[key] === g && (x.tshark.counts[key] ?? g) === g);
    return { key, label, generated: g, ours: a, tshark: t, ok };
  });
  const n = (x: number | undefined) => (x === undefined ? '—' : x.toLocaleString('en-US'));
  const row = (what: string, s: number, r: number, rss: number) =>
    `| ${what} | ${s.toFixed(2)} | ${r.toFixed(1)} | ${rss.toFixed(0)} |`;
  const table = [
    '| reader | seconds | MB/s | peak RSS MB |',
    '|---|---:|---:|---:|',
    row(
      `mqtts-lab analyzeCaptureFile (read and analysis; CPU ${ours.cpuSeconds.toFixed(2)} s)`,
      oursSeconds,
      rate.ours,
      ours.maxRssMB,
    ),
    row(
      'mqtts-lab, whole child process (node + tsx start-up)',
      ours.processSeconds,
      rate.oursProcess,
      ours.maxRssMB,
    ),
    row('tshark -T fields, whole process', tshark.seconds, rate.tshark, tshark.maxRssMB),
    '',
    `**ratio ours/tshark (MB/s): ${ratio.toFixed(1)}×** (whole processes: ${(rate.oursProcess / rate.tshark).toFixed(1)}×; goal ≥ 10×)`,
    '',
    `Median of ${rounds.length} round${rounds.length === 1 ? '' : 's'}, each ours then tshark on the same file: ` +
      rounds
        .map(
          (x, i) =>
            `${i + 1}: ${oursSecondsOf(x.ours).toFixed(2)} s / ${x.tshark.seconds.toFixed(2)} s = ${(x.tshark.seconds / oursSecondsOf(x.ours)).toFixed(1)}×`,
        )
        .join('; '),
    '',
    '| count | generated | mqtts-lab | tshark | |',
    '|---|---:|---:|---:|---|',
    ...checks.map(
      (c) =>
        `| ${c.label} | ${n(c.generated)} | ${n(c.ours)} | ${n(c.tshark)} | ${c.ok ? 'same' : '**differs**'} |`,
    ),
  ];
  const m = gen.mix;
  const notes = [
    `File: ${o.format}, ${n(gen.bytes)} bytes (${mb.toFixed(1)} MB), seed ${o.seed}, generated in ${gen.seconds.toFixed(1)} s.`,
    `Mix: ${e.connections} connections to 127.0.0.1 — ${m.mqtt311} MQTT 3.1.1 and ${m.mqtt5} MQTT 5.0 in clear on :1883, ` +
      `${m.tls12} TLS 1.2 and ${m.tls13} TLS 1.3 with client certificates on :8883 (${m.tlsFailed} refused at the ` +
      'certificate). Devices publish JSON readings (70–100 B, accelerometer bursts of 0.3–5 KB) and, 2 % of the ' +
      'time, an 8–48 KB JPEG-like snapshot; dashboards receive them. QoS 0 and 1, keep-alives.',
    `Full work with analyzeCaptureFile's defaults: every direction is far below the ${DEFAULT_MAX_STREAM_BYTES / 2 ** 20} MiB ` +
      `reassembly limit, and every connection below ${MAX_PUBLISHES} PUBLISH packets, under maxMessages (1000), so ` +
      `each one is listed and compared (${ours.omitted} omitted, ${ours.notes} notes).`,
    `${tshark.version.replace(/\.$/, '')}: \`tshark ${tshark.args.join(' ')}\`; its default ports dissect :1883 as MQTT and :8883 as ` +
      "TLS, no decode-as needed. Its output is counted here as it streams; TLS 1.3's sealed records have no " +
      'content type in tshark, hence no type-23 count.',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; load average (1/5/15 min) ${loadBefore} at the start, ${loadavg()} at the end (this run included).`,
  ];
  console.log(table.join('\n'));
  console.log();
  for (const note of notes) console.log(`- ${note}`);
  if (o.keep) console.log(`\nCapture kept: ${file}`);
  const results = {
    date: new Date().toISOString(),
    mode: o.quick ? 'quick' : 'full',
    options: { size: o.size, format: o.format, seed: o.seed },
    file: { bytes: gen.bytes, generatedSeconds: gen.seconds, mix: gen.mix, ...(o.keep && { path: file }) },
    ours: { ...ours, seconds: oursSeconds, mbPerSecond: rate.ours, processMbPerSecond: rate.oursProcess },
    tshark: { ...tshark, mbPerSecond: rate.tshark },
    ratioOursToTshark: ratio,
    rounds: rounds.map((x) => ({
      oursSeconds: oursSecondsOf(x.ours),
      oursProcessSeconds: x.ours.processSeconds,
      tsharkSeconds: x.tshark.seconds,
      ratio: x.tshark.seconds / oursSecondsOf(x.ours),
    })),
    checks,
    notes,
  };
  mkdirSync(join(ROOT, 'scratch'), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nJSON: ${OUT}`);
  if (checks.some((c) => !c.ok)) {
    console.error('ERR_BENCH_COUNTS_DIFFER: the readers did not find the same traffic (table above)');
    process.exitCode = 1;
  }
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

await main();
