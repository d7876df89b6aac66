/**
 * Traffic analysis: what record sizes and times say when the content is encrypted. AEAD adds a
 * fixed number of bytes per record, so a 64-byte reading is still visibly a 64-byte reading, and
 * a device that publishes every 2 s sends a record of the same size every 2 s.
 */
import { observation } from './bytes-view.js';
import type { Direction, Observation, Range, RecordView, SizeGroup, TrafficAnalysis } from './types.js';

/** Records of a size needed before a group can be called periodic. */
export const MIN_PERIODIC = 3;
/** Lengths within this fraction of a group's smallest join it (JSON readings vary by a few bytes). */
const SIZE_TOLERANCE = 0.05;
/** An interval counts as regular within ±25 % of the median; most (75 %) must be. */
const JITTER = 0.25;
const REGULAR_SHARE = 0.75;
const RECORD_HEADER = 5;

export function analyzeTraffic(
  records: Readonly<Record<Direction, readonly RecordView[]>>,
  aeadOverhead: number | undefined,
  tls13: boolean,
  maxRecords: number,
): TrafficAnalysis {
  const upper = tls13 && aeadOverhead !== undefined;
  const groups = [...groupRecords('c2s', records.c2s, upper), ...groupRecords('s2c', records.s2c, upper)];
  groups.sort((a, b) => Number(b.periodic) - Number(a.periodic) || b.count - a.count);
  return {
    records: { c2s: records.c2s.slice(0, maxRecords), s2c: records.s2c.slice(0, maxRecords) },
    omittedRecords: {
      c2s: Math.max(0, records.c2s.length - maxRecords),
      s2c: Math.max(0, records.s2c.length - maxRecords),
    },
    ...(aeadOverhead !== undefined && { aeadOverhead }),
    plaintextIsUpperBound: upper,
    groups,
  };
}

/** Groups of at least two records of (about) one size, with their rhythm. */
export function groupRecords(
  direction: Direction,
  records: readonly RecordView[],
  plaintextIsUpperBound: boolean,
): SizeGroup[] {
  const bySize = sortedBy(records, (r) => r.recordLength);
  const groups: SizeGroup[] = [];
  for (let i = 0; i < bySize.length;) {
    const floor = bySize[i]!.recordLength;
    let j = i + 1;
    while (j < bySize.length && bySize[j]!.recordLength - floor <= Math.floor(floor * SIZE_TOLERANCE)) j++;
    if (j - i >= 2) groups.push(describe(direction, bySize.slice(i, j), plaintextIsUpperBound));
    i = j;
  }
  return groups;
}

/**
 * The records ordered by an integer key, ties in input order: a numeric sort of key × 2^32 +
 * index in a Float64Array, not a comparator per pair. Exact below 2^53, so for keys below 2^21:
 * a record's length field is a uint16 (RFC 8446 §5.1).
 */
function sortedBy(records: readonly RecordView[], key: (r: RecordView) => number): RecordView[] {
  const keys = new Float64Array(records.length);
  for (let i = 0; i < records.length; i++) keys[i] = key(records[i]!) * INDEX_SPAN + i;
  keys.sort();
  const out = new Array<RecordView>(records.length);
  for (let i = 0; i < keys.length; i++) out[i] = records[keys[i]! % INDEX_SPAN]!;
  return out;
}

const INDEX_SPAN = 2 ** 32;

function describe(direction: Direction, members: RecordView[], upper: boolean): SizeGroup {
  const times = numbers(members, (r) => r.timeUs).sort();
  const intervals = new Float64Array(Math.max(0, times.length - 1));
  for (let i = 1; i < times.length; i++) intervals[i - 1] = times[i]! - times[i - 1]!;
  const interval = intervals.length > 0 ? range(intervals) : undefined;
  let within = 0;
  if (interval !== undefined)
    for (const d of intervals) if (Math.abs(d - interval.median) <= interval.median * JITTER) within++;
  const regular = interval !== undefined && interval.median > 0 && within >= REGULAR_SHARE * intervals.length;
  // Members come sorted by record length, and a plaintext length is the record length less a
  // constant: both ranges are read off the order, with no copy to sort.
  const group: Mutable<SizeGroup> = {
    direction,
    count: members.length,
    recordLength: sortedRange(members, (r) => r.recordLength),
  };
  if (members.every((r) => r.plaintextLength !== undefined))
    group.plaintextLength = sortedRange(members, (r) => r.plaintextLength!);
  if (interval) group.intervalUs = interval;
  group.periodic = regular && members.length >= MIN_PERIODIC;
  group.firstUs = times[0]!;
  group.lastUs = times.at(-1)!;
  group.inference = inference(group as Omit<SizeGroup, 'inference'>, upper);
  return group as SizeGroup;
}

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

function numbers(members: readonly RecordView[], value: (r: RecordView) => number): Float64Array {
  const out = new Float64Array(members.length);
  for (let i = 0; i < members.length; i++) out[i] = value(members[i]!);
  return out;
}

/** `range` of values the members already hold in ascending order. */
function sortedRange(members: readonly RecordView[], value: (r: RecordView) => number): Range {
  const mid = members.length >> 1;
  const median =
    members.length % 2 === 1
      ? value(members[mid]!)
      : Math.round((value(members[mid - 1]!) + value(members[mid]!)) / 2);
  return { min: value(members[0]!), median, max: value(members.at(-1)!) };
}

function inference(g: Omit<SizeGroup, 'inference'>, upper: boolean): string {
  const who = g.direction === 'c2s' ? 'client → server' : 'server → client';
  const plain = g.plaintextLength?.median;
  const size =
    plain === undefined
      ? ''
      : ` (${upper ? '≤' : '≈'} ${plain} bytes of plaintext${g.plaintextLength!.min !== g.plaintextLength!.max ? `, ${g.plaintextLength!.min}–${g.plaintextLength!.max}` : ''})`;
  const rhythm = g.periodic && g.intervalUs ? ` every ${formatInterval(g.intervalUs.median)}` : '';
  const what = `${g.count} ${who} records of ~${g.recordLength.median} bytes${size}${rhythm}`;
  return `${what}: ${guess(g, plain)} — an inference from sizes and times; the content stays encrypted`;
}

function guess(g: Omit<SizeGroup, 'inference'>, plain: number | undefined): string {
  // MQTT 3.1.1 §3.12/§3.13: PINGREQ and PINGRESP are 2 bytes; §3.4–3.7: the acks are 4.
  if (plain === 2)
    return `consistent with MQTT ${g.direction === 'c2s' ? 'PINGREQ' : 'PINGRESP'} keep-alives`;
  if (plain === 4) return 'consistent with MQTT acknowledgements (PUBACK, PUBREC, PUBREL, PUBCOMP)';
  if (g.periodic && g.direction === 'c2s') return 'consistent with a periodic telemetry PUBLISH';
  if (g.periodic) return 'consistent with messages delivered to a subscriber at a fixed rate';
  return 'messages of one size at irregular times';
}

/** A duration for a report: µs, ms or s with one decimal. */
export function formatInterval(us: number): string {
  if (us < 1000) return `${us} µs`;
  if (us < 10_000) return `${(us / 1000).toFixed(1)} ms`;
  if (us < 1_000_000) return `${Math.round(us / 1000)} ms`;
  return `${(us / 1_000_000).toFixed(1)} s`;
}

/** Min, median and max; sorts `values` in place (callers pass a fresh array). */
function range(values: Float64Array): Range {
  const s = values.sort();
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
  return { min: s[0]!, median, max: s.at(-1)! };
}

/** One observation per size group: metadata the encryption leaves exposed. */
export function trafficObservations(t: TrafficAnalysis, max = 10): Observation[] {
  return t.groups.slice(0, max).map((g) => {
    const members: RecordView[] = [];
    for (const r of t.records[g.direction]) {
      if (r.recordLength < g.recordLength.min || r.recordLength > g.recordLength.max) continue;
      members.push(r);
      if (members.length === 3) break; // the evidence lists the first three
    }
    const rhythm = g.periodic && g.intervalUs ? ` every ${formatInterval(g.intervalUs.median)}` : '';
    return observation(
      'traffic.pattern',
      'exposed',
      `${g.direction} ~${g.recordLength.median}-byte records ×${g.count}${rhythm}`,
      g.inference,
      members.slice(0, 3).map((r) => ({
        direction: g.direction,
        timeUs: r.timeUs,
        offset: r.offset,
        length: r.recordLength + RECORD_HEADER,
      })),
    );
  });
}
