/**
 * What the subscriber learns from the `seq` of each reading, per device: a message lost (gap), a
 * message delivered twice (duplicate, e.g. a QoS 1 redelivery), a late message that fills a gap
 * (out-of-order), and a device that rebooted (its counter starts again at 0 or 1).
 *
 * A seq below the highest one seen is read as:
 *   1. out-of-order, if it is one of the seqs still missing;
 *   2. restart, if it is a boot value (≤ `restartAt`) or further back than `window`;
 *   3. duplicate otherwise.
 * So a duplicate of a boot message that arrives after later messages counts as a restart: from
 * seq numbers alone the two cannot be told apart.
 *
 * Memory is bounded: a seq more than `window` below the highest is no longer awaited and counts
 * as lost.
 */
import { LabError } from '../../core/errors.js';
import { parseOptions, z } from '../../core/options.js';

/** Inclusive. */
export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

export type SequenceEvent =
  | { readonly kind: 'first'; readonly deviceId: string; readonly seq: number }
  | { readonly kind: 'in-order'; readonly deviceId: string; readonly seq: number }
  | { readonly kind: 'gap'; readonly deviceId: string; readonly seq: number; readonly missing: SeqRange }
  | { readonly kind: 'out-of-order'; readonly deviceId: string; readonly seq: number }
  | { readonly kind: 'duplicate'; readonly deviceId: string; readonly seq: number }
  | {
      readonly kind: 'restart';
      readonly deviceId: string;
      readonly seq: number;
      /** The highest seq before the restart. */
      readonly previous: number;
    };

export interface SequenceStats {
  /** Highest seq since the last restart. */
  readonly last: number;
  readonly received: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly restarts: number;
  /** Seqs skipped by a gap, still awaited. */
  readonly missing: number;
  /** Seqs given up on: older than the window, or outstanding at a restart. */
  readonly lost: number;
}

const schema = z.strictObject({
  /** How far back a late message is still awaited. */
  window: z.number().int().min(1).max(1_000_000).default(64),
  /** The highest seq a freshly booted device may send first. */
  restartAt: z.number().int().min(0).default(1),
});
export type SequenceTrackerOptions = z.input<typeof schema>;

interface DeviceState {
  last: number;
  /** Sorted, disjoint, each within the window. */
  missing: SeqRange[];
  received: number;
  duplicates: number;
  outOfOrder: number;
  restarts: number;
  lost: number;
}

export class SequenceTracker {
  readonly #o: Readonly<z.infer<typeof schema>>;
  readonly #devices = new Map<string, DeviceState>();

  constructor(options: SequenceTrackerOptions = {}) {
    this.#o = parseOptions(schema, options, 'SequenceTracker');
  }

  feed(deviceId: string, seq: number): SequenceEvent {
    if (typeof deviceId !== 'string' || deviceId === '') throw invalid('deviceId', deviceId);
    if (!Number.isSafeInteger(seq) || seq < 0) throw invalid('seq', seq);
    const s = this.#devices.get(deviceId);
    if (s === undefined) {
      this.#devices.set(deviceId, { last: seq, missing: [], received: 1, ...zeroCounts() });
      return { kind: 'first', deviceId, seq };
    }
    s.received++;
    if (seq === s.last + 1) {
      this.#advance(s, seq);
      return { kind: 'in-order', deviceId, seq };
    }
    if (seq > s.last) {
      const missing = { from: s.last + 1, to: seq - 1 };
      s.missing.push(missing);
      this.#advance(s, seq);
      return { kind: 'gap', deviceId, seq, missing };
    }
    if (seq < s.last && takeMissing(s, seq)) {
      s.outOfOrder++;
      return { kind: 'out-of-order', deviceId, seq };
    }
    if (seq < s.last && (seq <= this.#o.restartAt || s.last - seq > this.#o.window)) {
      const previous = s.last;
      s.lost += countOf(s.missing);
      s.missing = [];
      s.last = seq;
      s.restarts++;
      return { kind: 'restart', deviceId, seq, previous };
    }
    s.duplicates++;
    return { kind: 'duplicate', deviceId, seq };
  }

  stats(deviceId: string): SequenceStats | undefined {
    const s = this.#devices.get(deviceId);
    if (s === undefined) return undefined;
    const { last, received, duplicates, outOfOrder, restarts, lost } = s;
    return { last, received, duplicates, outOfOrder, restarts, missing: countOf(s.missing), lost };
  }

  /** The seqs still awaited for a device, oldest first. */
  missing(deviceId: string): readonly SeqRange[] {
    return [...(this.#devices.get(deviceId)?.missing ?? [])];
  }

  devices(): string[] {
    return [...this.#devices.keys()].sort();
  }

  /** Forget a device (it was decommissioned, or the subscriber restarts its view). */
  forget(deviceId: string): boolean {
    return this.#devices.delete(deviceId);
  }

  #advance(s: DeviceState, seq: number): void {
    s.last = seq;
    const oldest = seq - this.#o.window;
    const kept: SeqRange[] = [];
    for (const r of s.missing) {
      if (r.to < oldest) {
        s.lost += r.to - r.from + 1;
      } else if (r.from < oldest) {
        s.lost += oldest - r.from;
        kept.push({ from: oldest, to: r.to });
      } else {
        kept.push(r);
      }
    }
    s.missing = kept;
  }
}

/** Removes `seq` from the missing ranges; false if it was not missing. */
function takeMissing(s: DeviceState, seq: number): boolean {
  const i = s.missing.findIndex((r) => r.from <= seq && seq <= r.to);
  if (i < 0) return false;
  const r = s.missing[i]!;
  const pieces: SeqRange[] = [];
  if (r.from < seq) pieces.push({ from: r.from, to: seq - 1 });
  if (seq < r.to) pieces.push({ from: seq + 1, to: r.to });
  s.missing.splice(i, 1, ...pieces);
  return true;
}

function countOf(ranges: readonly SeqRange[]): number {
  return ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
}

function zeroCounts() {
  return { duplicates: 0, outOfOrder: 0, restarts: 0, lost: 0 };
}

function invalid(option: string, value: unknown): LabError {
  return new LabError(
    'ERR_OPTIONS_INVALID',
    `SequenceTracker feed: ${option} ${String(value)} is not valid`,
    {
      details: { where: 'SequenceTracker feed', option },
    },
  );
}
