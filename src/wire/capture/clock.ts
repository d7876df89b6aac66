import type { Clock } from '../../core/clock.js';

/**
 * Microseconds since the epoch for capture timestamps. An injected Clock gives its milliseconds
 * ×1000 (reproducible runs); without one, the wall clock at start plus a monotonic high-resolution
 * offset, so packets microseconds apart are not stamped with the same millisecond.
 */
export function microsecondClock(clock?: Clock): () => number {
  if (clock !== undefined) return () => clock.now().getTime() * 1000;
  const originUs = Date.now() * 1000;
  const start = process.hrtime.bigint();
  return () => originUs + Number((process.hrtime.bigint() - start) / 1000n);
}
