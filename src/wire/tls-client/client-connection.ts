import { LabError } from '../../core/errors.js';
import { concat } from './bytes.js';
import { CLIENT_HELLO_RECORD_VERSION, ContentType, HandshakeType, MAX_PLAINTEXT } from './codes.js';
import {
  type ConnectionSeams,
  type TlsConnectionState,
  type TlsOutput,
  Tls12ClientConnection,
} from './connection.js';
import type { NegotiatedParameters } from './handshake.js';
import { HandshakeBuffer } from './handshake-buffer.js';
import { ClientHelloOffer } from './hello.js';
import { parseServerHello } from './messages/server-hello.js';
import {
  type ClientSettings,
  resolveClientOptions,
  type TlsClientOptions,
  type TlsVersion,
} from './options.js';
import { encodeRecord, RecordReader } from './record.js';
import { Tls13ClientConnection } from './tls13/connection.js';
import type { Tls13NegotiatedParameters } from './tls13/handshake.js';
import { selectsTls13 } from './tls13/server-hello.js';

/** What either version agreed; `version` tells which. */
export type TlsNegotiatedParameters = NegotiatedParameters | Tls13NegotiatedParameters;

export interface TlsClientSeams extends ConnectionSeams {
  /** Tests only: the ClientHello bytes to send instead of ours (an RFC 8448 trace's). */
  readonly clientHello?: Uint8Array;
}

type Engine = Tls12ClientConnection | Tls13ClientConnection;
type Output = TlsOutput<TlsNegotiatedParameters>;

/**
 * The sans-IO TLS client for either version. One ClientHello offers what `versions` allows
 * (default TLS 1.3 and 1.2, RFC 8446 §4.2.1); the ServerHello says which version the server
 * chose, and the matching engine — Tls12ClientConnection or Tls13ClientConnection — takes the
 * connection over from there, replaying what arrived so far. Same contract as both.
 */
export class TlsClientConnection {
  readonly #settings: ClientSettings;
  readonly #seams: TlsClientSeams;
  readonly #hello: ClientHelloOffer;
  #engine: Engine | undefined;
  #started = false;
  #closedIdle = false;
  readonly #pending: Uint8Array[] = [];
  readonly #peek = new RecordReader();
  readonly #peekMessages = new HandshakeBuffer();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: TlsClientOptions, seams: TlsClientSeams = {}) {
    this.#settings = resolveClientOptions(options);
    this.#seams = seams;
    this.#hello = new ClientHelloOffer(this.#settings, seams.clientHello);
  }

  get state(): TlsConnectionState {
    if (this.#engine) return this.#engine.state;
    if (this.#closedIdle) return 'closed';
    return this.#started ? 'handshaking' : 'idle';
  }

  get handshakeState(): string {
    return this.#engine?.handshakeState ?? 'wait-server-hello';
  }

  /** The version the server chose, once its ServerHello arrived. */
  get version(): 'TLSv1.2' | 'TLSv1.3' | undefined {
    if (!this.#engine) return undefined;
    return this.#engine instanceof Tls13ClientConnection ? 'TLSv1.3' : 'TLSv1.2';
  }

  get negotiated(): TlsNegotiatedParameters | undefined {
    return this.#engine?.negotiated;
  }

  get error(): LabError | undefined {
    return this.#engine?.error;
  }

  start(): Uint8Array {
    if (this.#started || this.#closedIdle)
      throw new LabError('ERR_TLS_HANDSHAKE', 'TLS: start() called twice', {
        details: { reason: 'already started' },
      });
    this.#started = true;
    // RFC 8446 §5.1 / RFC 5246 Appendix E.1: the first ClientHello record may carry 0x0301.
    return encodeRecord(ContentType.handshake, CLIENT_HELLO_RECORD_VERSION, this.#hello.message);
  }

  receive(bytes: Uint8Array): Promise<Output> {
    const next = this.#queue.then((): Promise<Output> | Output => {
      if (this.#engine) return this.#engine.receive(bytes);
      if (!this.#started || this.#closedIdle) return { send: [], appData: [], events: [] };
      this.#pending.push(bytes);
      const version = this.#decide(bytes);
      if (version === undefined) return { send: [], appData: [], events: [] };
      return this.#engage(version).receive(concat(...this.#pending.splice(0)));
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  receiveEnd(): Promise<Output> {
    const next = this.#queue.then(async (): Promise<Output> => {
      if (!this.#engine && (!this.#started || this.#closedIdle)) return { send: [], appData: [], events: [] };
      const engine = this.#engine ?? this.#engage(this.#fallback());
      const first =
        this.#pending.length > 0 ? await engine.receive(concat(...this.#pending.splice(0))) : undefined;
      const last: Output = await engine.receiveEnd();
      return first ? merge(first, last) : last;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  write(data: Uint8Array): Uint8Array {
    if (!this.#engine)
      throw new LabError('ERR_TLS_HANDSHAKE', `TLS: cannot write application data in state ${this.state}`, {
        details: { reason: 'not connected', state: this.state },
      });
    return this.#engine.write(data);
  }

  close(): Uint8Array {
    if (this.#engine) return this.#engine.close();
    if (!this.#started) {
      this.#closedIdle = true;
      return new Uint8Array(0);
    }
    return this.#engage(this.#fallback()).close();
  }

  /**
   * Which version the server's first handshake message selects: TLS 1.3 only through a
   * supported_versions extension in ServerHello (RFC 8446 §4.2.1), else TLS 1.2. Anything
   * unreadable goes to the fallback engine, which reports it with the proper alert.
   */
  #decide(bytes: Uint8Array): TlsVersion | undefined {
    try {
      this.#peek.push(bytes);
      for (;;) {
        const record = this.#peek.next(MAX_PLAINTEXT);
        if (!record) return undefined;
        if (record.type !== ContentType.handshake) return this.#fallback();
        this.#peekMessages.push(record.fragment);
        const m = this.#peekMessages.next();
        if (!m) continue;
        if (m.type !== HandshakeType.serverHello) return this.#fallback();
        const wants13 = selectsTls13(parseServerHello(m.body));
        if (wants13) return this.#hello.offers13 ? '1.3' : '1.2';
        return this.#hello.offers12 ? '1.2' : '1.3';
      }
    } catch {
      return this.#fallback();
    }
  }

  #fallback(): TlsVersion {
    return this.#hello.offers12 ? '1.2' : '1.3';
  }

  #engage(version: TlsVersion): Engine {
    const engine =
      version === '1.3'
        ? new Tls13ClientConnection(this.#settings, this.#hello, this.#seams)
        : new Tls12ClientConnection({}, this.#seams, { settings: this.#settings, hello: this.#hello });
    // The engine's ClientHello record is the one already sent: same bytes, not sent again.
    engine.start();
    this.#engine = engine;
    return engine;
  }
}

function merge(a: Output, b: Output): Output {
  const out: Output = {
    send: [...a.send, ...b.send],
    appData: [...a.appData, ...b.appData],
    events: [...a.events, ...b.events],
  };
  const error = a.error ?? b.error;
  if (error) out.error = error;
  return out;
}
