/**
 * The mutation engine shared by the TLS 1.2 and 1.3 fuzz tests, and a memoized server
 * authentication (X.509 parsing and path validation cost milliseconds per identical chain).
 */
import type { ConnectionSeams } from './connection.js';
import { type AuthenticateParams, authenticateServer, type ServerIdentity } from './server-auth.js';

export type Rnd = () => number;
export const int = (rnd: Rnd, n: number) => Math.floor(rnd() * n);

/**
 * Where a mutation lands. Inside a certificate's DER body a change mostly tests the X.509
 * parser (pki/, fuzzed on its own) and costs milliseconds of path validation per case, so
 * only 2% of the positions that fall there are kept; the TLS framing around them is hit fully.
 */
function position(rnd: Rnd, length: number, certificates: readonly [number, number][]): number {
  for (let tries = 0; ; tries++) {
    const at = int(rnd, length);
    if (tries > 20 || rnd() < 0.02 || !certificates.some(([from, to]) => at >= from && at < to)) return at;
  }
}

/** One mutation of a valid byte stream: the classic fuzzing moves, plus pure noise. */
export function mutate(rnd: Rnd, bytes: Uint8Array, certificates: readonly [number, number][]): Uint8Array {
  const b = Uint8Array.from(bytes);
  const at = () => position(rnd, b.length, certificates);
  switch (int(rnd, 8)) {
    case 0: // flip 1–8 bits
      for (let i = 1 + int(rnd, 8); i > 0; i--) b[at()]! ^= 1 << int(rnd, 8);
      return b;
    case 1: // set a byte to a boundary value (lengths, types, versions)
      b[at()] = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff][int(rnd, 6)]!;
      return b;
    case 2: // truncate
      return b.subarray(0, int(rnd, b.length));
    case 3: {
      // delete a run
      const from = at();
      return Uint8Array.from([...b.subarray(0, from), ...b.subarray(from + 1 + int(rnd, 16))]);
    }
    case 4: {
      // insert random bytes
      const from = at();
      const ins = Array.from({ length: 1 + int(rnd, 16) }, () => int(rnd, 256));
      return Uint8Array.from([...b.subarray(0, from), ...ins, ...b.subarray(from)]);
    }
    case 5: {
      // duplicate a slice (a replayed record or message)
      const from = at();
      const to = from + 1 + int(rnd, 300);
      return Uint8Array.from([...b.subarray(0, to), ...b.subarray(from, to), ...b.subarray(to)]);
    }
    case 6: // pure noise, sometimes starting like a handshake record
      return Uint8Array.from({ length: int(rnd, 600) }, (_, i) =>
        i < 3 && rnd() < 0.5 ? [22, 3, 3][i]! : int(rnd, 256),
      );
    default: {
      // a 16-bit length field somewhere, rewritten
      const from = Math.min(at(), b.length - 2);
      const v = int(rnd, 0x10000);
      b[from] = v >> 8;
      b[from + 1] = v & 0xff;
      return b;
    }
  }
}

/** [start, end) of each certificate's DER inside a recorded flight. */
export function certificateRanges(flight: Uint8Array, ders: readonly Uint8Array[]): [number, number][] {
  const buf = Buffer.from(flight);
  return ders
    .map((d) => [buf.indexOf(Buffer.from(d)), d.length] as const)
    .filter(([from]) => from >= 0)
    .map(([from, n]) => [from, from + n]);
}

/**
 * The real server authentication, judged once per distinct input. It is a pure function of
 * its input (the clock is fixed), and X.509 parsing plus path validation cost milliseconds,
 * which 20,000 identical chains would turn into minutes. Failures are replayed too.
 */
const memo = new Map<string, { ok: ServerIdentity } | { err: unknown }>();
export const seams: ConnectionSeams = {
  authenticateServer(p: AuthenticateParams): ServerIdentity {
    const key = JSON.stringify([
      p.chain.map((c) => Buffer.from(c).toString('base64')),
      p.anchors.map((a) => a.serial),
      p.serverName,
      p.at.getTime(),
      p.rejectUnauthorized,
      p.auth,
      p.curves,
    ]);
    let hit = memo.get(key);
    if (!hit) {
      try {
        hit = { ok: authenticateServer(p) };
      } catch (err) {
        hit = { err };
      }
      memo.set(key, hit);
    }
    if ('err' in hit) throw hit.err;
    return hit.ok;
  },
};
