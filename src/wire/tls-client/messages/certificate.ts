import { ByteReader, concat, vector } from '../bytes.js';
import { HandshakeType, MAX_CHAIN_LENGTH } from '../codes.js';
import { protocolFailure } from '../failure.js';
import { handshakeMessage } from './frame.js';

/** RFC 5246 §7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>, sender's certificate first. */
export function parseCertificateList(body: Uint8Array): Uint8Array[] {
  const r = new ByteReader(body, 'Certificate');
  const list = new ByteReader(r.vector(3, 0, 0xffffff, 'certificate_list'), 'Certificate');
  r.end();
  const out: Uint8Array[] = [];
  while (list.remaining > 0) {
    if (out.length === MAX_CHAIN_LENGTH)
      throw protocolFailure('decode_error', `Certificate: more than ${MAX_CHAIN_LENGTH} certificates`, {
        message: 'Certificate',
      });
    out.push(list.vector(3, 1, 0xffffff, 'ASN.1Cert').slice());
  }
  return out;
}

/** Our Certificate message: the configured chain, or an empty list (RFC 5246 §7.4.6). */
export function encodeCertificate(chain: readonly Uint8Array[]): Uint8Array {
  return handshakeMessage(HandshakeType.certificate, vector(3, concat(...chain.map((c) => vector(3, c)))));
}
