import { concat, u16, vector } from '../bytes.js';
import { HandshakeType, VERIFY_DATA_LENGTH } from '../codes.js';
import { handshakeMessage } from './frame.js';

/** RFC 8422 §5.7: ClientECDiffieHellmanPublic, the point as opaque <1..2^8-1>. */
export function encodeClientKeyExchange(publicPoint: Uint8Array): Uint8Array {
  return handshakeMessage(HandshakeType.clientKeyExchange, vector(1, publicPoint));
}

/** RFC 5246 §7.4.8: digitally-signed = SignatureAndHashAlgorithm ‖ signature<0..2^16-1>. */
export function encodeCertificateVerify(scheme: number, signature: Uint8Array): Uint8Array {
  return handshakeMessage(HandshakeType.certificateVerify, concat(u16(scheme), vector(2, signature)));
}

/** RFC 5246 §7.4.9: Finished carries verify_data only. */
export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  if (verifyData.length !== VERIFY_DATA_LENGTH) throw new RangeError('verify_data is 12 bytes');
  return handshakeMessage(HandshakeType.finished, verifyData);
}
