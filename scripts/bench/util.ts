// Small shared helpers of the benchmarks: bounded waits, resource scopes, statistics.
import type { ChildProcess } from 'node:child_process';

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`timed out after ${ms} ms: ${what}`);
    this.name = 'TimeoutError';
  }
}

/** Reject with a TimeoutError when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Something a measurement opened and must close, whatever happens (a socket, a child process). */
interface Closable {
  destroy(): void;
}

/**
 * The resources of one measurement. A cell that times out is abandoned, not awaited: closing its
 * scope destroys its sockets and kills its processes so that the next cell starts clean.
 */
export class Scope {
  private readonly items = new Set<Closable>();
  private closed = false;

  add<T extends Closable>(item: T): T {
    if (this.closed) item.destroy();
    else this.items.add(item);
    return item;
  }

  child<T extends ChildProcess>(child: T): T {
    track(child);
    this.add({ destroy: () => killHard(child) });
    return child;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    for (const item of this.items) {
      try {
        item.destroy();
      } catch {
        // already gone
      }
    }
    this.items.clear();
  }
}

export function killHard(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Every process this run started; whatever is still alive when the harness exits is killed. */
const everyChild = new Set<ChildProcess>();
process.once('exit', () => everyChild.forEach(killHard));

export function track<T extends ChildProcess>(child: T): T {
  everyChild.add(child);
  child.once('close', () => everyChild.delete(child));
  return child;
}

/** The q-quantile (0..1) of `sorted`, nearest rank. */
/** The item whose key is the median of the keys (the lower one of an even count). */
export function medianBy<T>(items: readonly T[], key: (x: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[(sorted.length - 1) >> 1]!;
}

export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** A deferred promise: resolve/reject from the outside (message counters, handshakes). */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: Error) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A measurement that is abandoned (timeout) may reject later with nobody listening.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
