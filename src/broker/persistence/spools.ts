import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Delivery } from '../session.js';
import { storeError } from './frames.js';
import type { FsyncPolicy } from './journal.js';
import { SessionSpool, type SpoolEntry, type SpoolRecovery } from './spool.js';

/** A spool file's name: client ids may be 65,535 bytes of anything, a file name may not. */
const spoolName = (clientId: string): string =>
  `${createHash('sha256').update(clientId, 'utf8').digest('hex')}.spool`;
const SPOOL_FILE = /^[0-9a-f]{64}\.spool(\.compact)?$/;

export interface SpoolReport extends SpoolRecovery {
  readonly clientId: string;
}

/**
 * The spools of every persistent session, in one directory beside the journal, and the disk
 * limit they share (max_spooled_bytes): past it, a message for an absent session is dropped.
 */
export class Spools {
  readonly #spools = new Map<string, SessionSpool>();
  /** Spools appended to or drained since the last flush. */
  readonly #touched = new Set<SessionSpool>();
  #bytes = 0;

  private constructor(
    readonly dir: string,
    readonly fsync: FsyncPolicy,
    /** Bytes all spools may take on disk together; 0: nothing is spooled. */
    readonly limit: number,
  ) {}

  /**
   * Open the spools of the sessions the journal restored (`heads`: for each, the sequence number
   * of its first entry not yet moved into its queue). A spool file of no such session is left
   * over from a session that ended; it is deleted.
   */
  static open(
    dir: string,
    fsync: FsyncPolicy,
    limit: number,
    heads: ReadonlyMap<string, number>,
  ): { spools: Spools; reports: SpoolReport[] } {
    const spools = new Spools(dir, fsync, limit);
    let names: string[];
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      names = readdirSync(dir);
    } catch (err) {
      throw storeError(err, dir, 'cannot open the spool directory');
    }
    const owned = new Set<string>();
    const reports: SpoolReport[] = [];
    for (const [clientId, head] of heads) {
      const name = spoolName(clientId);
      owned.add(name);
      const { spool, recovery } = SessionSpool.open(join(dir, name), clientId, head, fsync);
      spools.#spools.set(clientId, spool);
      spools.#bytes += spool.bytes;
      if (recovery.entries > 0 || recovery.droppedRecords > 0) reports.push({ clientId, ...recovery });
    }
    for (const name of names) {
      if (!SPOOL_FILE.test(name) || owned.has(name)) continue;
      try {
        unlinkSync(join(dir, name));
      } catch (err) {
        throw storeError(err, join(dir, name), 'cannot delete');
      }
    }
    return { spools, reports };
  }

  /** Messages spooled for `clientId` and not yet moved into its queue. */
  count(clientId: string): number {
    return this.#spools.get(clientId)?.count ?? 0;
  }

  head(clientId: string): number {
    return this.#spools.get(clientId)?.head ?? 0;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Messages in all spools. */
  get messages(): number {
    let n = 0;
    for (const spool of this.#spools.values()) n += spool.count;
    return n;
  }

  hasRoom(): boolean {
    return this.#bytes < this.limit;
  }

  append(clientId: string, delivery: Delivery): void {
    let spool = this.#spools.get(clientId);
    if (!spool) {
      spool = SessionSpool.open(join(this.dir, spoolName(clientId)), clientId, 0, this.fsync).spool;
      this.#spools.set(clientId, spool);
    }
    const before = spool.bytes;
    spool.append(delivery);
    this.#bytes += spool.bytes - before;
    this.#touched.add(spool);
  }

  take(clientId: string, max: number): SpoolEntry[] {
    const spool = this.#spools.get(clientId);
    if (!spool || spool.count === 0) return [];
    this.#touched.add(spool);
    return spool.take(max);
  }

  /** Write (and sync, per policy) what was appended; every acknowledgement waits for this. */
  flush(): void {
    for (const spool of this.#touched) if (spool.dirty) spool.flush();
  }

  /** Once the journal holds the moves: delete or shrink what was drained. */
  reclaim(): void {
    for (const spool of this.#touched) this.#bytes += spool.reclaim();
    this.#touched.clear();
  }

  /** The session ended: its spooled messages go with it. */
  discard(clientId: string): void {
    const spool = this.#spools.get(clientId);
    if (!spool) return;
    this.#bytes -= spool.bytes;
    spool.discard();
    this.#touched.delete(spool);
    this.#spools.delete(clientId);
  }

  /** Spools of sessions that no longer exist (expired while the broker was down). */
  discardExcept(clientIds: ReadonlySet<string>): void {
    for (const clientId of [...this.#spools.keys()]) if (!clientIds.has(clientId)) this.discard(clientId);
  }

  close(): void {
    for (const spool of this.#spools.values()) spool.close();
  }
}
