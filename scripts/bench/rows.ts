// The benchmark's rows: what each measures, at which scale, under which time limit.
import type { SecureContext } from 'node:tls';
import type { RunningBroker } from './brokers.js';
import type { Env } from './clients.js';
import { idleRun } from './idle.js';
import { latencyRun } from './latency.js';
import { stormRun } from './storm.js';
import { type Measure, batchingRun, devicePubRun, fanoutRun } from './throughput.js';
import type { Scope } from './util.js';
import type { ClientIdentity } from './wire.js';

export const ROW_IDS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type RowId = (typeof ROW_IDS)[number];

export interface Line {
  readonly id: string;
  readonly row: RowId;
  readonly title: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
}

export interface Scale {
  readonly messages: number;
  readonly window: number;
  readonly fanoutSubscribers: number;
  readonly fanoutMessages: number;
  readonly stormConnections: number;
  readonly stormConcurrency: number;
  readonly stormWorkers: number;
  readonly idleConnections: number;
  readonly latencyRate: number;
  readonly latencySeconds: number;
  readonly latencyRounds: number;
}

export const FULL: Scale = {
  messages: 200_000,
  window: 1000,
  fanoutSubscribers: 50,
  fanoutMessages: 20_000,
  stormConnections: 500,
  stormConcurrency: 20,
  stormWorkers: 2,
  idleConnections: 2000,
  latencyRate: 2000,
  latencySeconds: 5,
  latencyRounds: 3,
};

export const QUICK: Scale = {
  ...FULL,
  messages: 20_000,
  fanoutSubscribers: 10,
  fanoutMessages: 2000,
  stormConnections: 100,
  idleConnections: 200,
  latencySeconds: 1,
  latencyRounds: 1,
};

export interface TaskContext {
  readonly broker: RunningBroker;
  readonly scope: Scope;
  readonly p256: ClientIdentity;
  readonly rsa: ClientIdentity;
  readonly contexts: { readonly p256: SecureContext };
  readonly scale: Scale;
}

/** One measurement on a fresh broker; it yields one Measure per line. */
export interface Task {
  readonly lines: readonly Line[];
  readonly timeoutMs: number;
  /** Repetitions, brokers interleaved; each line reports its median round (default 1). */
  readonly rounds?: number;
  run(ctx: TaskContext): Promise<Measure[]>;
}

const env = (c: TaskContext): Env => ({ port: c.broker.port, context: c.contexts.p256, scope: c.scope });

const line = (
  row: RowId,
  id: string,
  title: string,
  unit: string,
  better: Line['better'] = 'higher',
): Line => ({
  id,
  row,
  title,
  unit,
  better,
});

export function tasks(s: Scale): Task[] {
  const n = s.messages.toLocaleString('en-US');
  // Time limits: generous for a broker 20x slower than Mosquitto, small enough to keep a run short.
  const flood = Math.max(20_000, s.messages / 4);
  return [
    {
      lines: [line('A', 'A1', `QoS 0, 1→1, ${n} × 64 B, batching publisher`, 'msg/s')],
      timeoutMs: flood,
      run: async (c) => [await batchingRun(env(c), s.messages, 0, s.window)],
    },
    {
      lines: [line('A', 'A2', `QoS 0, 1→1, ${n} × 64 B, mosquitto_pub -l`, 'msg/s')],
      timeoutMs: flood,
      run: async (c) => [await devicePubRun(env(c), c.p256, s.messages, 0, s.window)],
    },
    {
      lines: [line('B', 'B1', `QoS 1, 1→1, ${n} × 64 B, batching publisher`, 'msg/s')],
      timeoutMs: flood,
      run: async (c) => [await batchingRun(env(c), s.messages, 1, s.window)],
    },
    {
      lines: [line('B', 'B2', `QoS 1, 1→1, ${n} × 64 B, mosquitto_pub -l`, 'msg/s')],
      timeoutMs: flood,
      run: async (c) => [await devicePubRun(env(c), c.p256, s.messages, 1, s.window)],
    },
    {
      lines: [
        line(
          'C',
          'C',
          `QoS 0 fan-out, 1→${s.fanoutSubscribers}, ${s.fanoutMessages.toLocaleString('en-US')} msgs`,
          'deliveries/s',
        ),
      ],
      timeoutMs: 30_000,
      run: async (c) => [await fanoutRun(env(c), s.fanoutSubscribers, s.fanoutMessages)],
    },
    ...(['p256', 'rsa'] as const).map((kind): Task => ({
      lines: [
        line(
          'D',
          `D-${kind}`,
          `mTLS connect storm, ${s.stormConnections} × (handshake+CONNECT+CONNACK+DISCONNECT), ` +
            `${kind === 'p256' ? 'P-256' : 'RSA-2048'} client certs`,
          'connects/s',
        ),
      ],
      timeoutMs: 30_000,
      run: async (c) => [await stormRun(c.broker.port, c.scope, c[kind], stormPlan(s), kind)],
    })),
    {
      lines: [
        line('E', 'E', `${s.idleConnections} idle mTLS connections: memory per connection`, 'KiB', 'lower'),
        line('E', 'E-rss', `RSS with ${s.idleConnections} idle connections`, 'MiB', 'lower'),
      ],
      timeoutMs: 60_000,
      run: (c) => idleRun(env(c), c.broker, s.idleConnections, 50),
    },
    {
      lines: [
        line('F', 'F-p50', `latency p50 at ${s.latencyRate} msg/s QoS 0`, 'ms', 'lower'),
        line('F', 'F-p99', `latency p99 at ${s.latencyRate} msg/s QoS 0`, 'ms', 'lower'),
      ],
      timeoutMs: s.latencySeconds * 1000 + 15_000,
      rounds: s.latencyRounds,
      run: (c) => latencyRun(env(c), s.latencyRate, s.latencySeconds),
    },
  ];
}

function stormPlan(s: Scale) {
  return { total: s.stormConnections, concurrency: s.stormConcurrency, workers: s.stormWorkers };
}
