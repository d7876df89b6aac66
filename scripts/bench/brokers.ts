// The three brokers under test, each a separate process with the same mTLS material: Mosquitto and
// ours read the very same mosquitto.conf; Aedes runs in scripts/bench/aedes-server.ts.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canConnect } from '../../test/helpers/brokers.js';
import { freePort } from '../../test/helpers/process.js';
import { killHard, sleep, track } from './util.js';

export const BROKERS = ['mosquitto', 'aedes', 'ours'] as const;
export type BrokerName = (typeof BROKERS)[number];

export const MOSQUITTO = '/usr/sbin/mosquitto';
const ROOT = join(import.meta.dirname, '..', '..');
const OUR_BIN = join(ROOT, 'bin', 'mqtts-lab.js');
const AEDES_SERVER = join(import.meta.dirname, 'aedes-server.ts');

export interface ServerTls {
  readonly cafile: string;
  readonly cert: string;
  readonly key: string;
}

export interface BrokerSettings {
  /** set_tcp_nodelay on Mosquitto/ours, noDelay on the Aedes server. */
  readonly nodelay: boolean;
}

/**
 * The one configuration for Mosquitto and ours. Limits (why each is set):
 * - max_inflight_messages 1000: QoS 1 messages in flight towards each subscriber (default 20);
 *   matches the publisher's window so neither side is throttled by a window of 20.
 * - max_queued_messages 1000000: above any run's message count. The default (1000) also applies
 *   to QoS 0 in 2.0 for connected clients: a subscriber 1000 messages behind loses the rest.
 * - user root (only when run as root): otherwise Mosquitto drops to user `mosquitto`, which cannot
 *   read the per-run keys (mode 0600 in a 0700 directory).
 */
export function mosquittoConf(tls: ServerTls, port: number, s: BrokerSettings): string {
  return [
    '# written by scripts/bench-broker.ts, read by Mosquitto and by mqtts-lab',
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'max_inflight_messages 1000',
    'max_queued_messages 1000000',
    `set_tcp_nodelay ${s.nodelay}`,
    `listener ${port} 127.0.0.1`,
    `cafile ${tls.cafile}`,
    `certfile ${tls.cert}`,
    `keyfile ${tls.key}`,
    'require_certificate true',
    'use_identity_as_username true',
    '',
  ].join('\n');
}

/** Why a broker cannot run here, or null when it can. */
export function unavailable(name: BrokerName): string | null {
  if (name === 'mosquitto') return existsSync(MOSQUITTO) ? null : `${MOSQUITTO} not installed`;
  if (name === 'aedes') return existsSync(join(ROOT, 'node_modules', 'aedes')) ? null : 'aedes not installed';
  // Commander answers `broker --help` with the top-level help (exit 0) while there is no broker
  // command: only a usage line of the broker command itself counts.
  const r = spawnSync(process.execPath, [OUR_BIN, 'broker', '--help'], { encoding: 'utf8', timeout: 15_000 });
  const ok = r.status === 0 && /^Usage: mqtts-lab broker\b/m.test(r.stdout);
  return ok ? null : '`mqtts-lab broker` not available yet';
}

export interface RunningBroker {
  readonly name: BrokerName;
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resident set size of the broker process and its descendants, KiB. */
  rssKiB(): number;
  /** CPU time (user + system) used so far by the broker process and its descendants, seconds. */
  cpuSeconds(): number;
  log(): string;
  stop(): Promise<void>;
}

/** Spawn a broker on a free port with the shared conf and wait until the port accepts TCP. */
export async function startBroker(
  name: BrokerName,
  dir: string,
  tls: ServerTls,
  s: BrokerSettings,
): Promise<RunningBroker> {
  const port = await freePort();
  const conf = join(dir, `${name}-${port}.conf`);
  writeFileSync(conf, mosquittoConf(tls, port, s));
  const [cmd, args] = command(name, conf, tls, port, s);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString('utf8')).slice(-16_384);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', (e) => keep(Buffer.from(String(e))));
  const broker: RunningBroker = {
    name,
    pid: child.pid ?? -1,
    port,
    child,
    rssKiB: () => treeRss(child.pid ?? -1),
    cpuSeconds: () => treeCpu(child.pid ?? -1),
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      killHard(child);
    },
  };
  try {
    await waitForPort(port, child, () => log, 20_000);
  } catch (e) {
    await broker.stop();
    throw e;
  }
  return broker;
}

function command(
  name: BrokerName,
  conf: string,
  tls: ServerTls,
  port: number,
  s: BrokerSettings,
): [string, string[]] {
  if (name === 'mosquitto') return [MOSQUITTO, ['-c', conf]];
  if (name === 'ours') return [process.execPath, [OUR_BIN, 'broker', '-c', conf]];
  const tlsArgs = ['--cafile', tls.cafile, '--cert', tls.cert, '--key', tls.key];
  const nodelay = s.nodelay ? ['--nodelay'] : [];
  // node --import tsx runs the TypeScript server in this very process (the tsx CLI would add a
  // wrapper process, whose RSS is not the broker's).
  return [
    process.execPath,
    ['--import', 'tsx', AEDES_SERVER, '--port', String(port), ...tlsArgs, ...nodelay],
  ];
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before listening: ${log().trim()}`);
    }
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
    await sleep(25);
  }
}

/** VmRSS of `pid` plus every descendant (a broker that forks workers is measured whole), KiB. */
export function treeRss(pid: number): number {
  return sumTree(pid, (p) => {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  });
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of `pid` and its descendants (fields 14 and 15 of /proc/pid/stat), seconds. */
export function treeCpu(pid: number): number {
  return sumTree(pid, (p) => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  });
}

function sumTree(pid: number, of: (pid: number) => number): number {
  let total = 0;
  try {
    total += of(pid);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const kid of kids ? kids.split(/\s+/) : []) total += sumTree(Number(kid), of);
    }
  } catch {
    // the process is gone
  }
  return total;
}
