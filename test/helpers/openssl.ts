import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the real openssl CLI (the independent oracle). Never through a shell. */
export function openssl(args: readonly string[], options: { cwd?: string; input?: string } = {}): RunResult {
  const r = spawnSync('openssl', args, {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function hasOpenssl(): boolean {
  try {
    return openssl(['version']).status === 0;
  } catch {
    return false;
  }
}

/** A temporary directory removed when the test ends: `const dir = tempDir(t)`. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'mqtts-lab-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export { join };
