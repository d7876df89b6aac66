import { LabError } from '../../../core/errors.js';
import { concat } from '../bytes.js';
import {
  ALERTS,
  AlertLevel,
  type AlertName,
  alertName,
  CLIENT_HELLO_RECORD_VERSION,
  ContentType,
  MAX_PLAINTEXT,
  TLS12,
} from '../codes.js';
import type { ConnectionSeams, TlsConnectionState, TlsOutput } from '../connection.js';
import { alertReceived, alertToSend, handshakeFailure, protocolFailure } from '../failure.js';
import { HandshakeBuffer, type HandshakeMessage } from '../handshake-buffer.js';
import type { ClientHelloOffer } from '../hello.js';
import type { ClientSettings } from '../options.js';
import { encodeRecord, RecordReader, type TlsRecord } from '../record.js';
import type { Tls13CipherSuite } from './cipher-suites.js';
import { HandshakeType13 } from './codes.js';
import {
  type Action13,
  type Handshake13State,
  Tls13Handshake,
  type Tls13NegotiatedParameters,
} from './handshake.js';
import { nextTrafficSecret, type TrafficSecrets, trafficKey } from './key-schedule.js';
import { checkNewSessionTicket, encodeKeyUpdate, KeyUpdateRequest, parseKeyUpdate } from './messages.js';
import { MAX_CIPHERTEXT_13, Tls13Protection } from './record-protection.js';

/** Our bounds (OpenSSL's are alike): warnings, empty records, dropped CCS, post-handshake messages in a row. */
const MAX_WARNING_ALERTS = 5;
const MAX_EMPTY_RECORDS = 32;
const MAX_CHANGE_CIPHER_SPEC = 2;
const MAX_POST_HANDSHAKE = 64;

type Output = TlsOutput<Tls13NegotiatedParameters>;

/**
 * A sans-IO TLS 1.3 client connection (RFC 8446): records, alerts and post-handshake messages
 * around Tls13Handshake. Same contract as Tls12ClientConnection: feed `receive`, write `send`.
 */
export class Tls13ClientConnection {
  #state: TlsConnectionState = 'idle';
  readonly #hello: ClientHelloOffer;
  readonly #handshake: Tls13Handshake;
  readonly #reader = new RecordReader();
  readonly #messages = new HandshakeBuffer();
  #suite: Tls13CipherSuite | undefined;
  #read: Tls13Protection | undefined;
  #write: Tls13Protection | undefined;
  #secrets: TrafficSecrets | undefined;
  #parameters: Tls13NegotiatedParameters | undefined;
  #failure: LabError | undefined;
  #sentCloseNotify = false;
  #warnings = 0;
  #emptyRecords = 0;
  #changeCipherSpecs = 0;
  #postHandshake = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(settings: ClientSettings, hello: ClientHelloOffer, seams: ConnectionSeams = {}) {
    this.#hello = hello;
    this.#handshake = new Tls13Handshake(settings, hello, seams.authenticateServer);
  }

  get state(): TlsConnectionState {
    return this.#state;
  }

  get handshakeState(): Handshake13State {
    return this.#handshake.state;
  }

  get negotiated(): Tls13NegotiatedParameters | undefined {
    return this.#parameters;
  }

  get error(): LabError | undefined {
    return this.#failure;
  }

  /** The ClientHello record (RFC 8446 §5.1: the first may carry legacy_record_version 0x0301). */
  start(): Uint8Array {
    if (this.#state !== 'idle')
      throw new LabError('ERR_TLS_HANDSHAKE', 'TLS: start() called twice', {
        details: { reason: 'already started' },
      });
    this.#state = 'handshaking';
    return encodeRecord(ContentType.handshake, CLIENT_HELLO_RECORD_VERSION, this.#hello.message);
  }

  receive(bytes: Uint8Array): Promise<Output> {
    const next = this.#queue.then(() => this.#receive(bytes));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  receiveEnd(): Promise<Output> {
    const next = this.#queue.then(() => this.#receiveEnd());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Application data in protected records of at most 2^14 bytes of content (RFC 8446 §5.1). */
  write(data: Uint8Array): Uint8Array {
    if (this.#state !== 'connected')
      throw (
        this.#failure ??
        new LabError('ERR_TLS_HANDSHAKE', `TLS: cannot write application data in state ${this.#state}`, {
          details: { reason: 'not connected', state: this.#state },
        })
      );
    return this.#seal(ContentType.applicationData, data);
  }

  /** Our close_notify (RFC 8446 §6.1); empty when there is nothing left to close. */
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

  get #established(): boolean {
    return this.#parameters !== undefined;
  }

  #receiveEnd(): Output {
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

  async #receive(bytes: Uint8Array): Promise<Output> {
    const out = emptyOutput();
    if (this.#state === 'failed') {
      out.error = this.#failure;
      return out;
    }
    if (this.#state === 'closed' || this.#state === 'idle') return out;
    try {
      this.#reader.push(bytes);
      for (;;) {
        const record = this.#reader.next(this.#read ? MAX_CIPHERTEXT_13 : MAX_PLAINTEXT);
        if (!record) break;
        const inner = this.#unprotect(record);
        if (inner) await this.#onRecord(inner.type, inner.content, out);
        if (this.state === 'closed') break;
      }
    } catch (err) {
      this.#fail(err, out);
    }
    return out;
  }

  /** The record's real type and content, or undefined for a dropped ChangeCipherSpec. */
  #unprotect(record: TlsRecord): { type: number; content: Uint8Array } | undefined {
    const { type, fragment } = record;
    if (type === ContentType.changeCipherSpec) {
      // RFC 8446 §5: a CCS of the single byte 1 between the first ClientHello and the server
      // Finished is dropped; any other value, or one at another time, is unexpected_message.
      const ok = fragment.length === 1 && fragment[0] === 1 && this.#handshake.acceptsChangeCipherSpec;
      if (!ok || ++this.#changeCipherSpecs > MAX_CHANGE_CIPHER_SPEC)
        throw protocolFailure('unexpected_message', 'an unexpected ChangeCipherSpec record', {
          recordType: type,
        });
      return undefined;
    }
    if (!this.#read) {
      // RFC 8446 §5: before the server's keys are in use, only plaintext handshake and alert records.
      if (type === ContentType.applicationData)
        throw protocolFailure('unexpected_message', 'a protected record before the ServerHello', {
          recordType: type,
        });
      return { type, content: fragment };
    }
    // RFC 8446 §5.2: once keys are in use every record is protected, with outer type application_data.
    if (type !== ContentType.applicationData)
      throw protocolFailure(
        'unexpected_message',
        `an unprotected record of type ${type} after the ServerHello`,
        {
          recordType: type,
        },
      );
    const header = concat(
      Uint8Array.of(type, record.version >> 8, record.version & 0xff),
      u16(fragment.length),
    );
    const inner = this.#read.open(header, fragment);
    // RFC 8446 §5: a protected change_cipher_spec is unexpected_message, and so is an unknown type.
    if (
      inner.type !== ContentType.handshake &&
      inner.type !== ContentType.alert &&
      inner.type !== ContentType.applicationData
    )
      throw protocolFailure('unexpected_message', `protected record of inner type ${inner.type}`, {
        recordType: inner.type,
      });
    return inner;
  }

  async #onRecord(type: number, content: Uint8Array, out: Output): Promise<void> {
    // RFC 8446 §5.1: handshake messages may not be interleaved with other record types.
    if (type !== ContentType.handshake && this.#messages.pending > 0)
      throw protocolFailure('unexpected_message', 'a record interrupts a fragmented handshake message', {
        recordType: type,
      });
    if (content.length === 0) {
      // RFC 8446 §5.1: no zero-length Handshake (or Alert) fragments; empty application data is
      // legal but a flood of it is a denial of service.
      if (type !== ContentType.applicationData || ++this.#emptyRecords > MAX_EMPTY_RECORDS)
        throw protocolFailure('unexpected_message', `empty record of type ${type}`, { recordType: type });
      return;
    }
    this.#emptyRecords = 0;
    if (type === ContentType.alert) return this.#onAlert(content, out);
    if (type === ContentType.handshake) {
      this.#warnings = 0;
      this.#messages.push(content);
      for (let m = this.#messages.next(); m; m = this.#messages.next()) await this.#onHandshake(m, out);
      return;
    }
    // Application data: only after the handshake (the keys that carry it exist only then).
    if (!this.#established)
      throw protocolFailure('unexpected_message', 'application data before the handshake completed');
    this.#warnings = 0;
    this.#postHandshake = 0;
    out.appData.push(content);
  }

  #onAlert(body: Uint8Array, out: Output): void {
    // RFC 8446 §5.1: alerts are never fragmented; one alert is two bytes.
    if (body.length !== 2)
      throw protocolFailure('decode_error', `alert record of ${body.length} bytes`, { message: 'Alert' });
    const [level, description] = [body[0]!, body[1]!];
    if (level !== AlertLevel.warning && level !== AlertLevel.fatal)
      throw protocolFailure('illegal_parameter', `alert level ${level}`, { message: 'Alert' });
    const handshaking = !this.#established;
    if (description === ALERTS.close_notify) {
      if (handshaking) throw alertReceived(description, true);
      // RFC 8446 §6.1: we answer with our own close_notify and close.
      if (!this.#sentCloseNotify) out.send.push(this.#alertRecord(AlertLevel.warning, 'close_notify'));
      out.events.push({ type: 'close_notify' });
      this.#wipe('closed');
      return;
    }
    // RFC 8446 §6.1: user_canceled is a closure alert, not an error; §6.2: every other alert is
    // an error "regardless of the AlertLevel in the message".
    if (description !== ALERTS.user_canceled) throw alertReceived(description, handshaking);
    if (++this.#warnings > MAX_WARNING_ALERTS)
      throw protocolFailure('unexpected_message', `more than ${MAX_WARNING_ALERTS} warning alerts in a row`);
    out.events.push({ type: 'warning', alert: alertName(description), alertNumber: description });
  }

  async #onHandshake(m: HandshakeMessage, out: Output): Promise<void> {
    if (this.#established) return this.#postHandshakeMessage(m, out);
    this.#act(await this.#handshake.handle(m), out);
  }

  #postHandshakeMessage(m: HandshakeMessage, out: Output): void {
    if (++this.#postHandshake > MAX_POST_HANDSHAKE)
      throw protocolFailure(
        'unexpected_message',
        `more than ${MAX_POST_HANDSHAKE} post-handshake messages in a row`,
      );
    if (m.type === HandshakeType13.newSessionTicket) {
      // RFC 8446 §4.6.1: we never resume, so a ticket is checked and forgotten.
      checkNewSessionTicket(m.body);
      return;
    }
    if (m.type === HandshakeType13.keyUpdate) return this.#onKeyUpdate(parseKeyUpdate(m.body), out);
    // RFC 8446 §4.6.2: a CertificateRequest without our post_handshake_auth is unexpected_message;
    // so is any other message after the handshake.
    throw protocolFailure('unexpected_message', `handshake message ${m.type} after the handshake`, {
      handshakeType: m.type,
    });
  }

  /** RFC 8446 §4.6.3: the server's next records use its next secret; if asked, ours change too. */
  #onKeyUpdate(request: number, out: Output): void {
    this.#atKeyChange('KeyUpdate');
    const suite = this.#suite!;
    const secrets = this.#secrets!;
    const server = nextTrafficSecret(suite.hash, secrets.server);
    this.#read?.destroy();
    this.#read = new Tls13Protection(suite.aead, trafficKey(suite.hash, server, suite.keyLength));
    let client = secrets.client;
    const requested = request === KeyUpdateRequest.requested;
    if (requested && !this.#sentCloseNotify) {
      // "...the receiver MUST send a KeyUpdate of its own with request_update set to
      // "update_not_requested" prior to sending its next Application Data record."
      out.send.push(this.#seal(ContentType.handshake, encodeKeyUpdate(KeyUpdateRequest.notRequested)));
      client = nextTrafficSecret(suite.hash, secrets.client);
      secrets.client.fill(0);
      this.#write?.destroy();
      this.#write = new Tls13Protection(suite.aead, trafficKey(suite.hash, client, suite.keyLength));
    }
    secrets.server.fill(0);
    this.#secrets = { client, server };
    out.events.push({ type: 'key_update', requested });
  }

  /** RFC 8446 §5.1: "Handshake messages MUST NOT span key changes" — the record must end here. */
  #atKeyChange(what: string): void {
    if (this.#messages.pending > 0)
      throw protocolFailure('unexpected_message', `data after ${what} in the same record (a key change)`);
  }

  #act(action: Action13, out: Output): void {
    switch (action.kind) {
      case 'none':
        return;
      case 'retry':
        // RFC 8446 §5.1: records after the first ClientHello carry 0x0303.
        out.send.push(encodeRecord(ContentType.handshake, TLS12, action.clientHello));
        return;
      case 'handshake-keys':
        this.#atKeyChange('ServerHello');
        this.#suite = action.suite;
        this.#read = new Tls13Protection(action.suite.aead, action.read);
        this.#write = new Tls13Protection(action.suite.aead, action.write);
        return;
      case 'finished': {
        this.#atKeyChange('Finished');
        const suite = this.#suite!;
        out.send.push(this.#seal(ContentType.handshake, concat(...action.flight)));
        this.#read!.destroy();
        this.#write!.destroy();
        this.#read = new Tls13Protection(suite.aead, action.read);
        this.#write = new Tls13Protection(suite.aead, action.write);
        this.#secrets = action.secrets;
        this.#parameters = this.#handshake.parameters();
        this.#handshake.destroy();
        // A close() made while the handshake was finishing stands: the state stays 'closing'.
        if (this.#state === 'handshaking') this.#state = 'connected';
        out.events.push({ type: 'handshake', parameters: this.#parameters! });
        return;
      }
    }
  }

  /** Content in as many protected records as it needs (or plaintext before the ServerHello). */
  #seal(type: number, data: Uint8Array): Uint8Array {
    // Before the ServerHello only an alert (two bytes) is ever sealed, in plaintext.
    if (!this.#write) return encodeRecord(type, TLS12, data);
    const parts: Uint8Array[] = [];
    let at = 0;
    do {
      parts.push(this.#write.seal(type, data.subarray(at, at + MAX_PLAINTEXT)));
      at += MAX_PLAINTEXT;
    } while (at < data.length);
    return concat(...parts);
  }

  #alertRecord(level: number, alert: AlertName): Uint8Array {
    if (alert === 'close_notify') this.#sentCloseNotify = true;
    return this.#seal(ContentType.alert, Uint8Array.of(level, ALERTS[alert]));
  }

  #fail(err: unknown, out: Output): void {
    const failure =
      err instanceof LabError && err.code.startsWith('ERR_TLS_')
        ? err
        : handshakeFailure('internal_error', 'internal error while processing the server flight', {}, err);
    const alert = alertToSend(failure);
    if (alert) {
      try {
        // RFC 8446 §6: "All the alerts listed in Section 6.2 MUST be sent with AlertLevel=fatal".
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
    this.#read?.destroy();
    this.#write?.destroy();
    this.#read = this.#write = undefined;
    this.#secrets?.client.fill(0);
    this.#secrets?.server.fill(0);
  }
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 0xff);
}

function emptyOutput(): Output {
  return { send: [], appData: [], events: [] };
}
