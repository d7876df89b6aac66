import { ByteReader } from '../bytes.js';
import { protocolFailure } from '../failure.js';

export interface ServerHello {
  readonly version: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly cipherSuite: number;
  readonly compression: number;
  /** Extension bodies by type, in the order received; duplicates already refused. */
  readonly extensions: ReadonlyMap<number, Uint8Array>;
}

/** RFC 5246 §7.4.1.3 ServerHello, syntax only; what it chose is judged by negotiate.ts. */
export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new ByteReader(body, 'ServerHello');
  const version = r.u16();
  const random = r.take(32).slice();
  const sessionId = r.vector(1, 0, 32, 'session_id').slice();
  const cipherSuite = r.u16();
  const compression = r.u8();
  const extensions = new Map<number, Uint8Array>();
  // RFC 5246 §7.4.1.3: the extensions block is optional; "the client MUST check for extensions".
  if (r.remaining > 0) {
    const ext = new ByteReader(r.vector(2, 0, 0xffff, 'extensions'), 'ServerHello extensions');
    while (ext.remaining > 0) {
      const type = ext.u16();
      const data = ext.vector(2, 0, 0xffff, `extension ${type}`);
      // RFC 5246 §7.4.1.4: "There MUST NOT be more than one extension of the same type."
      if (extensions.has(type))
        throw protocolFailure('illegal_parameter', `ServerHello repeats extension ${type}`, {
          extension: type,
        });
      extensions.set(type, data.slice());
    }
  }
  r.end();
  return { version, random, sessionId, cipherSuite, compression, extensions };
}
