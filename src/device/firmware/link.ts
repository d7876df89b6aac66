import { EventEmitter } from 'node:events';
import { connect as netConnect, isIP } from 'node:net';
import { isLabError } from '../../core/errors.js';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connectTls, connectTls12 } from '../../wire/tls-client/index.js';
import { MqttClient } from 'mqtt';
import type { Rng } from '../../core/rng.js';
import type { SerialConsole } from './console.js';
import type { DeviceTls } from './tls.js';

export interface LinkOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  /** Absent: plain MQTT (Step 1). */
  readonly tls?: DeviceTls;
  /** Name checked against the broker certificate (default: the host, unless it is an IP address). */
  readonly servername?: string;
  /** PubSubClient's default keepalive. */
  readonly keepaliveS?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly rng: Rng;
  readonly log: SerialConsole;
}

export interface LinkStats {
  attempts: number;
  connects: number;
  failures: number;
  lastError: string | undefined;
  tlsVersion: string | undefined;
  cipher: string | undefined;
}

/**
 * The device's connection to the broker: TCP (Step 1) or TLS with the device's context, then
 * MQTT 3.1.1 CONNECT as PubSubClient sends it (clean session, client id, no credentials: the
 * certificate is the identity). When the connection fails or drops it tries again after an
 * exponential backoff with jitter (0.5 s doubling to 30 s by default), reset on success.
 *
 * Events: 'connected' (client), 'disconnected' (reason).
 */
export class MqttLink extends EventEmitter {
  readonly stats: LinkStats = {
    attempts: 0,
    connects: 0,
    failures: 0,
    lastError: undefined,
    tlsVersion: undefined,
    cipher: undefined,
  };
  #client: MqttClient | undefined;
  #socket: Duplex | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delayMs: number;
  #stopped = false;

  constructor(private readonly o: LinkOptions) {
    super();
    this.#delayMs = o.backoff?.initialMs ?? 500;
  }

  get client(): MqttClient | undefined {
    return this.#client?.connected === true ? this.#client : undefined;
  }

  start(): void {
    this.#stopped = false;
    void this.#attempt();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    this.#socket?.destroy();
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    this.stats.attempts++;
    const { host, port, log } = this.o;
    try {
      const socket = await this.#open();
      if (this.#stopped) {
        socket.destroy();
        return;
      }
      await this.#mqtt(socket);
      this.#delayMs = this.o.backoff?.initialMs ?? 500;
    } catch (err) {
      this.stats.failures++;
      this.stats.lastError = (err as Error).message;
      log.println(`Connection to ${host}:${port} failed: ${(err as Error).message}`);
      this.#retry();
    }
  }

  #retry(): void {
    if (this.#stopped) return;
    const max = this.o.backoff?.maxMs ?? 30_000;
    const jitter = 0.5 + this.o.rng.bytes(1)[0]! / 510; // 0.5–1.0
    const wait = Math.round(this.#delayMs * jitter);
    this.#delayMs = Math.min(max, this.#delayMs * 2);
    this.o.log.println(`Retrying in ${wait} ms.`);
    this.#timer = setTimeout(() => void this.#attempt(), wait);
  }

  async #open(): Promise<Duplex> {
    const { host, port, tls, log } = this.o;
    const servername = this.o.servername ?? (isIP(host) === 0 ? host : undefined);
    if (tls === undefined) {
      return new Promise((resolve, reject) => {
        const s = netConnect({ host, port });
        this.#socket = s;
        s.once('connect', () => {
          s.removeListener('error', reject);
          log.println(`TCP connected to ${host}:${port} (plain MQTT, no TLS).`);
          resolve(s);
        });
        s.once('error', reject);
      });
    }
    if (tls.stack === 'device') {
      const options = {
        host,
        port,
        ...(servername === undefined ? {} : { serverName: servername }),
        trustAnchors: tls.trustAnchors,
        certificateChain: tls.certificateChain,
        signer: tls.signer,
        handshakeTimeout: 15_000,
      };
      // The ESP32's stack speaks TLS 1.2 only; TLS 1.3 (with 1.2 offered) only when asked for.
      const connecting = tls.versions.includes('1.3')
        ? connectTls({ ...options, versions: tls.versions })
        : connectTls12(options);
      const s = await connecting.catch((err: unknown) => {
        throw new Error(`TLS handshake failed: ${tlsFailure(err)}`, { cause: err });
      });
      this.#socket = s;
      const n = s.connection.negotiated!;
      this.stats.tlsVersion = n.version;
      this.stats.cipher = n.cipherSuite;
      log.println(`TLS handshake OK: ${n.version}, ${n.cipherSuite}.`);
      return s;
    }
    return new Promise((resolve, reject) => {
      const s: TLSSocket = tlsConnect({
        host,
        port,
        secureContext: tls.context,
        servername,
        rejectUnauthorized: true,
      });
      this.#socket = s;
      s.once('secureConnect', () => {
        s.removeListener('error', reject);
        const cipher = s.getCipher();
        this.stats.tlsVersion = s.getProtocol() ?? undefined;
        this.stats.cipher = cipher.standardName ?? cipher.name;
        log.println(`TLS handshake OK: ${this.stats.tlsVersion}, ${this.stats.cipher}.`);
        resolve(s);
      });
      s.once('error', (err) => reject(new Error(`TLS handshake failed: ${err.message}`)));
    });
  }

  #mqtt(socket: Duplex): Promise<void> {
    const { clientId, log } = this.o;
    return new Promise((resolve, reject) => {
      const client = new MqttClient(() => socket, {
        clientId,
        protocolVersion: 4,
        clean: true,
        keepalive: this.o.keepaliveS ?? 15,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      });
      let settled = false;
      client.once('connect', () => {
        settled = true;
        this.#client = client;
        this.stats.connects++;
        log.println(`MQTT connected as ${clientId}.`);
        this.emit('connected', client);
        resolve();
      });
      client.on('error', (err) => {
        if (!settled) {
          settled = true;
          client.end(true);
          reject(new Error(`MQTT CONNECT refused: ${err.message}`));
        }
      });
      client.once('close', () => {
        if (!settled) {
          settled = true;
          reject(new Error('the broker closed the connection before CONNACK'));
          return;
        }
        if (this.#client === client) this.#client = undefined;
        if (this.#stopped) return;
        log.println('MQTT connection lost.');
        this.emit('disconnected', 'closed');
        this.#retry();
      });
    });
  }
}

/** "the broker sent decrypt_error" — what the console can say about a failed handshake. */
function tlsFailure(err: unknown): string {
  if (isLabError(err) && typeof err.details.alert === 'string') {
    const who = err.details.direction === 'received' ? 'the server sent' : 'we sent';
    return `${who} ${err.details.alert} (${String(err.details.reason ?? err.code)})`;
  }
  return (err as Error).message;
}
