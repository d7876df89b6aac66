import { timingSafeEqual } from 'node:crypto';
import type { AeadCipher } from './aead.js';
import { concat, toHex } from './bytes.js';
import { chooseClientCredential } from './client-auth.js';
import { HandshakeType, VERIFY_DATA_LENGTH } from './codes.js';
import { handshakeFailure, protocolFailure } from './failure.js';
import type { HandshakeMessage } from './handshake-buffer.js';
import type { ClientHelloOffer } from './hello.js';
import { type EphemeralKey, generateEphemeral, groupById } from './key-share.js';
import { type CertificateRequest, parseCertificateRequest } from './messages/certificate-request.js';
import { encodeCertificate, parseCertificateList } from './messages/certificate.js';
import { encodeClientHello } from './messages/client-hello.js';
import {
  encodeCertificateVerify,
  encodeClientKeyExchange,
  encodeFinished,
} from './messages/client-messages.js';
import { parseServerHello } from './messages/server-hello.js';
import { parseServerKeyExchange } from './messages/server-key-exchange.js';
import { acceptServerHello, type Negotiated } from './negotiate.js';
import type { ClientSettings } from './options.js';
import {
  extendedMasterSecret,
  finishedVerifyData,
  masterSecret,
  type TrafficKeys,
  trafficKeys,
  transcriptHash,
} from './prf.js';
import { type AuthenticateParams, authenticateServer, type ServerIdentity } from './server-auth.js';
import { type SignatureScheme, signatureSchemeById, verifyWithScheme } from './signature-schemes.js';

/** Where the client is in RFC 5246 §7.3's full handshake (no resumption). */
export type HandshakeState =
  | 'wait-server-hello'
  | 'wait-certificate'
  | 'wait-server-key-exchange'
  | 'wait-certificate-request'
  | 'wait-server-hello-done'
  | 'wait-change-cipher-spec'
  | 'wait-finished'
  | 'done';

export type HandshakeAction =
  | { readonly kind: 'none' }
  /** Our second flight: plaintext messages, then ChangeCipherSpec, then Finished under the new keys. */
  | {
      readonly kind: 'flight';
      readonly messages: readonly Uint8Array[];
      readonly finished: Uint8Array;
      readonly cipher: AeadCipher;
      readonly keys: TrafficKeys;
    }
  | { readonly kind: 'established' };

/** What was agreed, for callers and for the lab's report. */
export interface NegotiatedParameters {
  readonly version: 'TLSv1.2';
  readonly cipherSuite: string;
  readonly group: string;
  readonly serverSignatureScheme: string;
  readonly extendedMasterSecret: boolean;
  /** DER, leaf first, as the server sent them. */
  readonly peerCertificates: readonly Uint8Array[];
  /** False only with `rejectUnauthorized: false` and a chain that failed; see authorizationFailures. */
  readonly authorized: boolean;
  readonly authorizationFailures: readonly string[];
  readonly clientCertificateRequested: boolean;
  readonly clientCertificateSent: boolean;
  readonly clientSignatureScheme: string | undefined;
  /** Present only when ALPN was offered and the server chose a protocol (RFC 7301). */
  readonly alpnProtocol?: string;
}

const NAMES = new Map<number, string>(Object.entries(HandshakeType).map(([k, v]) => [v, k]));

/** The client side of the TLS 1.2 ECDHE handshake, message by message; records are connection.ts's. */
export class ClientHandshake {
  #state: HandshakeState = 'wait-server-hello';
  readonly #s: ClientSettings;
  readonly #transcript: Uint8Array[] = [];
  readonly #clientRandom: Uint8Array;
  #serverRandom: Uint8Array = new Uint8Array(0);
  #negotiated: Negotiated | undefined;
  #server: ServerIdentity | undefined;
  #serverScheme: SignatureScheme | undefined;
  #ephemeral: EphemeralKey | undefined;
  #preMaster: Uint8Array | undefined;
  #request: CertificateRequest | undefined;
  #master: Uint8Array | undefined;
  #clientScheme: SignatureScheme | undefined;

  readonly #authenticate: (p: AuthenticateParams) => ServerIdentity;

  readonly #hello: ClientHelloOffer | undefined;

  /** @param hello A ClientHello shared with TLS 1.3 (TlsClientConnection); without it, our own 1.2-only one. */
  constructor(settings: ClientSettings, authenticate = authenticateServer, hello?: ClientHelloOffer) {
    this.#s = settings;
    this.#authenticate = authenticate;
    this.#hello = hello;
    this.#clientRandom = hello ? hello.random : settings.rng.bytes(32);
    if (this.#clientRandom.length !== 32) throw new RangeError('the rng returned the wrong number of bytes');
  }

  get state(): HandshakeState {
    return this.#state;
  }

  clientHello(): Uint8Array {
    if (this.#hello) {
      this.#transcript.push(this.#hello.message);
      return this.#hello.message;
    }
    const msg = encodeClientHello({
      random: this.#clientRandom,
      cipherSuites: this.#s.suites,
      groups: this.#s.groupIds,
      signatureSchemes: this.#s.signatureSchemes,
      ...(this.#s.sniName === undefined ? {} : { serverName: this.#s.sniName }),
    });
    this.#transcript.push(msg);
    return msg;
  }

  async handle(msg: HandshakeMessage): Promise<HandshakeAction> {
    switch (this.#state) {
      case 'wait-server-hello':
        this.#onServerHello(this.#expect(msg, HandshakeType.serverHello));
        return { kind: 'none' };
      case 'wait-certificate':
        this.#onCertificate(this.#expect(msg, HandshakeType.certificate));
        return { kind: 'none' };
      case 'wait-server-key-exchange':
        this.#onServerKeyExchange(this.#expect(msg, HandshakeType.serverKeyExchange));
        return { kind: 'none' };
      case 'wait-certificate-request':
        // RFC 5246 §7.3: CertificateRequest is optional; ServerHelloDone may come straight away.
        if (msg.type === HandshakeType.certificateRequest) {
          this.#request = parseCertificateRequest(this.#expect(msg, HandshakeType.certificateRequest));
          this.#state = 'wait-server-hello-done';
          return { kind: 'none' };
        }
        return this.#onServerHelloDone(this.#expect(msg, HandshakeType.serverHelloDone));
      case 'wait-server-hello-done':
        return this.#onServerHelloDone(this.#expect(msg, HandshakeType.serverHelloDone));
      case 'wait-finished':
        this.#onFinished(msg);
        return { kind: 'established' };
      default:
        throw this.#unexpected(msg.type);
    }
  }

  /** RFC 5246 §7.1: ChangeCipherSpec is legal only right before the server's Finished. */
  changeCipherSpec(): void {
    if (this.#state !== 'wait-change-cipher-spec')
      throw protocolFailure('unexpected_message', `ChangeCipherSpec in state ${this.#state}`, {
        state: this.#state,
      });
    this.#state = 'wait-finished';
  }

  parameters(): NegotiatedParameters | undefined {
    const n = this.#negotiated;
    const server = this.#server;
    if (this.#state !== 'done' || !n || !server) return undefined;
    return Object.freeze({
      version: 'TLSv1.2',
      cipherSuite: n.suite.name,
      group: this.#ephemeral!.group,
      serverSignatureScheme: this.#serverScheme!.name,
      extendedMasterSecret: n.extendedMasterSecret,
      peerCertificates: Object.freeze(server.certificates.map((c) => c.der)),
      authorized: server.authorized,
      authorizationFailures: Object.freeze(server.failures.map((f) => f.reason)),
      clientCertificateRequested: this.#request !== undefined,
      clientCertificateSent: this.#clientScheme !== undefined,
      clientSignatureScheme: this.#clientScheme?.name,
      ...(n.alpnProtocol === undefined ? {} : { alpnProtocol: n.alpnProtocol }),
    });
  }

  /** Wipe what is still secret (pre-master and master secret); the keys belong to the records. */
  destroy(): void {
    this.#preMaster?.fill(0);
    this.#master?.fill(0);
  }

  // RFC 5246 §7.4: "Sending handshake messages in an unexpected order results in a fatal error";
  // §7.2.2: that error is unexpected_message.
  #expect(msg: HandshakeMessage, type: number): Uint8Array {
    if (msg.type !== type) throw this.#unexpected(msg.type);
    this.#transcript.push(msg.raw);
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

  #onServerHello(body: Uint8Array): void {
    const sh = parseServerHello(body);
    this.#negotiated = acceptServerHello(sh, {
      suites: this.#s.suites,
      requireExtendedMasterSecret: this.#s.requireExtendedMasterSecret,
      offered13: this.#hello?.offers13 === true,
      alpn: this.#s.alpn,
    });
    this.#serverRandom = sh.random;
    this.#state = 'wait-certificate';
  }

  #onCertificate(body: Uint8Array): void {
    this.#server = this.#authenticate({
      chain: parseCertificateList(body),
      anchors: this.#s.anchors,
      serverName: this.#s.serverName,
      at: this.#s.clock.now(),
      rejectUnauthorized: this.#s.rejectUnauthorized,
      auth: this.#negotiated!.suite.auth,
      curves: this.#s.groups,
    });
    this.#state = 'wait-server-key-exchange';
  }

  #onServerKeyExchange(body: Uint8Array): void {
    const ske = parseServerKeyExchange(body);
    const group = groupById(ske.namedCurve);
    // RFC 8422 §5.4: the server picks its curve from the client's supported_groups.
    if (group === undefined || !this.#s.groups.includes(group))
      throw handshakeFailure(
        'illegal_parameter',
        `the server chose group 0x${ske.namedCurve.toString(16)} we did not offer`,
        {
          group: ske.namedCurve,
        },
      );
    // RFC 5246 §7.4.1.4.1: the pair MUST be one listed in our signature_algorithms.
    const scheme = this.#s.signatureSchemes.includes(ske.signatureScheme)
      ? signatureSchemeById(ske.signatureScheme)
      : undefined;
    const auth = this.#negotiated!.suite.auth;
    if (!scheme || scheme.key !== (auth === 'ecdsa' ? 'ec' : 'rsa'))
      throw handshakeFailure(
        'illegal_parameter',
        `the server signed with scheme 0x${ske.signatureScheme.toString(16)}, not one offered for ${auth}`,
        {
          signatureScheme: ske.signatureScheme,
        },
      );
    // RFC 5246 §7.4.3 / RFC 8422 §5.4: the signature covers client_random ‖ server_random ‖ params;
    // RFC 5246 §7.2.2: a signature that does not verify is decrypt_error.
    const signed = concat(this.#clientRandom, this.#serverRandom, ske.params);
    if (!verifyWithScheme(scheme, this.#server!.key, signed, ske.signature))
      throw handshakeFailure(
        'decrypt_error',
        'the ServerKeyExchange signature does not verify with the server certificate key',
        {
          signatureScheme: scheme.name,
        },
      );
    this.#serverScheme = scheme;
    this.#ephemeral = generateEphemeral(group, this.#s.rng);
    this.#preMaster = this.#ephemeral.deriveSecret(ske.publicPoint);
    this.#state = 'wait-certificate-request';
  }

  async #onServerHelloDone(body: Uint8Array): Promise<HandshakeAction> {
    // RFC 5246 §7.4.5: ServerHelloDone is empty.
    if (body.length !== 0)
      throw protocolFailure('decode_error', 'ServerHelloDone is not empty', { message: 'ServerHelloDone' });
    const { suite, extendedMasterSecret: ems } = this.#negotiated!;
    const hash = suite.prfHash;
    const messages: Uint8Array[] = [];
    const send = (m: Uint8Array) => {
      messages.push(m);
      this.#transcript.push(m);
    };
    const credential = this.#request ? chooseClientCredential(this.#request, this.#s) : undefined;
    // RFC 5246 §7.4.6: asked for a certificate, the client sends one, or an empty list if it has none suitable.
    if (this.#request) send(encodeCertificate(credential?.chain ?? []));
    send(encodeClientKeyExchange(this.#ephemeral!.publicKey));
    const preMaster = this.#preMaster!;
    // RFC 7627 §4: with EMS the master secret binds the session hash (through ClientKeyExchange).
    this.#master = ems
      ? extendedMasterSecret(hash, preMaster, transcriptHash(hash, this.#transcript))
      : masterSecret(hash, preMaster, this.#clientRandom, this.#serverRandom);
    preMaster.fill(0);
    this.#s.keylog?.(`CLIENT_RANDOM ${toHex(this.#clientRandom)} ${toHex(this.#master)}`);
    if (credential) {
      // RFC 5246 §7.4.8: the signature covers every handshake message so far. The signer hashes it.
      // Deliberately NOT checked against the certificate's key: see docs/tls-client.md.
      const signature = await credential.sign(concat(...this.#transcript));
      send(encodeCertificateVerify(credential.scheme.id, signature));
      this.#clientScheme = credential.scheme;
    }
    const keys = trafficKeys(hash, this.#master, this.#clientRandom, this.#serverRandom, suite.keyLength);
    const finished = encodeFinished(
      finishedVerifyData(hash, this.#master, 'client', transcriptHash(hash, this.#transcript)),
    );
    this.#transcript.push(finished);
    this.#state = 'wait-change-cipher-spec';
    return { kind: 'flight', messages, finished, cipher: suite.cipher, keys };
  }

  #onFinished(msg: HandshakeMessage): void {
    const body = this.#expect(msg, HandshakeType.finished);
    if (body.length !== VERIFY_DATA_LENGTH)
      throw protocolFailure('decode_error', `Finished of ${body.length} bytes`, { message: 'Finished' });
    const hash = this.#negotiated!.suite.prfHash;
    // The server's verify_data covers everything before its Finished (ours included).
    const expected = finishedVerifyData(
      hash,
      this.#master!,
      'server',
      transcriptHash(hash, this.#transcript.slice(0, -1)),
    );
    // RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify that the contents are correct";
    // compared in constant time, and a mismatch is decrypt_error (§7.2.2).
    if (!timingSafeEqual(expected, body))
      throw handshakeFailure('decrypt_error', "the server's Finished does not verify");
    this.#master!.fill(0);
    this.#state = 'done';
  }
}
