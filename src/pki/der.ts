/**
 * Minimal bounded DER TLV reader. Signature checks need the exact bytes that were signed
 * (the TBS element as it appears in the input): re-serialising a parsed structure would
 * silently "fix" a non-canonical encoding and verify something the signer never signed.
 */
export interface Tlv {
  readonly tag: number;
  /** The whole element: tag, length and value. */
  readonly raw: Uint8Array;
  readonly value: Uint8Array;
}

export class DerError extends Error {}

const MAX_LENGTH_OCTETS = 4;

export function readTlv(input: Uint8Array, offset = 0): Tlv {
  if (offset + 2 > input.length) throw new DerError('truncated DER header');
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not used in X.509 structures');
  let len = input[offset + 1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // X.690 §10.1: DER forbids the indefinite form; lengths above 2^32 cannot fit in memory anyway.
    if (n === 0) throw new DerError('indefinite length is not DER');
    if (n > MAX_LENGTH_OCTETS) throw new DerError('DER length too large');
    if (offset + 2 + n > input.length) throw new DerError('truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + input[offset + 2 + i]!;
    header += n;
  }
  const end = offset + header + len;
  if (end > input.length)
    throw new DerError(`DER element claims ${len} bytes, only ${input.length - offset - header} left`);
  return { tag, raw: input.subarray(offset, end), value: input.subarray(offset + header, end) };
}

/** The direct children of a constructed element's value. */
export function readChildren(value: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < value.length) {
    const tlv = readTlv(value, off);
    out.push(tlv);
    off += tlv.raw.length;
  }
  return out;
}

/**
 * Split a SIGNED{...} structure (Certificate, CertificationRequest, CertificateList):
 * SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }, with nothing after it.
 */
export function splitSigned(der: Uint8Array): { tbs: Uint8Array; signature: Uint8Array } {
  const outer = readTlv(der);
  if (outer.tag !== 0x30) throw new DerError('not a DER SEQUENCE');
  if (outer.raw.length !== der.length) throw new DerError('trailing bytes after the DER structure');
  const parts = readChildren(outer.value);
  if (parts.length !== 3 || parts[0]!.tag !== 0x30 || parts[2]!.tag !== 0x03) {
    throw new DerError('not a signed structure (tbs, algorithm, signature)');
  }
  const bits = parts[2]!.value;
  if (bits.length < 1 || bits[0] !== 0) throw new DerError('signature BIT STRING has unused bits');
  return { tbs: parts[0]!.raw, signature: bits.subarray(1) };
}
