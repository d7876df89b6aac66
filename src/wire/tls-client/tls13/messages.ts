import { ByteReader, concat, u16, u8, vector } from '../bytes.js';
import { HandshakeType, MAX_CHAIN_LENGTH } from '../codes.js';
import { handshakeFailure, protocolFailure } from '../failure.js';
import { handshakeMessage } from '../messages/frame.js';
import { Ext, HandshakeType13 } from './codes.js';

/** An extension block, duplicates refused (RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type"). */
export function readExtensions(data: Uint8Array, what: string): Map<number, Uint8Array> {
  const r = new ByteReader(data, what);
  const out = new Map<number, Uint8Array>();
  while (r.remaining > 0) {
    const type = r.u16();
    const body = r.vector(2, 0, 0xffff, `extension ${type}`);
    if (out.has(type))
      throw protocolFailure('illegal_parameter', `${what} repeats extension ${type}`, { extension: type });
    out.set(type, body.slice());
  }
  return out;
}

/** RFC 8446 §4.3.1 EncryptedExtensions: extensions<0..2^16-1>. */
export function parseEncryptedExtensions(body: Uint8Array): Map<number, Uint8Array> {
  const r = new ByteReader(body, 'EncryptedExtensions');
  const ext = readExtensions(r.vector(2, 0, 0xffff, 'extensions'), 'EncryptedExtensions');
  r.end();
  return ext;
}

export interface CertificateRequest13 {
  readonly context: Uint8Array;
  readonly signatureSchemes: readonly number[];
}

/** RFC 8446 §4.3.2 CertificateRequest: certificate_request_context<0..2^8-1>, extensions<2..2^16-1>. */
export function parseCertificateRequest13(body: Uint8Array): CertificateRequest13 {
  const r = new ByteReader(body, 'CertificateRequest');
  const context = r.vector(1, 0, 0xff, 'certificate_request_context').slice();
  const ext = readExtensions(r.vector(2, 2, 0xffff, 'extensions'), 'CertificateRequest');
  r.end();
  // RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be specified"; §9.2 missing_extension.
  const algs = ext.get(Ext.signatureAlgorithms);
  if (!algs) throw handshakeFailure('missing_extension', 'CertificateRequest without signature_algorithms');
  const a = new ByteReader(algs, 'signature_algorithms');
  const list = a.vector(2, 2, 0xfffe, 'supported_signature_algorithms');
  a.end();
  if (list.length % 2 !== 0) a.fail('odd length');
  const signatureSchemes: number[] = [];
  for (let i = 0; i < list.length; i += 2) signatureSchemes.push((list[i]! << 8) | list[i + 1]!);
  // RFC 8446 §4.3.2: "Clients MUST ignore unrecognized extensions" — the others are not read.
  return { context, signatureSchemes };
}

export interface Certificate13 {
  readonly context: Uint8Array;
  readonly chain: readonly Uint8Array[];
  /** Extension types found in any CertificateEntry (we request none, so any is refused). */
  readonly entryExtensions: readonly number[];
}

/** RFC 8446 §4.4.2 Certificate: context<0..2^8-1>, CertificateEntry certificate_list<0..2^24-1>. */
export function parseCertificate13(body: Uint8Array): Certificate13 {
  const r = new ByteReader(body, 'Certificate');
  const context = r.vector(1, 0, 0xff, 'certificate_request_context').slice();
  const list = new ByteReader(r.vector(3, 0, 0xffffff, 'certificate_list'), 'Certificate');
  r.end();
  const chain: Uint8Array[] = [];
  const entryExtensions: number[] = [];
  while (list.remaining > 0) {
    if (chain.length === MAX_CHAIN_LENGTH)
      throw protocolFailure('decode_error', `Certificate: more than ${MAX_CHAIN_LENGTH} certificates`, {
        message: 'Certificate',
      });
    // RFC 8446 §4.4.2: opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>.
    chain.push(list.vector(3, 1, 0xffffff, 'cert_data').slice());
    entryExtensions.push(
      ...readExtensions(list.vector(2, 0, 0xffff, 'extensions'), 'CertificateEntry').keys(),
    );
  }
  return { context, chain, entryExtensions };
}

/** Our Certificate: the request's context, then each certificate with no extensions. */
export function encodeCertificate13(context: Uint8Array, chain: readonly Uint8Array[]): Uint8Array {
  const entries = chain.map((c) => concat(vector(3, c), vector(2, new Uint8Array(0))));
  return handshakeMessage(
    HandshakeType.certificate,
    concat(vector(1, context), vector(3, concat(...entries))),
  );
}

export interface CertificateVerify13 {
  readonly scheme: number;
  readonly signature: Uint8Array;
}

/** RFC 8446 §4.4.3 CertificateVerify: SignatureScheme algorithm; opaque signature<0..2^16-1>. */
export function parseCertificateVerify13(body: Uint8Array): CertificateVerify13 {
  const r = new ByteReader(body, 'CertificateVerify');
  const scheme = r.u16();
  const signature = r.vector(2, 1, 0xffff, 'signature').slice();
  r.end();
  return { scheme, signature };
}

export function encodeCertificateVerify13(scheme: number, signature: Uint8Array): Uint8Array {
  return handshakeMessage(HandshakeType.certificateVerify, concat(u16(scheme), vector(2, signature)));
}

/** RFC 8446 §4.4.4: Finished carries verify_data of Hash.length bytes. */
export function encodeFinished13(verifyData: Uint8Array): Uint8Array {
  return handshakeMessage(HandshakeType.finished, verifyData);
}

/** RFC 8446 §4.6.1 NewSessionTicket, checked for syntax and dropped: we never resume. */
export function checkNewSessionTicket(body: Uint8Array): void {
  const r = new ByteReader(body, 'NewSessionTicket');
  r.take(8); // ticket_lifetime, ticket_age_add
  r.vector(1, 0, 0xff, 'ticket_nonce');
  r.vector(2, 1, 0xffff, 'ticket');
  readExtensions(r.vector(2, 0, 0xfffe, 'extensions'), 'NewSessionTicket');
  r.end();
}

/** RFC 8446 §4.6.3 KeyUpdateRequest. */
export const KeyUpdateRequest = Object.freeze({ notRequested: 0, requested: 1 } as const);

export function parseKeyUpdate(body: Uint8Array): number {
  const r = new ByteReader(body, 'KeyUpdate');
  const request = r.u8();
  r.end();
  // RFC 8446 §4.6.3: "If an implementation receives a KeyUpdate with any other value, it MUST
  // terminate the connection with an "illegal_parameter" alert."
  if (request !== KeyUpdateRequest.notRequested && request !== KeyUpdateRequest.requested)
    throw protocolFailure('illegal_parameter', `KeyUpdate request_update ${request}`, {
      message: 'KeyUpdate',
    });
  return request;
}

export function encodeKeyUpdate(request: number): Uint8Array {
  return handshakeMessage(HandshakeType13.keyUpdate, u8(request));
}

/** RFC 8446 §4.4.1: message_hash ‖ 00 00 Hash.length ‖ Hash(ClientHello1). */
export function messageHash(hash: Uint8Array): Uint8Array {
  return handshakeMessage(HandshakeType13.messageHash, hash);
}
