import type { KeyExchangeKind } from './cipher-suites.js';
import { TlsParseError, TlsReader } from './reader.js';
import { GROUP_NAMES, named, type NamedCode, SIGNATURE_SCHEME_NAMES } from './registry.js';
import type { ServerKeyExchange } from './types.js';

/** RFC 8422 §5.4 ECCurveType named_curve; explicit curves are deprecated there. */
const NAMED_CURVE = 3;

/** RFC 5246 §4.7 / §7.4.3: DigitallySigned, with its algorithm pair from TLS 1.2 on. */
function signed(r: TlsReader, tls12: boolean): { signatureScheme?: NamedCode; signatureLength: number } {
  const scheme = tls12 ? named(SIGNATURE_SCHEME_NAMES, r.u16('signature algorithm')) : undefined;
  const signatureLength = r.opaque(2, 'signature').length;
  return scheme ? { signatureScheme: scheme, signatureLength } : { signatureLength };
}

/** ServerKeyExchange: ECDHE (RFC 8422 §5.4) or DHE (RFC 5246 §7.4.3) parameters and signature. */
export function parseServerKeyExchange(
  body: Uint8Array,
  kx: KeyExchangeKind | undefined,
  tls12: boolean,
): ServerKeyExchange {
  const r = new TlsReader(body);
  if (kx === 'ecdhe') {
    const curveType = r.u8('curve_type');
    if (curveType !== NAMED_CURVE) {
      throw new TlsParseError(`ServerKeyExchange curve_type ${curveType} is not named_curve`, 0);
    }
    const group = named(GROUP_NAMES, r.u16('namedcurve'));
    // RFC 8422 §5.4: opaque point<1..2^8-1>.
    const publicKeyLength = r.opaque(1, 'ECPoint', 1).length;
    const { signatureScheme } = signed(r, tls12);
    r.done('ServerKeyExchange');
    return {
      keyExchange: 'ecdhe',
      curveType,
      group,
      publicKeyLength,
      ...(signatureScheme && { signatureScheme }),
    };
  }
  if (kx === 'dhe') {
    // RFC 5246 §7.4.3: opaque dh_p<1..2^16-1>, dh_g<1..2^16-1>, dh_Ys<1..2^16-1>.
    const p = r.opaque(2, 'dh_p', 1);
    r.opaque(2, 'dh_g', 1);
    const publicKeyLength = r.opaque(2, 'dh_Ys', 1).length;
    const { signatureScheme } = signed(r, tls12);
    r.done('ServerKeyExchange');
    return {
      keyExchange: 'dhe',
      primeBits: bitLength(p),
      publicKeyLength,
      ...(signatureScheme && { signatureScheme }),
    };
  }
  return { keyExchange: 'unknown' };
}

/** ClientKeyExchange (RFC 5246 §7.4.7, RFC 8422 §5.7): only the public value's size is kept. */
export function parseClientKeyExchange(
  body: Uint8Array,
  kx: KeyExchangeKind | undefined,
): { keyExchange: 'ecdhe' | 'dhe' | 'rsa' | 'unknown'; publicValueLength?: number } {
  const r = new TlsReader(body);
  let out: { keyExchange: 'ecdhe' | 'dhe' | 'rsa'; publicValueLength: number };
  // RFC 8422 §5.7: opaque point<1..2^8-1>.
  if (kx === 'ecdhe') out = { keyExchange: 'ecdhe', publicValueLength: r.opaque(1, 'ecdh_Yc', 1).length };
  // RFC 5246 §7.4.7.2: opaque dh_Yc<1..2^16-1>.
  else if (kx === 'dhe') out = { keyExchange: 'dhe', publicValueLength: r.opaque(2, 'dh_Yc', 1).length };
  // RFC 5246 §7.4.7.1: EncryptedPreMasterSecret, a vector from TLS 1.0 on.
  else if (kx === 'rsa')
    out = { keyExchange: 'rsa', publicValueLength: r.opaque(2, 'EncryptedPreMasterSecret').length };
  else return { keyExchange: 'unknown' };
  r.done('ClientKeyExchange');
  return out;
}

/** CertificateVerify of TLS ≤ 1.2 (RFC 5246 §7.4.8): a DigitallySigned over the transcript. */
export function parseCertificateVerify(
  body: Uint8Array,
  tls12: boolean,
): { signatureScheme?: NamedCode; signatureLength: number } {
  const r = new TlsReader(body);
  const out = signed(r, tls12);
  r.done('CertificateVerify');
  return out;
}

function bitLength(n: Uint8Array): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  return i === n.length ? 0 : (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}
