/**
 * A packet object reduced to its meaning, for comparing our codec with mqtt-packet's: drops
 * mqtt-packet's `length`, undefined/null fields, and the fixed-header flag fields it copies onto
 * packets whose flags are fixed (§2.2.2); keys sorted.
 */
export function normalizePacket(value: unknown, top = true): unknown {
  if (Buffer.isBuffer(value) || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => normalizePacket(v, false));
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  const publish = record.cmd === 'publish';
  for (const key of Object.keys(record).sort()) {
    if (record[key] === undefined || record[key] === null) continue;
    if (top && (key === 'length' || (!publish && (key === 'retain' || key === 'qos' || key === 'dup'))))
      continue;
    out[key] = normalizePacket(record[key], false);
  }
  return out;
}
