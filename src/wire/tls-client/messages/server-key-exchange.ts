import { ByteReader } from '../bytes.js';
import { handshakeFailure } from '../failure.js';

/** ServerKeyExchange for ECDHE: ServerECDHParams and their signature (RFC 8422 §5.4). */
export interface EcdheServerKeyExchange {
  readonly namedCurve: number;
  readonly publicPoint: Uint8Array;
  /** The exact ServerECDHParams bytes, which the signature covers after the two randoms. */
  readonly params: Uint8Array;
  readonly signatureScheme: number;
  readonly signature: Uint8Array;
}

const NAMED_CURVE = 3; // RFC 8422 §5.4 ECCurveType.named_curve

export function parseServerKeyExchange(body: Uint8Array): EcdheServerKeyExchange {
  const r = new ByteReader(body, 'ServerKeyExchange');
  const curveType = r.u8();
  // RFC 8422 §5.4: explicit_prime and explicit_char2 are deprecated; only named curves remain.
  if (curveType !== NAMED_CURVE)
    throw handshakeFailure(
      'illegal_parameter',
      `ServerKeyExchange curve type ${curveType} is not named_curve`,
    );
  const namedCurve = r.u16();
  // RFC 8422 §5.4: opaque point <1..2^8-1>.
  const publicPoint = r.vector(1, 1, 0xff, 'ECPoint').slice();
  const params = body.slice(0, 4 + publicPoint.length);
  // RFC 5246 §7.4.3 / RFC 8422 §5.4: digitally-signed, with its SignatureAndHashAlgorithm in 1.2.
  const signatureScheme = r.u16();
  const signature = r.vector(2, 1, 0xffff, 'signature').slice();
  r.end();
  return { namedCurve, publicPoint, params, signatureScheme, signature };
}
