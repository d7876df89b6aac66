const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/**
 * The firmware's `base64Encode(derPtr, derLen)` into a byte buffer of the caller's, with a
 * line break every 64 characters (RFC 7468 §2). Node's own encoder returns a string, which
 * cannot be wiped afterwards; a buffer can.
 */
export function base64Into(data: Uint8Array, out: Uint8Array): number {
  let o = 0;
  let column = 0;
  const put = (code: number): void => {
    if (column === 64) {
      out[o++] = 0x0a;
      column = 0;
    }
    out[o++] = code;
    column++;
  };
  for (let i = 0; i < data.length; i += 3) {
    const a = data[i]!;
    const b = i + 1 < data.length ? data[i + 1]! : 0;
    const c = i + 2 < data.length ? data[i + 2]! : 0;
    put(CODES[a >> 2]!);
    put(CODES[((a & 3) << 4) | (b >> 4)]!);
    put(i + 1 < data.length ? CODES[((b & 15) << 2) | (c >> 6)]! : 0x3d);
    put(i + 2 < data.length ? CODES[c & 63]! : 0x3d);
  }
  return o;
}

/** Bytes base64Into needs for `length` input bytes, line breaks included. */
export function base64Size(length: number): number {
  const chars = Math.ceil(length / 3) * 4;
  return chars + Math.max(0, Math.ceil(chars / 64) - 1);
}
