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
