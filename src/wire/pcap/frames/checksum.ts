/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * the data taken as big-endian 16-bit words. Several parts are summed as if concatenated, so a
 * TCP checksum is `internetChecksum(pseudoHeader, segment)` without copying the segment.
 */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  return ~onesComplementSum(parts) & 0xffff;
}

/** The folded 16-bit one's complement sum; a valid header sums (checksum included) to 0xffff. */
export function onesComplementSum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd = false; // the previous part ended half-way through a 16-bit word
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      sum += odd ? part[i]! : part[i]! << 8;
      odd = !odd;
    }
    sum = fold(sum);
  }
  // RFC 1071 §4.1: add back the carries until none are left.
  while (sum > 0xffff) sum = fold(sum);
  return sum;
}

/** Carry the bits above 16 back in; division, not >>>, since a long part's sum passes 2^32. */
function fold(sum: number): number {
  return (sum % 0x10000) + Math.floor(sum / 0x10000);
}
