import { connect as netConnect, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { LabError } from '../../core/errors.js';
import { parseOptions, z } from '../../core/options.js';
import { isHostReference } from '../../pki/hostname.js';
import { concat } from './bytes.js';
import { TlsClientConnection, type TlsNegotiatedParameters } from './client-connection.js';
import { type TlsConnectionState, type TlsOutput, Tls12ClientConnection } from './connection.js';
import type { NegotiatedParameters } from './handshake.js';
import type { Tls12ClientOptions, TlsClientOptions } from './options.js';

export interface Tls12ConnectOptions extends Tls12ClientOptions {
  /** Where to connect; also the default `serverName`. Ignored for the connection when `socket` is given. */
  readonly host?: string;
  readonly port?: number;
  /** An already open transport (a net.Socket, a capture tap, an in-memory pipe). */
  readonly socket?: Duplex;
  /** Milliseconds the handshake may take before the connection is abandoned; default 30 000, 0 = no limit. */
  readonly handshakeTimeout?: number;
}

const ADAPTER = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  socket: z.custom<Duplex>((v) => v instanceof Duplex, 'expected a Duplex stream').optional(),
  handshakeTimeout: z.number().int().min(0).optional(),
});

/** The general client's adapter options: TlsClientOptions plus the transport. */
export interface TlsConnectOptions extends TlsClientOptions {
  readonly host?: string;
  readonly port?: number;
  readonly socket?: Duplex;
  readonly handshakeTimeout?: number;
}

type Pending = { chunk: Uint8Array; callback: (error?: Error | null) => void };

/** What the adapter needs of a sans-IO connection (both TlsClientConnection and Tls12ClientConnection). */
export interface SansIoConnection<P> {
  readonly state: TlsConnectionState;
  readonly handshakeState: string;
  readonly negotiated: P | undefined;
  readonly error: LabError | undefined;
  start(): Uint8Array;
  receive(bytes: Uint8Array): Promise<TlsOutput<P>>;
  receiveEnd(): Promise<TlsOutput<P>>;
  write(data: Uint8Array): Uint8Array;
  close(): Uint8Array;
}

/**
 * A sans-IO client on a byte stream: a Duplex of plaintext, like tls.TLSSocket. Writes made
 * before the handshake completes are held and sent after it; 'secureConnect' marks the moment.
 * A failure destroys the stream with the coded LabError (after the alert went out).
 */
export class TlsSocket<P extends { readonly authorized: boolean } = TlsNegotiatedParameters> extends Duplex {
  readonly connection: SansIoConnection<P>;
  readonly encrypted = true;
  readonly #transport: Duplex;
  #pending: Pending[] = [];
  #final: ((error?: Error | null) => void) | undefined;
  #work: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #eof = false;

  /**
   * @param make Builds the sans-IO connection from the TLS options (serverName defaulted to host);
   * by default a TlsClientConnection (TLS 1.3 and 1.2).
   */
  constructor(
    options: TlsConnectOptions,
    make: (tls: TlsClientOptions) => SansIoConnection<P> = (tls) =>
      new TlsClientConnection(tls) as unknown as SansIoConnection<P>,
    where = 'connectTls',
  ) {
    super({ allowHalfOpen: false });
    const { host, port, socket, handshakeTimeout, ...tls } = options;
    const a = parseOptions(ADAPTER, { host, port, socket, handshakeTimeout }, where);
    if (!a.socket && (a.host === undefined || a.port === undefined))
      throw new LabError('ERR_OPTIONS_INVALID', `${where}: host and port are required without a socket`, {
        details: { where, option: a.host === undefined ? 'host' : 'port' },
      });
    const serverName =
      tls.serverName ?? (a.host !== undefined && isHostReference(a.host) ? a.host : undefined);
    this.connection = make({
      ...tls,
      ...(serverName === undefined ? {} : { serverName }),
    });
    const transport = a.socket ?? netConnect({ host: a.host!, port: a.port! });
    this.#transport = transport;
    transport.on('data', (chunk: Buffer) => this.#enqueue(() => this.connection.receive(chunk)));
    transport.on('end', () => this.#enqueue(() => this.connection.receiveEnd()));
    transport.on('error', (err: Error) => this.destroy(err));
    transport.on('close', () => this.#enqueue(() => this.connection.receiveEnd(), true));
    const begin = () => {
      if (!this.destroyed) transport.write(this.connection.start());
    };
    if (transport instanceof Socket && transport.connecting) transport.once('connect', begin);
    else begin();
    const ms = a.handshakeTimeout ?? 30_000;
    if (ms > 0) {
      this.#timer = setTimeout(() => {
        const closeNotify = this.connection.close();
        if (!transport.destroyed && closeNotify.length > 0) transport.write(closeNotify);
        this.destroy(
          new LabError('ERR_TLS_HANDSHAKE', `TLS: the handshake did not complete within ${ms} ms`, {
            details: { reason: 'timeout', timeoutMs: ms, state: this.connection.handshakeState },
          }),
        );
      }, ms);
      this.#timer.unref();
    }
  }

  get negotiated(): P | undefined {
    return this.connection.negotiated;
  }

  /** True once the handshake completed with a validated server chain. */
  get authorized(): boolean {
    return this.connection.negotiated?.authorized === true;
  }

  override _read(): void {
    this.#transport.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send({ chunk, callback });
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    // mqtt-packet corks and writes a packet in pieces: one write of records, not one per piece.
    this.#send({ chunk: concat(...chunks.map((c) => c.chunk)), callback });
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.connection.state === 'handshaking') {
      this.#final = callback;
      return;
    }
    this.#closeTransport();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    const held = this.#pending;
    this.#pending = [];
    for (const p of held) p.callback(error ?? new Error('TLS stream destroyed'));
    this.#transport.destroy();
    callback(error);
  }

  #send(p: Pending): void {
    const state = this.connection.state;
    if (state === 'handshaking' || state === 'idle') {
      this.#pending.push(p);
      return;
    }
    try {
      this.#transport.write(this.connection.write(p.chunk), p.callback);
    } catch (err) {
      p.callback(err as Error);
    }
  }

  /** Transport events in order: a chunk's output is applied before the next chunk's. */
  #enqueue(step: () => Promise<TlsOutput<P>>, thenDestroy = false): void {
    this.#work = this.#work
      .then(async () => {
        if (!this.destroyed) this.#apply(await step());
      })
      .catch((err: unknown) => {
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      })
      .finally(() => {
        if (thenDestroy && !this.destroyed) this.destroy();
      });
  }

  #apply(out: TlsOutput<P>): void {
    if (out.send.length > 0 && !this.#transport.destroyed) this.#transport.write(concat(...out.send));
    for (const data of out.appData) if (!this.push(data)) this.#transport.pause();
    for (const event of out.events) {
      if (event.type === 'handshake') {
        clearTimeout(this.#timer);
        this.emit('secureConnect', event.parameters);
        const held = this.#pending;
        this.#pending = [];
        for (const p of held) this.#send(p);
        if (this.#final) {
          this.#closeTransport();
          this.#final();
          this.#final = undefined;
        }
      } else if (event.type === 'close_notify') {
        this.#endReadable();
        this.#transport.end();
      } else this.emit('tlsEvent', event);
    }
    if (out.error) {
      this.#transport.end();
      this.destroy(out.error);
    } else if (this.connection.state === 'closed') this.#endReadable();
  }

  #endReadable(): void {
    if (this.#eof) return;
    this.#eof = true;
    this.push(null);
  }

  #closeTransport(): void {
    const record = this.connection.close();
    if (!this.#transport.destroyed) this.#transport.end(record.length > 0 ? record : undefined);
  }
}

/** The TLS 1.2-only adapter, as before TLS 1.3 existed: its connection is a Tls12ClientConnection. */
export class Tls12Socket extends TlsSocket<NegotiatedParameters> {
  declare readonly connection: Tls12ClientConnection;

  constructor(options: Tls12ConnectOptions) {
    super(options, (tls) => new Tls12ClientConnection(tls), 'connectTls12');
  }
}

/** A stream at once, handshake under way: what MQTT.js's `new MqttClient(() => stream, opts)` needs. */
export function createTls12Stream(options: Tls12ConnectOptions): Tls12Socket {
  return new Tls12Socket(options);
}

/** Connect and complete the handshake; rejects with the coded LabError on failure. */
export function connectTls12(options: Tls12ConnectOptions): Promise<Tls12Socket> {
  return connectWith(() => new Tls12Socket(options));
}

/** TLS 1.3 and 1.2 (per `versions`): a stream at once, handshake under way. */
export function createTlsStream(options: TlsConnectOptions): TlsSocket {
  return new TlsSocket(options);
}

/** TLS 1.3 and 1.2 (per `versions`): connect and complete the handshake. */
export function connectTls(options: TlsConnectOptions): Promise<TlsSocket> {
  return connectWith(() => new TlsSocket(options));
}

function connectWith<S extends TlsSocket<P>, P extends { readonly authorized: boolean }>(
  make: () => S,
): Promise<S> {
  return new Promise((resolve, reject) => {
    let socket: S;
    try {
      socket = make();
    } catch (err) {
      reject(err as Error);
      return;
    }
    const onError = (err: Error) => reject(err);
    socket.once('error', onError);
    socket.once('close', () =>
      reject(
        socket.connection.error ??
          new LabError('ERR_TLS_HANDSHAKE', 'TLS: the connection closed during the handshake', {
            details: { reason: 'closed' },
          }),
      ),
    );
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      socket.removeAllListeners('close');
      resolve(socket);
    });
  });
}
