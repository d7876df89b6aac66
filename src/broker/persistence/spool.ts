import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { Delivery } from '../session.js';
import { frameRecord, recover, storeError, syncDirectory, writeAll } from './frames.js';
import type { FsyncPolicy } from './journal.js';
import { FieldWriter, type StoreRecord } from './records.js';
import { ChunkReader, READ_CHUNK } from './spool-reader.js';

/** First bytes of a spool file: ours, version 1. */
export const SPOOL_MAGIC = Buffer.from('MQTTSLAB-SPOOL\u0000\u0001', 'latin1');
/** Rewrite a spool once this much of it has been moved out, and at least half of it. */
const COMPACT_AFTER_BYTES = 1024 * 1024;

export interface SpoolEntry {
  readonly seq: number;
  readonly delivery: Delivery;
}

export interface SpoolRecovery {
  /** Entries kept (not yet moved out, intact). */
  readonly entries: number;
  readonly droppedRecords: number;
  readonly droppedBytes: number;
}

/**
 * The messages of one absent session beyond its memory queue, in order, in one append-only
 * file of the journal's CRC-checked frames: a header naming the session, then one `spooled`
 * record per message with a per-session sequence number. The journal records how far the spool
 * has been moved into the queue (`unspool`, `spool-head`); entries below that head are skipped
 * when the file is read again. Written before the acknowledgement that depends on it leaves,
 * synced as the journal is (persistence_fsync).
 */
export class SessionSpool {
  #fd: number | undefined;
  readonly #pending = new FieldWriter();
  readonly #scratch = new FieldWriter();
  #unsynced = false;
  #syncTimer: NodeJS.Timeout | undefined;
  /** Bytes in the file, magic and header included; 0 when there is no file. */
  #fileBytes = 0;
  /** Offset of the first entry not yet moved out. */
  #readOffset = 0;
  /** Where entries start (after the magic and the header). */
  #dataStart = 0;
  readonly #reader: ChunkReader;
  #count = 0;
  #nextSeq: number;
  #head: number;

  private constructor(
    readonly path: string,
    readonly clientId: string,
    readonly fsync: FsyncPolicy,
    head: number,
  ) {
    this.#head = head;
    this.#nextSeq = head;
    this.#reader = new ChunkReader(path, () => this.#open());
  }

  /**
   * Open the spool at `path` for `clientId`, whose entries below `head` have already been moved
   * out. An existing file is read, recovering around damage as the journal does; if anything
   * was skipped (damage, entries already moved out) it is rewritten clean.
   */
  static open(
    path: string,
    clientId: string,
    head: number,
    fsync: FsyncPolicy,
  ): { spool: SessionSpool; recovery: SpoolRecovery } {
    const spool = new SessionSpool(path, clientId, fsync, head);
    if (!existsSync(path)) return { spool, recovery: { entries: 0, droppedRecords: 0, droppedBytes: 0 } };
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw storeError(err, path, 'cannot read');
    }
    const ours =
      bytes.length >= SPOOL_MAGIC.length && bytes.subarray(0, SPOOL_MAGIC.length).equals(SPOOL_MAGIC);
    const found = ours
      ? recover(bytes.subarray(SPOOL_MAGIC.length))
      : { records: [], droppedRecords: bytes.length > 0 ? 1 : 0, droppedBytes: bytes.length };
    const header = found.records[0];
    // A header for another client (a file moved by hand): none of it is this session's.
    const foreign = header?.kind === 'spool-header' && header.clientId !== clientId;
    const kept: Extract<StoreRecord, { kind: 'spooled' }>[] = [];
    let skipped = 0;
    for (const r of foreign ? [] : found.records) {
      if (r.kind !== 'spooled') continue;
      // In order, each once: anything at or below the last kept sequence is not a new entry.
      if (r.seq < spool.#nextSeq) {
        skipped++;
        continue;
      }
      kept.push(r);
      spool.#nextSeq = r.seq + 1;
    }
    const droppedRecords = found.droppedRecords + (foreign ? found.records.length : 0);
    const recovery = { entries: kept.length, droppedRecords, droppedBytes: found.droppedBytes };
    if (kept.length === 0) {
      // Nothing left to deliver: the file goes (a new one starts at the next append).
      spool.#unlink();
      return { spool, recovery };
    }
    spool.#count = kept.length;
    if (droppedRecords > 0 || skipped > 0 || header?.kind !== 'spool-header') spool.#rewrite(kept);
    else {
      spool.#dataStart = SPOOL_MAGIC.length + headerLength(spool);
      spool.#readOffset = spool.#dataStart;
      spool.#fileBytes = bytes.length;
    }
    return { spool, recovery };
  }

  /** Entries not yet moved out. */
  get count(): number {
    return this.#count;
  }

  /** Bytes on disk, and about to be: what counts against max_spooled_bytes. */
  get bytes(): number {
    return this.#fileBytes + this.#pending.length;
  }

  /** The sequence number of the first entry not yet moved out. */
  get head(): number {
    return this.#head;
  }

  get dirty(): boolean {
    return this.#pending.length > 0 || this.#unsynced;
  }

  /** Queue one message; it reaches the file at the next flush (before any acknowledgement leaves). */
  append(delivery: Delivery): void {
    if (this.#fileBytes === 0 && this.#pending.length === 0) {
      // A new file: its magic and header are bytes on disk like any entry's (max_spooled_bytes).
      this.#pending.raw(SPOOL_MAGIC);
      frameRecord(this.#pending, { kind: 'spool-header', clientId: this.clientId }, this.#scratch);
    }
    const m = delivery.message;
    frameRecord(
      this.#pending,
      {
        kind: 'spooled',
        seq: this.#nextSeq++,
        topic: m.topic,
        payload: m.payload,
        qos: m.qos,
        retain: m.retain,
        expiresAt: m.expiresAt,
        origin: m.origin,
        properties: m.properties,
        deliveryQos: delivery.qos,
        deliveryRetain: delivery.retain,
        subscriptionIds: delivery.subscriptionIds,
      },
      this.#scratch,
    );
    this.#count++;
  }

  /**
   * Up to `max` entries, oldest first, moved out of the spool (in memory: the caller journals
   * the move before anything is sent). Reads what is still pending too.
   */
  take(max: number): SpoolEntry[] {
    this.#write();
    const out: SpoolEntry[] = [];
    while (out.length < max && this.#readOffset < this.#fileBytes) {
      const pos = this.#readOffset;
      const parsed = this.#reader.frameAt(pos, this.#fileBytes);
      if (!parsed) {
        // Damage after the file was recovered (the disk, or a hand): resynchronise on the next
        // intact frame, as recovery does; what it covered is lost, the rest still arrives.
        this.#readOffset++;
        continue;
      }
      this.#readOffset = parsed.end;
      const r = parsed.record;
      if (r.kind !== 'spooled' || r.seq < this.#head) continue;
      this.#head = r.seq + 1;
      out.push({
        seq: r.seq,
        delivery: {
          message: {
            topic: r.topic,
            payload: r.payload,
            qos: r.qos,
            retain: r.retain,
            properties: r.properties,
            expiresAt: r.expiresAt,
            origin: r.origin,
          },
          qos: r.deliveryQos,
          retain: r.deliveryRetain,
          subscriptionIds: r.subscriptionIds,
        },
      });
    }
    this.#count = this.#readOffset >= this.#fileBytes ? 0 : this.#count - out.length;
    if (this.#count === 0) this.#reader.reset();
    return out;
  }

  /** Write what is pending; with fsync 'always', to the disk. */
  flush(): void {
    this.#write();
    if (!this.#unsynced || this.#fd === undefined) return;
    if (this.fsync === 'always') {
      try {
        fdatasyncSync(this.#fd);
      } catch (err) {
        throw storeError(err, this.path, 'cannot sync');
      }
      this.#unsynced = false;
    } else if (this.fsync === 'interval') this.#scheduleSync();
    else this.#unsynced = false;
  }

  /**
   * After the journal has recorded the moves: a spool moved out entirely is deleted, one mostly
   * moved out is rewritten without its consumed part, so the disk holds what is still owed.
   * Returns the change in bytes.
   */
  reclaim(): number {
    const before = this.bytes;
    if (this.#count === 0 && this.#pending.length === 0 && this.#fileBytes > 0) this.#unlink();
    else {
      const consumed = this.#readOffset - this.#dataStart;
      if (this.#fileBytes > 0 && consumed >= COMPACT_AFTER_BYTES && consumed * 2 >= this.#fileBytes) {
        this.#write();
        this.#rewrite(undefined);
      }
    }
    return this.bytes - before;
  }

  /** The session ended: its spool goes. */
  discard(): void {
    this.#pending.reset();
    this.#count = 0;
    this.#unlink();
  }

  close(): void {
    this.flush();
    if (this.#unsynced && this.#fd !== undefined) fdatasyncSync(this.#fd);
    this.#unsynced = false;
    clearTimeout(this.#syncTimer);
    this.#closeFd();
  }

  #write(): void {
    if (this.#pending.length === 0) return;
    const fd = this.#open();
    const data = this.#pending.view();
    try {
      writeAll(fd, data);
    } catch (err) {
      throw storeError(err, this.path, 'cannot write');
    }
    this.#fileBytes += data.length;
    this.#pending.reset();
    this.#unsynced = true;
  }

  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    try {
      const fresh = this.#fileBytes === 0;
      // Read and append: the spool is drained from the same descriptor it is written through.
      this.#fd = openSync(this.path, fresh ? 'w+' : 'a+', 0o600);
      if (fresh) {
        this.#dataStart = SPOOL_MAGIC.length + headerLength(this);
        this.#readOffset = SPOOL_MAGIC.length;
        // A new file must survive a power cut as well as its contents (fsync 'always').
        if (this.fsync === 'always') syncDirectory(dirname(this.path));
      }
      return this.#fd;
    } catch (err) {
      throw storeError(err, this.path, 'cannot open');
    }
  }

  /**
   * Replace the file with the entries not yet moved out (from `records`, or copied from the
   * current file): a temporary file, synced, renamed over, so a crash leaves the old or the new.
   */
  #rewrite(records: readonly StoreRecord[] | undefined): void {
    const tmp = `${this.path}.compact`;
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'w', 0o600);
      const out = new FieldWriter();
      out.raw(SPOOL_MAGIC);
      frameRecord(out, { kind: 'spool-header', clientId: this.clientId }, this.#scratch);
      const dataStart = out.length;
      if (records) {
        for (const r of records) {
          frameRecord(out, r, this.#scratch);
          if (out.length >= READ_CHUNK) {
            writeAll(fd, out.view());
            out.reset();
          }
        }
        writeAll(fd, out.view());
      } else {
        writeAll(fd, out.view());
        for (let at = this.#readOffset; at < this.#fileBytes;) {
          const end = Math.min(at + READ_CHUNK, this.#fileBytes);
          const { buf, at: i } = this.#reader.bytes(at, end, this.#fileBytes);
          const part = buf.subarray(i, i + (end - at));
          // Shorter than we wrote: the file was cut under us; keep the old one rather than loop.
          if (part.length === 0) throw new Error('spool file shorter than written');
          writeAll(fd, part);
          at += part.length;
        }
      }
      fsyncSync(fd);
      const size = fstatSync(fd).size;
      closeSync(fd);
      fd = undefined;
      this.#closeFd();
      renameSync(tmp, this.path);
      syncDirectory(dirname(this.path));
      this.#fileBytes = size;
      this.#dataStart = dataStart;
      this.#readOffset = dataStart;
      this.#reader.reset();
      this.#unsynced = false;
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      throw storeError(err, this.path, 'cannot compact');
    }
  }

  #unlink(): void {
    this.#closeFd();
    clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
    this.#unsynced = false;
    try {
      unlinkSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storeError(err, this.path, 'cannot delete');
    }
    this.#fileBytes = 0;
    this.#dataStart = 0;
    this.#readOffset = 0;
    this.#reader.reset();
  }

  #closeFd(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #scheduleSync(): void {
    if (this.#syncTimer) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      if (this.#fd !== undefined && this.#unsynced) fdatasyncSync(this.#fd);
      this.#unsynced = false;
    }, 1000);
    this.#syncTimer.unref();
  }
}

/** Length of the header frame of `spool`'s file. */
function headerLength(spool: SessionSpool): number {
  const out = new FieldWriter();
  frameRecord(out, { kind: 'spool-header', clientId: spool.clientId }, new FieldWriter());
  return out.length;
}
