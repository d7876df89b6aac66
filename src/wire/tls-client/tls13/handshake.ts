import { timingSafeEqual } from 'node:crypto';
import { ByteReader, toHex } from '../bytes.js';
import { HandshakeType } from '../codes.js';
import { handshakeFailure, protocolFailure } from '../failure.js';
import type { HandshakeMessage } from '../handshake-buffer.js';
import type { ClientHelloOffer } from '../hello.js';
import { groupById } from '../key-share.js';
import { handshakeMessage } from '../messages/frame.js';
import { parseServerHello } from '../messages/server-hello.js';
import type { ClientSettings } from '../options.js';
import { type AuthenticateParams, authenticateServer, type ServerIdentity } from '../server-auth.js';
import type { SignatureScheme } from '../signature-schemes.js';
import type { Tls13CipherSuite } from './cipher-suites.js';
import { CLIENT_SIGNATURE_CONTEXT, Ext, HandshakeType13, SERVER_SIGNATURE_CONTEXT } from './codes.js';
import {
  finishedVerifyData13,
  HASH_LENGTH,
  KeySchedule,
  type TrafficKey,
  type TrafficSecrets,
  trafficKey,
  transcriptHash13,
} from './key-schedule.js';
import {
  type CertificateRequest13,
  encodeCertificate13,
  encodeCertificateVerify13,
  encodeFinished13,
  messageHash,
  parseCertificate13,
  parseCertificateRequest13,
  parseCertificateVerify13,
  parseEncryptedExtensions,
} from './messages.js';
import { acceptServerHello13 } from './server-hello.js';
import { chooseCredential13, signedContent, verifyServerSignature } from './signatures.js';

/** Where the client is in RFC 8446 §2's full handshake (certificate-based, no PSK). */
export type Handshake13State =
  | 'wait-server-hello'
  | 'wait-encrypted-extensions'
  | 'wait-certificate-request'
  | 'wait-certificate'
  | 'wait-certificate-verify'
  | 'wait-finished'
  | 'done';

export type Action13 =
  | { readonly kind: 'none' }
  /** RFC 8446 §4.1.4: a HelloRetryRequest; send this second ClientHello (unprotected). */
  | { readonly kind: 'retry'; readonly clientHello: Uint8Array }
  /** After ServerHello: read with the server's handshake key, write with ours (RFC 8446 §7.3). */
  | {
      readonly kind: 'handshake-keys';
      readonly suite: Tls13CipherSuite;
      readonly read: TrafficKey;
      readonly write: TrafficKey;
    }
  /**
   * After the server Finished: our flight under our handshake key, then the application keys
   * both ways; the secrets stay with the connection for KeyUpdate (RFC 8446 §7.2).
   */
  | {
      readonly kind: 'finished';
      readonly flight: readonly Uint8Array[];
      readonly read: TrafficKey;
      readonly write: TrafficKey;
      readonly secrets: TrafficSecrets;
    };

/** What a TLS 1.3 connection agreed, for callers and for the lab's report. */
export interface Tls13NegotiatedParameters {
  readonly version: 'TLSv1.3';
  readonly cipherSuite: string;
  readonly group: string;
  readonly serverSignatureScheme: string;
  readonly helloRetryRequest: boolean;
  readonly alpnProtocol: string | undefined;
  /** DER, leaf first, as the server sent them. */
  readonly peerCertificates: readonly Uint8Array[];
  readonly authorized: boolean;
  readonly authorizationFailures: readonly string[];
  readonly clientCertificateRequested: boolean;
  readonly clientCertificateSent: boolean;
  readonly clientSignatureScheme: string | undefined;
}

const NAMES = new Map<number, string>(
  [...Object.entries(HandshakeType), ...Object.entries(HandshakeType13)].map(([k, v]) => [v, k]),
);

// RFC 8446 §4.2 table: what EncryptedExtensions may carry, of what we (or a test's ClientHello) offer.
const IN_ENCRYPTED_EXTENSIONS: ReadonlySet<number> = new Set([
  Ext.serverName,
  Ext.maxFragmentLength,
  Ext.supportedGroups,
  Ext.alpn,
  Ext.recordSizeLimit,
  Ext.earlyData,
]);

/** The client side of the TLS 1.3 handshake, message by message; records are the connection's. */
export class Tls13Handshake {
  #state: Handshake13State = 'wait-server-hello';
  readonly #s: ClientSettings;
  readonly #hello: ClientHelloOffer;
  readonly #authenticate: (p: AuthenticateParams) => ServerIdentity;
  #transcript: Uint8Array[];
  #retried: Tls13CipherSuite | undefined;
  #suite: Tls13CipherSuite | undefined;
  #group = '';
  #schedule: KeySchedule | undefined;
  #hs: TrafficSecrets | undefined;
  #server: ServerIdentity | undefined;
  #serverScheme: SignatureScheme | undefined;
  #request: CertificateRequest13 | undefined;
  #clientScheme: SignatureScheme | undefined;
  #alpn: string | undefined;

  constructor(settings: ClientSettings, hello: ClientHelloOffer, authenticate = authenticateServer) {
    this.#s = settings;
    this.#hello = hello;
    this.#authenticate = authenticate;
    this.#transcript = [hello.message];
  }

  get state(): Handshake13State {
    return this.#state;
  }

  /** Between ServerHello (or HelloRetryRequest) and the server Finished, RFC 8446 §5 lets a CCS be dropped. */
  get acceptsChangeCipherSpec(): boolean {
    return this.#retried !== undefined || (this.#state !== 'wait-server-hello' && this.#state !== 'done');
  }

  async handle(msg: HandshakeMessage): Promise<Action13> {
    switch (this.#state) {
      case 'wait-server-hello':
        return this.#onServerHello(this.#expect(msg, HandshakeType.serverHello, false));
      case 'wait-encrypted-extensions':
        this.#onEncryptedExtensions(this.#expect(msg, HandshakeType13.encryptedExtensions));
        return { kind: 'none' };
      case 'wait-certificate-request':
        // RFC 8446 §2: CertificateRequest is optional and comes before Certificate.
        if (msg.type === HandshakeType.certificateRequest) {
          this.#onCertificateRequest(this.#expect(msg, HandshakeType.certificateRequest));
          return { kind: 'none' };
        }
        this.#onCertificate(this.#expect(msg, HandshakeType.certificate));
        return { kind: 'none' };
      case 'wait-certificate':
        this.#onCertificate(this.#expect(msg, HandshakeType.certificate));
        return { kind: 'none' };
      case 'wait-certificate-verify':
        this.#onCertificateVerify(msg);
        return { kind: 'none' };
      case 'wait-finished':
        return this.#onFinished(msg);
      default:
        throw this.#unexpected(msg.type);
    }
  }

  parameters(): Tls13NegotiatedParameters | undefined {
    const server = this.#server;
    if (this.#state !== 'done' || !server || !this.#suite) return undefined;
    return Object.freeze({
      version: 'TLSv1.3',
      cipherSuite: this.#suite.name,
      group: this.#group,
      serverSignatureScheme: this.#serverScheme!.name,
      helloRetryRequest: this.#retried !== undefined,
      alpnProtocol: this.#alpn,
      peerCertificates: Object.freeze(server.certificates.map((c) => c.der)),
      authorized: server.authorized,
      authorizationFailures: Object.freeze(server.failures.map((f) => f.reason)),
      clientCertificateRequested: this.#request !== undefined,
      clientCertificateSent: this.#clientScheme !== undefined,
      clientSignatureScheme: this.#clientScheme?.name,
    });
  }

  destroy(): void {
    this.#schedule?.destroy();
    this.#hs?.client.fill(0);
    this.#hs?.server.fill(0);
  }

  // RFC 8446 §4: messages in the wrong order are unexpected_message (§6.2).
  #expect(msg: HandshakeMessage, type: number, hash = true): Uint8Array {
    if (msg.type !== type) throw this.#unexpected(msg.type);
    if (hash) this.#transcript.push(msg.raw);
    return msg.body;
  }

  #unexpected(type: number) {
    const name = NAMES.get(type) ?? `type ${type}`;
    return protocolFailure(
      'unexpected_message',
      `unexpected handshake message ${name} in state ${this.#state}`,
      {
        handshakeType: type,
        state: this.#state,
      },
    );
  }

  #hash(): Uint8Array {
    return transcriptHash13(this.#suite!.hash, this.#transcript);
  }

  #onServerHello(body: Uint8Array): Action13 {
    const sh = parseServerHello(body);
    // RFC 8446 §4.2.1: a TLS 1.3-only client facing a server that does not select 1.3 aborts with protocol_version.
    if (!sh.extensions.has(Ext.supportedVersions))
      throw handshakeFailure('protocol_version', 'the server does not speak TLS 1.3 (no supported_versions)');
    const offer = this.#hello.offer;
    const judged = acceptServerHello13(sh, {
      sessionId: offer.sessionId,
      suites: offer.suites,
      groups: offer.groups,
      extensions: offer.extensions,
      shareGroups: this.#hello.shareGroups,
    });
    const raw = handshakeMessage(HandshakeType.serverHello, body);
    if (judged.kind === 'hello-retry-request') {
      // RFC 8446 §4.1.4: "If a client receives a second HelloRetryRequest in the same connection
      // ... it MUST abort the handshake with an "unexpected_message" alert."
      if (this.#retried) throw protocolFailure('unexpected_message', 'a second HelloRetryRequest');
      this.#retried = judged.suite;
      // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash(Hash(ClientHello1)).
      const ch1 = transcriptHash13(judged.suite.hash, this.#transcript);
      const clientHello = this.#hello.retry(judged.selectedGroup, judged.cookie);
      this.#transcript = [messageHash(ch1), raw, clientHello];
      return { kind: 'retry', clientHello };
    }
    // RFC 8446 §4.1.4: the ServerHello's cipher suite must be the HelloRetryRequest's.
    if (this.#retried && this.#retried.id !== judged.suite.id)
      throw handshakeFailure(
        'illegal_parameter',
        'the ServerHello changes the cipher suite of the HelloRetryRequest',
      );
    this.#transcript.push(raw);
    const suite = (this.#suite = judged.suite);
    const share = this.#hello.share(judged.group)!;
    this.#group = groupById(judged.group) ?? `0x${judged.group.toString(16)}`;
    // RFC 8446 §7.4: the (EC)DHE shared secret; key-share.ts checks the point (§4.2.8.2).
    const shared = share.deriveSecret(judged.keyExchange);
    const ks = (this.#schedule = new KeySchedule(suite.hash));
    ks.toHandshake(shared);
    shared.fill(0);
    const hs = (this.#hs = ks.handshakeTrafficSecrets(this.#hash()));
    this.#log('CLIENT_HANDSHAKE_TRAFFIC_SECRET', hs.client);
    this.#log('SERVER_HANDSHAKE_TRAFFIC_SECRET', hs.server);
    this.#state = 'wait-encrypted-extensions';
    return {
      kind: 'handshake-keys',
      suite,
      read: trafficKey(suite.hash, hs.server, suite.keyLength),
      write: trafficKey(suite.hash, hs.client, suite.keyLength),
    };
  }

  #onEncryptedExtensions(body: Uint8Array): void {
    const offered = this.#hello.offer;
    for (const [type, data] of parseEncryptedExtensions(body)) {
      // RFC 8446 §4.2: unsolicited → unsupported_extension; not for this message → illegal_parameter.
      if (!offered.extensions.has(type))
        throw handshakeFailure(
          'unsupported_extension',
          `the server sent extension ${type} we did not offer`,
          {
            extension: type,
          },
        );
      if (!IN_ENCRYPTED_EXTENSIONS.has(type))
        throw handshakeFailure(
          'illegal_parameter',
          `extension ${type} is not allowed in EncryptedExtensions`,
          {
            extension: type,
          },
        );
      this.#checkEncryptedExtension(type, data, offered.alpn);
    }
    this.#state = 'wait-certificate-request';
  }

  #checkEncryptedExtension(type: number, data: Uint8Array, alpn: readonly string[]): void {
    const r = new ByteReader(data, `extension ${type}`);
    if (type === Ext.serverName) {
      // RFC 6066 §3: the server's server_name is empty.
      r.end();
    } else if (type === Ext.alpn) {
      // RFC 7301 §3.1: the server answers with exactly one protocol, one of ours; a name we did
      // not offer is illegal_parameter.
      const names = new ByteReader(r.vector(2, 2, 0xffff, 'protocol_name_list'), 'ALPN');
      r.end();
      const name = new TextDecoder().decode(names.vector(1, 1, 0xff, 'ProtocolName'));
      names.end();
      if (!alpn.includes(name))
        throw handshakeFailure('illegal_parameter', 'the server selected an ALPN protocol we did not offer');
      this.#alpn = name;
    } else if (type === Ext.recordSizeLimit) {
      // RFC 8449 §4: uint16 RecordSizeLimit, at least 64, else illegal_parameter. Only a test's
      // ClientHello offers it; our own never does, so it is checked and not applied.
      const limit = r.u16();
      r.end();
      if (limit < 64) throw handshakeFailure('illegal_parameter', `record_size_limit ${limit}`);
    }
    // supported_groups: RFC 8446 §4.2.7 "clients MUST NOT act upon any information found in
    // "supported_groups" prior to successful completion of the handshake" — not read.
  }

  #onCertificateRequest(body: Uint8Array): void {
    const request = parseCertificateRequest13(body);
    // RFC 8446 §4.3.2: during the handshake the context "SHALL be zero length".
    if (request.context.length !== 0)
      throw handshakeFailure('illegal_parameter', 'CertificateRequest context is not empty in the handshake');
    this.#request = request;
    this.#state = 'wait-certificate';
  }

  #onCertificate(body: Uint8Array): void {
    const cert = parseCertificate13(body);
    // RFC 8446 §4.4.2: "In the case of server authentication, this field SHALL be zero length."
    if (cert.context.length !== 0)
      throw handshakeFailure('illegal_parameter', 'the server Certificate has a request context');
    // RFC 8446 §4.4.2: server certificate extensions "MUST correspond to ones from the ClientHello"; we send none.
    if (cert.entryExtensions.length > 0)
      throw handshakeFailure(
        'unsupported_extension',
        `CertificateEntry extension ${cert.entryExtensions[0]}`,
        {
          extension: cert.entryExtensions[0],
        },
      );
    // RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST abort
    // the handshake with a "decode_error" alert."
    if (cert.chain.length === 0)
      throw protocolFailure('decode_error', 'the server sent an empty Certificate', {
        message: 'Certificate',
      });
    this.#server = this.#authenticate({
      chain: cert.chain,
      anchors: this.#s.anchors,
      serverName: this.#s.serverName,
      at: this.#s.clock.now(),
      rejectUnauthorized: this.#s.rejectUnauthorized,
      auth: 'tls13',
      curves: this.#s.groups,
    });
    this.#state = 'wait-certificate-verify';
  }

  #onCertificateVerify(msg: HandshakeMessage): void {
    if (msg.type !== HandshakeType.certificateVerify) throw this.#unexpected(msg.type);
    const cv = parseCertificateVerify13(msg.body);
    // RFC 8446 §4.4.3: the signature covers the transcript through Certificate.
    const content = signedContent(SERVER_SIGNATURE_CONTEXT, this.#hash());
    this.#serverScheme = verifyServerSignature(
      this.#hello.offer.signatureSchemes,
      cv.scheme,
      this.#server!.key,
      content,
      cv.signature,
    );
    this.#transcript.push(msg.raw);
    this.#state = 'wait-finished';
  }

  async #onFinished(msg: HandshakeMessage): Promise<Action13> {
    if (msg.type !== HandshakeType.finished) throw this.#unexpected(msg.type);
    const suite = this.#suite!;
    const hs = this.#hs!;
    // RFC 8446 §4.4.4: verify_data is Hash.length bytes.
    if (msg.body.length !== HASH_LENGTH[suite.hash])
      throw protocolFailure('decode_error', `Finished of ${msg.body.length} bytes`, { message: 'Finished' });
    const expected = finishedVerifyData13(suite.hash, hs.server, this.#hash());
    // RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the contents are correct
    // and if incorrect MUST terminate the connection with a "decrypt_error" alert" (constant time).
    if (!timingSafeEqual(expected, msg.body))
      throw handshakeFailure('decrypt_error', "the server's Finished does not verify");
    this.#transcript.push(msg.raw);
    const ks = this.#schedule!;
    ks.toMaster();
    const secrets = ks.applicationTrafficSecrets(this.#hash());
    ks.destroy();
    this.#log('CLIENT_TRAFFIC_SECRET_0', secrets.client);
    this.#log('SERVER_TRAFFIC_SECRET_0', secrets.server);
    const flight: Uint8Array[] = [];
    const send = (m: Uint8Array) => {
      flight.push(m);
      this.#transcript.push(m);
    };
    if (this.#request) {
      const credential = chooseCredential13(this.#request.signatureSchemes, this.#s);
      // RFC 8446 §4.4.2: our Certificate echoes the request's (empty) context.
      send(encodeCertificate13(this.#request.context, credential?.chain ?? []));
      if (credential) {
        // RFC 8446 §4.4.3: the client signs 64 spaces ‖ "TLS 1.3, client CertificateVerify" ‖ 0 ‖
        // Transcript-Hash(…, Certificate); the Signer hashes it. Deliberately NOT checked against
        // the certificate's key: see docs/tls-client.md.
        const signature = await credential.sign(signedContent(CLIENT_SIGNATURE_CONTEXT, this.#hash()));
        send(encodeCertificateVerify13(credential.scheme.id, signature));
        this.#clientScheme = credential.scheme;
      }
    }
    // RFC 8446 §4.4.4: our Finished over the transcript through our CertificateVerify.
    send(encodeFinished13(finishedVerifyData13(suite.hash, hs.client, this.#hash())));
    hs.client.fill(0);
    hs.server.fill(0);
    this.#state = 'done';
    return {
      kind: 'finished',
      flight,
      read: trafficKey(suite.hash, secrets.server, suite.keyLength),
      write: trafficKey(suite.hash, secrets.client, suite.keyLength),
      secrets,
    };
  }

  #log(label: string, secret: Uint8Array): void {
    this.#s.keylog?.(`${label} ${toHex(this.#hello.random)} ${toHex(secret)}`);
  }
}
