import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { LabError } from '../../core/errors.js';
import { frameRecord, type Recovery, recover, storeError, syncDirectory, writeAll } from './frames.js';
import { FieldWriter, type StoreRecord } from './records.js';

export { type Recovery, recover } from './frames.js';

/** First bytes of a store file: ours, version 1. Anything else is not read, and not overwritten. */
export const STORE_MAGIC = Buffer.from('MQTTSLAB-STORE\u0000\u0001', 'latin1');

export type FsyncPolicy = 'always' | 'interval' | 'never';

/**
 * The append-only journal: frames of [0xA5, kind, u32 length, body, CRC-32 of kind..body].
 * Every frame is written with write(2) before the acknowledgement that depends on it leaves
 * (so a kill -9 loses nothing acknowledged: the kernel has the bytes); with fsync 'always'
 * it is also on the disk before that acknowledgement (a power cut loses nothing either).
 */
export class Journal {
  #fd: number | undefined;
  readonly #pending = new FieldWriter();
  readonly #body = new FieldWriter();
  #dirty = false;
  #unsynced = false;
  #appended = 0;
  #syncTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly path: string,
    readonly fsync: FsyncPolicy,
  ) {}

  /**
   * Take the store's lock, read what is there (recovering around damage), and open it for
   * appending. A file that is not a store of ours is refused, never overwritten.
   */
  static open(path: string, fsync: FsyncPolicy): { journal: Journal; recovery: Recovery } {
    mkdirOrFail(dirname(path));
    lock(path);
    const journal = new Journal(path, fsync);
    let recovery: Recovery = { records: [], droppedRecords: 0, droppedBytes: 0 };
    if (existsSync(path)) {
      const bytes = readOrFail(path);
      if (bytes.length > 0) {
        if (bytes.length < STORE_MAGIC.length || !bytes.subarray(0, STORE_MAGIC.length).equals(STORE_MAGIC)) {
          unlock(path);
          throw new LabError(
            'ERR_BROKER_STORE_IO',
            `${path} is not an mqtts-lab store (a Mosquitto database?): move it away or choose another persistence_file`,
            { details: { path } },
          );
        }
        recovery = recover(bytes.subarray(STORE_MAGIC.length));
      }
    }
    return { journal, recovery };
  }

  /** Queue a record; it reaches the file at the next flushSync (before any socket write). */
  append(record: StoreRecord): void {
    frameRecord(this.#pending, record, this.#body);
    this.#dirty = true;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  /** Bytes appended since the last rewrite: the compaction trigger. */
  get appendedBytes(): number {
    return this.#appended;
  }

  /** Write what is queued; with fsync 'always', to the disk. Called before any acknowledgement goes out. */
  flushSync(): void {
    if (!this.#dirty) return;
    const fd = this.#open();
    const data = this.#pending.view();
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      if (this.fsync === 'always') fdatasyncSync(fd);
      else if (this.fsync === 'interval') this.#scheduleSync();
    } catch (err) {
      throw storeError(err, this.path, 'cannot write');
    }
    this.#appended += data.length;
    this.#pending.reset();
    this.#dirty = false;
  }

  /**
   * Replace the file with `records` (a snapshot): written to a temporary file, synced, renamed
   * over the store, so a crash at any point leaves either the old store or the new one whole.
   */
  rewrite(records: Iterable<StoreRecord>): void {
    this.flushSync();
    const tmp = `${this.path}.compact`;
    const out = new FieldWriter();
    const body = new FieldWriter();
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'w', 0o600);
      writeSync(fd, STORE_MAGIC);
      for (const record of records) {
        frameRecord(out, record, body);
        if (out.length >= 1 << 20) {
          writeAll(fd, out.view());
          out.reset();
        }
      }
      writeAll(fd, out.view());
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      this.#close();
      renameSync(tmp, this.path);
      syncDirectory(dirname(this.path));
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      throw storeError(err, this.path, 'cannot compact');
    }
    this.#appended = 0;
  }

  close(): void {
    this.flushSync();
    if (this.#unsynced && this.#fd !== undefined) fdatasyncSync(this.#fd);
    clearTimeout(this.#syncTimer);
    this.#close();
    unlock(this.path);
  }

  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    try {
      const fresh = !existsSync(this.path);
      this.#fd = openSync(this.path, 'a', 0o600);
      if (fresh) writeAll(this.#fd, STORE_MAGIC);
      return this.#fd;
    } catch (err) {
      throw storeError(err, this.path, 'cannot open');
    }
  }

  #close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #scheduleSync(): void {
    this.#unsynced = true;
    if (this.#syncTimer) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      if (this.#fd !== undefined && this.#unsynced) fdatasyncSync(this.#fd);
      this.#unsynced = false;
    }, 1000);
    this.#syncTimer.unref();
  }
}

function mkdirOrFail(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw storeError(err, dir, 'cannot create the persistence directory');
  }
}

function readOrFail(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw storeError(err, path, 'cannot read');
  }
}

/** One broker per store: a second one on the same files would interleave their journals. */
function lock(path: string): void {
  const lockPath = `${path}.lock`;
  try {
    writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storeError(err, lockPath, 'cannot lock');
  }
  const holder = Number.parseInt(readOrFail(lockPath).toString('utf8'), 10);
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
    throw new LabError('ERR_BROKER_STORE_IO', `${path} is in use by another broker (pid ${holder})`, {
      details: { path, pid: holder },
    });
  }
  // The holder died without unlocking (kill -9): the lock is stale.
  try {
    writeFileSync(lockPath, `${process.pid}\n`, { mode: 0o600 });
  } catch (err) {
    throw storeError(err, lockPath, 'cannot lock');
  }
}

function unlock(path: string): void {
  try {
    unlinkSync(`${path}.lock`);
  } catch {
    /* already gone */
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
