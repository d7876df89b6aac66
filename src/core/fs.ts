import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LabError } from './errors.js';

export interface WriteFileOptions {
  /** Permission bits of the new file; private keys use 0o600. */
  readonly mode?: number;
  /** Replace an existing file. Without it an existing file is an ERR_FS_EXISTS and is left intact. */
  readonly overwrite?: boolean;
}

/**
 * Write a file atomically: data goes to a temporary file in the same directory (created with
 * its final mode, so a key is never readable by others even for an instant), is fsynced, then
 * renamed (overwrite) or hard-linked (no overwrite: link fails if the name exists, so two
 * writers cannot both win). A crash leaves either the old file or the new one, never half.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileOptions = {},
): void {
  const mode = options.mode ?? 0o644;
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (options.overwrite) renameSync(tmp, path);
    else {
      linkSync(tmp, path);
      unlinkSync(tmp);
    }
    syncDir(dirname(path));
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw fsError(err, path);
  }
}

/** Refuse early, before any work, when an output exists and may not be replaced. */
export function assertAbsent(path: string): void {
  if (existsSync(path))
    throw new LabError('ERR_FS_EXISTS', `${path} exists (use --force to replace it)`, { details: { path } });
}

export function readFileChecked(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fsError(err, path);
  }
}

/** Bytes per read of readFileStepwise. */
export const STEP_READ_BYTES = 8 * 1024 * 1024;
/** Reads of readFileStepwise in flight at once: one lands while the caller works on the last. */
const READS_AHEAD = 2;

/**
 * A whole file in one buffer, as readFileChecked, read in steps so that the caller can work on
 * its start while the rest is read: `progress(bytes, filled)` runs each time the bytes read so
 * far grow, in file order, `bytes[0, filled)` being final (the rest of `bytes` is not read yet).
 * The reads run on libuv's thread pool, READS_AHEAD at a time. The result is `bytes` as far as
 * it was filled: shorter than at the first call when the file shrank while it was read. A file
 * that is not a regular one (or reads as empty) is read whole, then given to `progress` once.
 * Errors of the file system are ERR_FS_*; one thrown by `progress` ends the read and is rethrown as it is.
 */
export async function readFileStepwise(
  path: string,
  progress: (bytes: Buffer, filled: number) => void,
  stepBytes = STEP_READ_BYTES,
): Promise<Buffer> {
  let handle: FileHandle | undefined;
  // Each read is settled into a value at once: one that fails while the caller works must not
  // be an unhandled rejection.
  const inFlight: Promise<{ got: number; wanted: number } | { error: unknown }>[] = [];
  let callerFailed = false;
  const report = (bytes: Buffer, filled: number): void => {
    try {
      progress(bytes, filled);
    } catch (err) {
      callerFailed = true;
      throw err;
    }
  };
  try {
    handle = await open(path, 'r');
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size === 0) {
      const all = await handle.readFile();
      report(all, all.length);
      return all;
    }
    const size = stat.size;
    const bytes = Buffer.allocUnsafe(size);
    const file = handle;
    let next = 0;
    const issue = (): void => {
      const at = next;
      const wanted = Math.min(stepBytes, size - at);
      next += wanted;
      inFlight.push(
        readAt(file, bytes, at, wanted).then(
          (got) => ({ got, wanted }),
          (error: unknown) => ({ error }),
        ),
      );
    };
    while (next < size && inFlight.length < READS_AHEAD) issue();
    let filled = 0;
    while (inFlight.length > 0) {
      const step = await inFlight.shift()!;
      if ('error' in step) throw step.error;
      filled += step.got;
      const short = step.got < step.wanted; // the file ended early: it shrank while it was read
      if (!short && next < size) issue();
      report(bytes, filled);
      if (short) return bytes.subarray(0, filled);
    }
    return bytes;
  } catch (err) {
    throw callerFailed ? err : fsError(err, path);
  } finally {
    await Promise.all(inFlight); // settled values: never rejects
    await handle?.close();
  }
}

/** `length` bytes at `position` into `into[position…]`, fewer only at the end of the file. */
async function readAt(file: FileHandle, into: Buffer, position: number, length: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await file.read(into, position + got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** Map a Node fs error to a catalog error that names the path. */
export function fsError(err: unknown, path: string): LabError {
  if (err instanceof LabError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EEXIST')
    return new LabError('ERR_FS_EXISTS', `${path} exists (use --force to replace it)`, { details: { path } });
  if (code === 'ENOENT')
    return new LabError('ERR_FS_NOT_FOUND', `no such file or directory: ${path}`, { details: { path } });
  return new LabError('ERR_FS_IO', `${path}: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
    details: { path },
  });
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
}
