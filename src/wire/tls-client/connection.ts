import { LabError } from '../../core/errors.js';
import {
  ALERTS,
  AlertLevel,
  type AlertName,
  alertName,
  CLIENT_HELLO_RECORD_VERSION,
  ContentType,
  HandshakeType,
  TLS12,
} from './codes.js';
import { alertReceived, alertToSend, handshakeFailure, protocolFailure } from './failure.js';
import {
  ClientHandshake,
  type HandshakeAction,
  type HandshakeState,
  type NegotiatedParameters,
} from './handshake.js';
import { HandshakeBuffer, type HandshakeMessage } from './handshake-buffer.js';
import type { ClientHelloOffer } from './hello.js';
import { type ClientSettings, resolveOptions, type Tls12ClientOptions } from './options.js';
import type { AuthenticateParams, ServerIdentity } from './server-auth.js';
import { encodeRecord } from './record.js';
import { type InboundRecord, RecordLayer } from './record-layer.js';

export type TlsConnectionState = 'idle' | 'handshaking' | 'connected' | 'closing' | 'closed' | 'failed';

export type TlsEvent<P = NegotiatedParameters> =
  | { readonly type: 'handshake'; readonly parameters: P }
  /** The server closed cleanly (RFC 5246 §7.2.1); our close_notify is in `send`. */
  | { readonly type: 'close_notify' }
  | { readonly type: 'warning'; readonly alert: string; readonly alertNumber: number }
  /** A HelloRequest after the handshake, answered with a no_renegotiation warning. */
  | { readonly type: 'renegotiation_refused' }
  /** TLS 1.3: the server updated its keys (RFC 8446 §4.6.3); `requested`: ours were updated too. */
  | { readonly type: 'key_update'; readonly requested: boolean };

export interface TlsOutput<P = NegotiatedParameters> {
  /** Records to write to the transport, in order (alerts included). */
  readonly send: Uint8Array[];
  /** Decrypted application data, in order. */
  readonly appData: Uint8Array[];
  readonly events: TlsEvent<P>[];
  /** Set once the connection has failed: the alert we sent (already in `send`) or received. */
  error?: LabError;
}

export interface ConnectionSeams {
  readonly authenticateServer?: (p: AuthenticateParams) => ServerIdentity;
}

/** Our bound against floods of warning alerts (OpenSSL's is 5 too). */
const MAX_WARNING_ALERTS = 5;

/**
 * A sans-IO TLS 1.2 client: it never touches a socket. Feed it what the server sent with
 * `receive`, write what it returns. The handshake is RFC 5246 §7.3's full ECDHE handshake with
 * optional client authentication, whose CertificateVerify comes from an injected Signer.
 */
export class Tls12ClientConnection {
  #state: TlsConnectionState = 'idle';
  readonly #handshake: ClientHandshake;
  readonly #records = new RecordLayer();
  readonly #messages = new HandshakeBuffer();
  #parameters: NegotiatedParameters | undefined;
  #failure: LabError | undefined;
  #sentCloseNotify = false;
  #warnings = 0;
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * @param seams For tests only: a stand-in for server authentication (the fuzz test memoizes
   * the real one, because X.509 parsing costs milliseconds per identical chain).
   */
  constructor(
    options: Tls12ClientOptions,
    seams: ConnectionSeams = {},
    shared?: { readonly settings: ClientSettings; readonly hello: ClientHelloOffer },
  ) {
    // `shared`: TlsClientConnection hands over its settings and the ClientHello it already sent.
    const settings = shared?.settings ?? resolveOptions(options);
    this.#handshake = new ClientHandshake(settings, seams.authenticateServer, shared?.hello);
  }

  get state(): TlsConnectionState {
    return this.#state;
  }

  /** The handshake step, for diagnostics and tests. */
  get handshakeState(): HandshakeState {
    return this.#handshake.state;
  }

  /** What was negotiated; undefined until the handshake completes. */
  /** The handshake completed (both Finished verified): application data may flow. */
  get #established(): boolean {
    return this.#parameters !== undefined;
  }

  get negotiated(): NegotiatedParameters | undefined {
    return this.#parameters;
  }

  /** The failure that ended the connection, if one did. */
  get error(): LabError | undefined {
    return this.#failure;
  }

  /** The ClientHello record to send first. */
  start(): Uint8Array {
    if (this.#state !== 'idle')
      throw new LabError('ERR_TLS_HANDSHAKE', 'TLS: start() called twice', {
        details: { reason: 'already started' },
      });
    this.#state = 'handshaking';
    return encodeRecord(ContentType.handshake, CLIENT_HELLO_RECORD_VERSION, this.#handshake.clientHello());
  }

  /** Bytes from the transport. Calls are processed one after the other, in call order. */
  receive(bytes: Uint8Array): Promise<TlsOutput> {
    const next = this.#queue.then(() => this.#receive(bytes));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * The transport reached end of file (queued behind pending `receive` calls). Before the
   * handshake completes that is a failure; after it, the end of the stream.
   */
  receiveEnd(): Promise<TlsOutput> {
    const next = this.#queue.then(() => this.#receiveEnd());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #receiveEnd(): TlsOutput {
    const out = emptyOutput();
    if (this.#state === 'failed' || this.#state === 'closed') return out;
    if (!this.#established) {
      this.#failure = handshakeFailure(
        'handshake_failure',
        'the server closed the connection during the handshake',
        {
          state: this.#handshake.state,
        },
      );
      out.error = this.#failure;
      this.#wipe('failed');
    } else this.#wipe('closed');
    return out;
  }

  /** Application data as protected records (at most 2^14 bytes of plaintext each, RFC 5246 §6.2.1). */
  write(data: Uint8Array): Uint8Array {
    if (this.#state !== 'connected') {
      throw (
        this.#failure ??
        new LabError('ERR_TLS_HANDSHAKE', `TLS: cannot write application data in state ${this.#state}`, {
          details: { reason: 'not connected', state: this.#state },
        })
      );
    }
    return this.#records.records(ContentType.applicationData, data);
  }

  /** Our close_notify (RFC 5246 §7.2.1); empty when there is nothing left to close. */
  close(): Uint8Array {
    if (this.#state === 'idle') {
      this.#wipe('closed');
      return new Uint8Array(0);
    }
    if (this.#state !== 'handshaking' && this.#state !== 'connected') return new Uint8Array(0);
    const record = this.#alertRecord(AlertLevel.warning, 'close_notify');
    this.#state = 'closing';
    return record;
  }

  async #receive(bytes: Uint8Array): Promise<TlsOutput> {
    const out = emptyOutput();
    if (this.#state === 'failed') {
      out.error = this.#failure;
      return out;
    }
    if (this.#state === 'closed' || this.#state === 'idle') return out;
    try {
      this.#records.push(bytes);
      for (;;) {
        const record = this.#records.next(this.#handshake.state !== 'wait-server-hello');
        if (!record) break;
        await this.#onRecord(record, out);
        if (this.state === 'closed') break;
      }
    } catch (err) {
      this.#fail(err, out);
    }
    return out;
  }

  async #onRecord(record: InboundRecord, out: TlsOutput): Promise<void> {
    const { type, plaintext } = record;
    // RFC 8446 §5.1 (the rule every TLS 1.2 stack applies too): a key change or another record
    // type may not interrupt a fragmented handshake message.
    if (type !== ContentType.handshake && this.#messages.pending > 0)
      throw protocolFailure('unexpected_message', 'a record interrupts a fragmented handshake message', {
        recordType: record.type,
      });
    switch (type) {
      case ContentType.changeCipherSpec:
        return this.#onChangeCipherSpec(plaintext);
      case ContentType.alert:
        return this.#onAlert(plaintext, out);
      case ContentType.handshake:
        this.#warnings = 0;
        this.#messages.push(plaintext);
        for (let m = this.#messages.next(); m; m = this.#messages.next()) await this.#onHandshake(m, out);
        return;
      case ContentType.applicationData:
        // RFC 5246 §6.2.1 / §7.2.2: application data before the handshake completes is unexpected.
        if (!this.#established)
          throw protocolFailure('unexpected_message', 'application data before the handshake completed');
        this.#warnings = 0;
        if (plaintext.length > 0) out.appData.push(plaintext);
        return;
      default:
        // RecordReader refuses other types already; RFC 5246 §6 unexpected_message.
        throw protocolFailure('unexpected_message', `record type ${type}`, { recordType: type });
    }
  }

  #onChangeCipherSpec(body: Uint8Array): void {
    // RFC 5246 §7.1: the message is a single byte of value 1.
    if (body.length !== 1 || body[0] !== 1)
      throw protocolFailure('decode_error', 'ChangeCipherSpec is not the single byte 1', {
        message: 'ChangeCipherSpec',
      });
    this.#handshake.changeCipherSpec();
    this.#records.activateRead();
  }

  #onAlert(body: Uint8Array, out: TlsOutput): void {
    // One alert per record, two bytes (RFC 5246 §7.2; RFC 8446 §5.1 forbids fragmenting alerts).
    if (body.length !== 2)
      throw protocolFailure('decode_error', `alert record of ${body.length} bytes`, { message: 'Alert' });
    const [level, description] = [body[0]!, body[1]!];
    if (level !== AlertLevel.warning && level !== AlertLevel.fatal)
      throw protocolFailure('illegal_parameter', `alert level ${level}`, { message: 'Alert' });
    const handshaking = !this.#established;
    if (description === ALERTS.close_notify) {
      if (handshaking) throw alertReceived(description, true);
      // RFC 5246 §7.2.1: answer close_notify with our own and close down immediately.
      if (!this.#sentCloseNotify) out.send.push(this.#alertRecord(AlertLevel.warning, 'close_notify'));
      out.events.push({ type: 'close_notify' });
      this.#wipe('closed');
      return;
    }
    // RFC 5246 §7.2: on a fatal alert both parties close at once; nothing is sent back.
    if (level === AlertLevel.fatal) throw alertReceived(description, handshaking);
    if (++this.#warnings > MAX_WARNING_ALERTS)
      throw protocolFailure('unexpected_message', `more than ${MAX_WARNING_ALERTS} warning alerts in a row`);
    out.events.push({ type: 'warning', alert: alertName(description), alertNumber: description });
  }

  async #onHandshake(m: HandshakeMessage, out: TlsOutput): Promise<void> {
    if (m.type === HandshakeType.helloRequest) {
      // RFC 5246 §7.4.1.1: HelloRequest is empty, not hashed, and ignored mid-handshake.
      if (m.body.length !== 0)
        throw protocolFailure('decode_error', 'HelloRequest is not empty', { message: 'HelloRequest' });
      if (this.#established) {
        // RFC 5246 §7.2.2 no_renegotiation: we never renegotiate (and so need no RFC 5746 verify_data).
        out.send.push(this.#alertRecord(AlertLevel.warning, 'no_renegotiation'));
        out.events.push({ type: 'renegotiation_refused' });
      }
      return;
    }
    if (this.#established)
      throw protocolFailure('unexpected_message', `handshake message ${m.type} after the handshake`, {
        handshakeType: m.type,
      });
    const action = await this.#handshake.handle(m);
    this.#act(action, out);
  }

  #act(action: HandshakeAction, out: TlsOutput): void {
    if (action.kind === 'flight') {
      for (const msg of action.messages) out.send.push(this.#records.records(ContentType.handshake, msg));
      // RFC 5246 §7.1: ChangeCipherSpec, then our Finished under the new keys.
      out.send.push(encodeRecord(ContentType.changeCipherSpec, TLS12, Uint8Array.of(1)));
      this.#records.installKeys(action.cipher, action.keys);
      out.send.push(this.#records.record(ContentType.handshake, action.finished));
    } else if (action.kind === 'established') {
      this.#parameters = this.#handshake.parameters();
      this.#handshake.destroy();
      // A close() made while the handshake was finishing stands: the state stays 'closing'.
      if (this.#state === 'handshaking') this.#state = 'connected';
      out.events.push({ type: 'handshake', parameters: this.#parameters! });
    }
  }

  #alertRecord(level: number, alert: AlertName): Uint8Array {
    if (alert === 'close_notify') this.#sentCloseNotify = true;
    return this.#records.record(ContentType.alert, Uint8Array.of(level, ALERTS[alert]));
  }

  #fail(err: unknown, out: TlsOutput): void {
    const failure =
      err instanceof LabError && err.code.startsWith('ERR_TLS_')
        ? err
        : handshakeFailure('internal_error', 'internal error while processing the server flight', {}, err);
    const alert = alertToSend(failure);
    if (alert) {
      try {
        out.send.push(this.#alertRecord(AlertLevel.fatal, alert));
      } catch {
        /* the alert is a courtesy; the failure stands */
      }
    }
    this.#failure = failure;
    out.error = failure;
    this.#wipe('failed');
  }

  #wipe(state: TlsConnectionState): void {
    this.#state = state;
    this.#handshake.destroy();
    this.#records.destroy();
  }
}

function emptyOutput(): TlsOutput {
  return { send: [], appData: [], events: [] };
}
