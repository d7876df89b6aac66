import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { canConnect } from '../../src/lab/ports.js';
import { type Running, start } from './process.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';
const OUR_BIN = join(import.meta.dirname, '..', '..', 'bin', 'mqtts-lab.js');

export type BrokerKind = 'mosquitto' | 'mqtts-lab';

export interface RunningBroker extends Running {
  readonly kind: BrokerKind;
  readonly port: number;
  /** The broker's log so far (Mosquitto logs to stderr by default; so do we). */
  log(): string;
}

/** Fail loudly (never skip) when a tool the suite needs is not installed. */
export function requireTool(path: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} is not installed: run "bash scripts/setup-system.sh" first`);
  }
}

/**
 * Start Mosquitto or our broker as a process with the same configuration text, and wait until
 * `port` accepts TCP connections on loopback. Killed when the test ends.
 */
export async function startBroker(
  t: TestContext,
  kind: BrokerKind,
  dir: string,
  conf: string,
  port: number,
): Promise<RunningBroker> {
  const file = join(dir, `${kind}.conf`);
  writeFileSync(file, conf);
  let running: Running;
  if (kind === 'mosquitto') {
    requireTool(MOSQUITTO);
    running = start(t, dir, ['-c', file], MOSQUITTO);
  } else {
    running = start(t, dir, [OUR_BIN, 'broker', '-c', file], process.execPath);
  }
  await waitForPort(port, running, 10_000);
  return { ...running, kind, port, log: () => running.stderr() + running.stdout() };
}

export async function waitForPort(port: number, p: Running, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (p.child.exitCode !== null) {
      throw new Error(`broker exited (${p.child.exitCode}) before listening: ${p.stderr()}${p.stdout()}`);
    }
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { canConnect } from '../../src/lab/ports.js';

/** Mosquitto drops root privileges before reading its TLS files: make a fixture directory readable to it. */
export function readableByBroker(dir: string): void {
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
}
