// Broker benchmark: Mosquitto, Aedes and ours, each a separate process on 127.0.0.1 with the same
// per-run mTLS material, measured back to back on a fresh broker process per measurement:
// throughput (QoS 0/1, batching publisher and mosquitto_pub), fan-out, connection storm, memory per
// idle connection, latency. Markdown table on stdout, JSON in scratch/bench-broker.json.
//
//   npm run bench:broker -- [--quick] [--only mosquitto,aedes,ours] [--rows A,B,C,D,E,F]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTlsFixtures } from '../test/helpers/tls-fixtures.js';
import {
  BROKERS,
  type BrokerName,
  type RunningBroker,
  mosquittoConf,
  startBroker,
  unavailable,
} from './bench/brokers.js';
import { type Cell, type Results, errorCell, format, markdown } from './bench/report.js';
import { WARM_UP_MESSAGES } from './bench/idle.js';
import { LEAD } from './bench/throughput.js';
import { FULL, QUICK, ROW_IDS, type RowId, type Task, type TaskContext, tasks } from './bench/rows.js';
import { Scope, medianBy, nowMs, withTimeout } from './bench/util.js';
import { clientContext } from './bench/wire.js';

const HELP = `Usage: npm run bench:broker -- [--quick] [--only LIST] [--rows LIST] [--broker-nagle]

  --quick          smaller counts (a smoke test of the harness, not a measurement)
  --only LIST      brokers among mosquitto,aedes,ours (default: all; an unavailable one shows n/a)
  --rows LIST      rows among A,B,C,D,E,F (default: all)
  --broker-nagle   leave Nagle's algorithm on in the brokers (no set_tcp_nodelay / noDelay)`;

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'scratch', 'bench-broker.json');

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', default: BROKERS.join(',') },
      rows: { type: 'string', default: ROW_IDS.join(',') },
      'broker-nagle': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  return {
    quick: values.quick,
    brokers: list(values.only, BROKERS, '--only'),
    rows: list(values.rows.toUpperCase(), ROW_IDS, '--rows'),
    nodelay: !values['broker-nagle'],
  };
}

function list<T extends string>(text: string, allowed: readonly T[], flag: string): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length > 0 || items.length === 0) {
    console.error(`${flag}: expected some of ${allowed.join(',')}, got ${text}\n\n${HELP}`);
    process.exit(2);
  }
  return allowed.filter((a) => items.includes(a));
}

async function main(): Promise<void> {
  const started = nowMs();
  const loadBefore = loadavg();
  const opts = options();
  const scale = opts.quick ? QUICK : FULL;
  const dir = mkdtempSync(join(tmpdir(), 'bench-broker-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

  const fx = await makeTlsFixtures(dir);
  const p256 = { cafile: fx.cafile, cert: fx.client.cert, key: fx.client.key };
  const rsa = { cafile: fx.cafile, cert: fx.clientRsa.cert, key: fx.clientRsa.key };
  const serverTls = { cafile: fx.cafile, cert: fx.server.cert, key: fx.server.key };
  const contexts = { p256: clientContext(p256) };

  const notAvailable: Partial<Record<BrokerName, string>> = {};
  for (const b of opts.brokers) {
    const why = unavailable(b);
    if (why !== null) {
      notAvailable[b] = why;
      log(`${b}: n/a (${why})`);
    }
  }
  const runnable = opts.brokers.filter((b) => notAvailable[b] === undefined);
  const selected = tasks(scale).filter((t) => t.lines.some((l) => opts.rows.includes(l.row as RowId)));
  const lines = selected.flatMap((t) => t.lines);
  const cells: Results['cells'] = {};
  for (const l of lines) {
    cells[l.id] = {};
    for (const [b, why] of Object.entries(notAvailable))
      cells[l.id]![b as BrokerName] = { error: 'n/a', detail: why };
  }

  for (const task of selected) {
    // A task with rounds runs once per broker per round, brokers interleaved (mosquitto, aedes,
    // ours, mosquitto, …), so a burst of load from elsewhere on the machine hits each broker
    // alike; each line keeps the median round.
    const rounds = task.rounds ?? 1;
    const runs = new Map<BrokerName, Cell[][]>(runnable.map((b) => [b, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const b of runnable) {
        const measured = await runTask(task, b, { ...opts, dir, serverTls, p256, rsa, contexts, scale });
        runs.get(b)!.push(measured);
        const tag = rounds > 1 ? ` (round ${round}/${rounds})` : '';
        task.lines.forEach((l, i) => {
          const c = measured[i]!;
          if (c.error !== undefined) return;
          const loss = c.loss ? ` (lost ${c.loss})` : '';
          log(
            `${l.id} ${b}${tag}: ${format(c.value, l.unit)} ${l.unit}${loss} ${JSON.stringify(c.extra ?? {})}`,
          );
        });
      }
    }
    for (const [b, measured] of runs) {
      task.lines.forEach((l, i) => {
        cells[l.id]![b] = median(
          measured.map((m) => m[i]!),
          rounds,
        );
      });
    }
  }

  const results: Results = {
    startedAt: new Date(Date.now() - (nowMs() - started)).toISOString(),
    wallSeconds: Number(((nowMs() - started) / 1000).toFixed(1)),
    mode: opts.quick ? 'quick' : 'full',
    brokers: opts.brokers,
    unavailable: notAvailable,
    lines,
    cells,
    notes: [
      ...notes(scale, opts.nodelay),
      `Load average (1/5/15 min) at start ${loadBefore}, at end ${loadavg()}.`,
    ],
    conf: mosquittoConf(serverTls, 0, { nodelay: opts.nodelay }).replace('listener 0 ', 'listener PORT '),
  };
  console.log(markdown(results));
  console.log();
  for (const n of results.notes) console.log(`- ${n}`);
  console.log(`\nWall time: ${results.wallSeconds} s (${results.mode}). JSON: ${OUT}`);
  mkdirSync(join(ROOT, 'scratch'), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
}

interface RunSetup extends Omit<TaskContext, 'broker' | 'scope'> {
  readonly dir: string;
  readonly serverTls: { cafile: string; cert: string; key: string };
  readonly nodelay: boolean;
}

/** One measurement of `task` on a fresh `b` process: one Cell per line. */
async function runTask(task: Task, b: BrokerName, s: RunSetup): Promise<Cell[]> {
  const ids = task.lines.map((l) => l.id).join('+');
  const scope = new Scope();
  let broker: RunningBroker | undefined;
  let measured: Cell[];
  try {
    broker = await withTimeout(
      startBroker(b, s.dir, s.serverTls, { nodelay: s.nodelay }),
      30_000,
      `${b} to listen`,
    );
    const ctx: TaskContext = {
      broker,
      scope,
      p256: s.p256,
      rsa: s.rsa,
      contexts: s.contexts,
      scale: s.scale,
    };
    const cpu0 = broker.cpuSeconds();
    const self0 = process.cpuUsage();
    const t0 = nowMs();
    const measures = await withTimeout(task.run(ctx), task.timeoutMs, `${ids} on ${b}`);
    const self = process.cpuUsage(self0);
    const usage = {
      taskSeconds: round((nowMs() - t0) / 1000),
      brokerCpuSeconds: round(broker.cpuSeconds() - cpu0),
      harnessCpuSeconds: round((self.user + self.system) / 1e6),
    };
    measured = measures.map((m) => ({ ...m, extra: { ...m.extra, ...usage } }));
  } catch (e) {
    const cell = errorCell(e);
    measured = task.lines.map(() => cell);
    const tail = broker?.log().trim().split('\n').slice(-5).join('\n  ');
    log(`${ids} ${b}: ${(e as Error).message}${tail ? `\n  broker log: ${tail}` : ''}`);
  } finally {
    scope.close();
    await broker?.stop();
  }
  return task.lines.map((_, i) => measured[i] ?? { error: 'error', detail: 'no result' });
}

/** The median round of one line (an error if any round failed); every round's value in `extra`. */
function median(cells: Cell[], rounds: number): Cell {
  if (rounds === 1) return cells[0]!;
  const failed = cells.find((c) => c.error !== undefined);
  if (failed) return failed;
  const ok = cells as (Cell & { error?: undefined })[];
  const mid = medianBy(ok, (c) => c.value);
  const values = ok.map((c) => Number(c.value.toPrecision(4))).join(' ');
  return { ...mid, extra: { ...mid.extra, rounds: values } };
}

function notes(s: typeof FULL, nodelay: boolean): string[] {
  return [
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; brokers and load generator share it.`,
    'MQTT 3.1.1 everywhere (Aedes 1.2 refuses v5), TLS 1.3, server RSA-2048; a fresh broker process per measurement.',
    'Mosquitto and ours read one conf: max_inflight_messages 1000, max_queued_messages 1000000 (default 1000 ' +
      'also drops QoS 0 for a lagging subscriber), persistence false, log_type error+warning.',
    `QoS 1: the batching publisher keeps ≤ ${s.window} PUBLISH un-PUBACKed, = max_inflight_messages, which ` +
      'Mosquitto announces as Receive Maximum to v5 clients (v3.1.1 has none); mosquitto_pub -M ' +
      `${s.window}. The subscriber PUBACKs each received chunk in one write.`,
    `A2/B2: mosquitto_pub -l is fed at most ${LEAD.toLocaleString('en-US')} lines ahead of the subscriber ` +
      '(unbounded, it queues all of stdin and at QoS 1 quits early when its 16-bit message ids wrap).',
    'Load generator sockets set TCP_NODELAY (setNoDelay; mosquitto_pub --nodelay). Brokers: ' +
      (nodelay
        ? 'set_tcp_nodelay true (Mosquitto/ours), noDelay (Aedes).'
        : "Nagle left on (each broker's default)."),
    `D: ${s.stormWorkers} forked load-generator processes, ${s.stormConcurrency} handshakes in flight in all; full handshakes, no resumption.`,
    'E: VmRSS of the broker process and its descendants; Aedes runs as node --import tsx (loader in its base RSS only).',
    `E: each broker first carries the same ${WARM_UP_MESSAGES.toLocaleString('en-US')}-message QoS 0 burst (then closed), so the baseline is a broker ` +
      'that has seen traffic, not a cold process (a garbage-collected heap makes its young generation resident under load).',
    `F: publisher and subscriber in one process, hrtime in the payload; the first 2 s of traffic at the same rate are warm-up; ` +
      `${s.latencyRounds} rounds of ${s.latencySeconds} s, brokers interleaved, median round per line.`,
    'brokerCpuSeconds/harnessCpuSeconds in the JSON tell which side was busy; other processes on the ' +
      'machine compete for the same cores (see the load average).',
  ];
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const round = (x: number): number => Number(x.toFixed(2));

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

await main();
process.exit(0);
