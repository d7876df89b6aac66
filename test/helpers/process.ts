import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { TestContext } from 'node:test';

export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** Spawn a tool (never through a shell); killed when the test ends if it is still running. */
export function start(t: TestContext, cwd: string, args: readonly string[], command = 'openssl'): Running {
  const child = spawn(command, args, { cwd, stdio: 'pipe' });
  const text = { out: '', err: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    text.out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    text.err += d;
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (e) => {
      text.err += String(e);
      resolve(null);
    });
    child.once('close', resolve);
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, exited, stdout: () => text.out, stderr: () => text.err };
}

export function waitForStdout(p: Running, needle: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      p.child.stdout.off('data', check);
      p.child.off('close', onClose);
      settle();
    };
    const check = () => p.stdout().includes(needle) && finish(resolve);
    const onClose = () =>
      finish(() => reject(new Error(`process exited before printing ${needle}: ${p.stderr()}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no ${needle} from the process in ${ms} ms: ${p.stderr()}`))),
      ms,
    );
    p.child.stdout.on('data', check);
    p.child.once('close', onClose);
    check();
  });
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A port free on 127.0.0.1 now, outside the range client sockets are given (see src/lab/ports.ts). */
export { freePort } from '../../src/lab/ports.js';
