import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { LabError } from '../../core/errors.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * An exclusive lock file (O_CREAT|O_EXCL) around read-modify-write of the index and serial
 * files, so two `pki sign` runs cannot both append the same state. A lock left by a process
 * that no longer exists is taken over.
 */
export function withLock<T>(path: string, fn: () => T, timeoutMs = 5000): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStale(path)) {
        try {
          unlinkSync(path);
        } catch {
          /* another process removed it first */
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new LabError('ERR_FS_LOCKED', `${path} is held by another process`, { details: { path } });
      }
      Atomics.wait(sleeper, 0, 0, 25);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(path);
    } catch {
      /* nothing to release */
    }
  }
}

function isStale(path: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
