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
  const bySize = [...records].sort((a, b) => a.recordLength - b.recordLength);
  const clusters: RecordView[][] = [];
  for (const r of bySize) {
    const last = clusters.at(-1);
    const floor = last?.[0]?.recordLength;
    if (last && floor !== undefined && r.recordLength - floor <= Math.floor(floor * SIZE_TOLERANCE))
      last.push(r);
    else clusters.push([r]);
  }
  return clusters.filter((c) => c.length >= 2).map((c) => describe(direction, c, plaintextIsUpperBound));
}

function describe(direction: Direction, members: RecordView[], upper: boolean): SizeGroup {
  const times = members.map((r) => r.timeUs).sort((a, b) => a - b);
  const intervals = times.slice(1).map((t, i) => t - times[i]!);
  const interval = intervals.length > 0 ? range(intervals) : undefined;
  const regular =
    interval !== undefined &&
    interval.median > 0 &&
    intervals.filter((d) => Math.abs(d - interval.median) <= interval.median * JITTER).length >=
      REGULAR_SHARE * intervals.length;
  const plain = members.flatMap((r) => (r.plaintextLength === undefined ? [] : [r.plaintextLength]));
  const group = {
    direction,
    count: members.length,
    recordLength: range(members.map((r) => r.recordLength)),
    ...(plain.length === members.length && { plaintextLength: range(plain) }),
    ...(interval && { intervalUs: interval }),
    periodic: regular && members.length >= MIN_PERIODIC,
    firstUs: times[0]!,
    lastUs: times.at(-1)!,
  };
  return { ...group, inference: inference(group, upper) };
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

function range(values: readonly number[]): Range {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
  return { min: s[0]!, median, max: s.at(-1)! };
}

/** One observation per size group: metadata the encryption leaves exposed. */
export function trafficObservations(t: TrafficAnalysis, max = 10): Observation[] {
  return t.groups.slice(0, max).map((g) => {
    const members = t.records[g.direction].filter(
      (r) => r.recordLength >= g.recordLength.min && r.recordLength <= g.recordLength.max,
    );
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
