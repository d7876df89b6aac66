/**
 * One MQTT connection attempt as an attacker makes it: TCP or TLS with a given identity (or
 * none), then a CONNECT, and what came back first — a CONNACK, a TLS alert, a socket error, a
 * silent close — within a deadline. "The broker said no" is a result here, never an exception
 * (STYLE.md convention 1); an accepted connection is handed back as an MQTT.js client.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type SecureVersion, type TLSSocket } from 'node:tls';
import { MqttClient } from 'mqtt';
import { ALERT_NAMES } from '../wire/tls/index.js';

export interface ProbeTls {
  readonly caCertPem: string;
  readonly servername: string;
  /** The certificate the client presents; absent: none. */
  readonly identity?: { readonly certPem: string; readonly keyPem: string };
  readonly maxVersion?: SecureVersion;
}

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  /** Absent: plain MQTT. */
  readonly tls?: ProbeTls;
  readonly clientId: string;
  /** For TCP, TLS and CONNACK together (default 5 s). */
  readonly deadlineMs?: number;
}

interface Common {
  /** The client's TCP port: the broker logs it ("New connection from 127.0.0.1:PORT"). */
  readonly localPort: number | undefined;
  /** The negotiated TLS version and suite, when the handshake completed on the client's side. */
  readonly tls?: { readonly protocol: string; readonly cipher: string };
  readonly elapsedMs: number;
}

export type ProbeResult = Common &
  (
    | { readonly kind: 'connected'; readonly client: MqttClient; readonly sessionPresent: boolean }
    /** CONNACK with a non-zero return code (MQTT 3.1.1 §3.2.2.3). */
    | { readonly kind: 'connack-refused'; readonly returnCode: number; readonly message: string }
    /** The TLS layer failed: `alert` is the alert the server sent, when there was one. */
    | {
        readonly kind: 'tls-refused';
        readonly code: string;
        readonly alert?: string;
        readonly message: string;
      }
    /** The broker closed (or reset) the connection without a CONNACK and without an alert. */
    | { readonly kind: 'closed'; readonly code?: string }
    | { readonly kind: 'socket-error'; readonly code: string; readonly message: string }
    | { readonly kind: 'timeout'; readonly phase: 'tcp' | 'tls' | 'connack' }
  );

const DEFAULT_DEADLINE_MS = 5_000;

export async function probeMqtt(o: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const deadline = started + (o.deadlineMs ?? DEFAULT_DEADLINE_MS);
  const socket = o.tls ? openTls(o, o.tls) : netConnect({ host: o.host, port: o.port });
  const ready = o.tls ? 'secureConnect' : 'connect';
  const elapsed = () => Date.now() - started;
  // A second error (a reset after a failed handshake) must not go unhandled.
  socket.on('error', () => {});
  let localPort: number | undefined;
  // Read at connect: a destroyed socket no longer knows its port.
  socket.once('connect', () => (localPort = socket.localPort));
  const opened = await settleWithin<Error | null>(deadline, (done) => {
    socket.once(ready, () => done(null));
    socket.once('error', done);
    socket.once('close', () => done(new Error('closed')));
  });
  if (opened !== null) {
    socket.destroy();
    if (opened === 'timeout')
      return { kind: 'timeout', phase: o.tls && localPort ? 'tls' : 'tcp', localPort, elapsedMs: elapsed() };
    return { ...classify(opened, o.tls !== undefined), localPort, elapsedMs: elapsed() };
  }
  const tls = o.tls ? negotiated(socket as TLSSocket) : undefined;
  const common = { localPort, elapsedMs: 0, ...(tls ? { tls } : {}) };
  const client = new MqttClient(() => socket, {
    clientId: o.clientId,
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    reconnectPeriod: 0,
    // Our own deadline decides; MQTT.js's timer only backs it up.
    connectTimeout: Math.max(1, deadline - Date.now()) + 1_000,
  });
  // Errors after the CONNACK (a reset later on) must not become unhandled 'error' events.
  client.on('error', () => {});
  const answer = await settleWithin<{ ok: boolean } | Error>(deadline, (done) => {
    client.once('connect', (connack) => done({ ok: connack.sessionPresent }));
    client.once('error', done);
    client.once('close', () => done(new Error('closed')));
  });
  common.elapsedMs = elapsed();
  if (answer !== 'timeout' && !(answer instanceof Error)) {
    return { kind: 'connected', client, sessionPresent: answer.ok, ...common };
  }
  client.end(true);
  socket.destroy();
  if (answer === 'timeout') return { kind: 'timeout', phase: 'connack', ...common };
  const code = (answer as { code?: unknown }).code;
  if (typeof code === 'number') {
    return { kind: 'connack-refused', returnCode: code, message: answer.message, ...common };
  }
  return { ...classify(answer, o.tls !== undefined), ...common };
}

/** End an accepted client (DISCONNECT, then close), forcing it after `ms`. Never throws. */
export async function closeClient(client: MqttClient | undefined, ms = 1_000): Promise<void> {
  if (client === undefined || client.disconnected) return;
  await settleWithin(Date.now() + ms, (done) => client.end(false, {}, () => done(null)));
  if (!client.disconnected) client.end(true);
}

/** One line for a finding's evidence: what the client saw. */
export function describeProbe(r: ProbeResult): string {
  const tls = r.tls ? ` (TLS handshake completed: ${r.tls.protocol}, ${r.tls.cipher})` : '';
  const from = r.localPort === undefined ? '' : ` [client port ${r.localPort}]`;
  switch (r.kind) {
    case 'connected':
      return `CONNACK return code 0 (accepted), session present ${r.sessionPresent ? 1 : 0}${tls}${from}`;
    case 'connack-refused':
      return `CONNACK return code ${r.returnCode}: ${r.message}${tls}${from}`;
    case 'tls-refused':
      return `TLS refused: ${r.code}${r.alert ? ` (the server sent alert ${r.alert})` : ''} — ${r.message}${tls}${from}`;
    case 'closed':
      return `connection closed by the broker before any CONNACK, no alert${r.code ? ` (${r.code})` : ''}${tls}${from}`;
    case 'socket-error':
      return `socket error ${r.code}: ${r.message}${from}`;
    case 'timeout':
      return `no answer within the deadline (waiting for ${r.phase})${tls}${from}`;
  }
}

function openTls(o: ProbeOptions, t: ProbeTls): TLSSocket {
  return tlsConnect({
    host: o.host,
    port: o.port,
    servername: t.servername,
    ca: t.caCertPem,
    ...(t.identity ? { cert: t.identity.certPem, key: t.identity.keyPem } : {}),
    ...(t.maxVersion ? { maxVersion: t.maxVersion } : {}),
    // The attacker checks the broker too: it wants to talk to the real one.
    rejectUnauthorized: true,
  });
}

function negotiated(s: TLSSocket): { protocol: string; cipher: string } {
  const c = s.getCipher();
  return { protocol: s.getProtocol() ?? '?', cipher: c.standardName ?? c.name };
}

type Classified =
  | { kind: 'tls-refused'; code: string; alert?: string; message: string }
  | { kind: 'closed'; code?: string }
  | { kind: 'socket-error'; code: string; message: string };

/** OpenSSL errors are the TLS layer's verdict; a reset or an EOF without an alert is a silent close. */
function classify(err: Error, tls: boolean): Classified {
  const code = (err as NodeJS.ErrnoException).code;
  if (err.message === 'closed') return { kind: 'closed' };
  if (code === 'ECONNRESET' || code === 'EPIPE' || err.message === 'socket hang up') {
    return { kind: 'closed', code: code ?? 'socket hang up' };
  }
  if (tls && code?.startsWith('ERR_SSL_')) {
    const alert = alertName(err.message, code);
    return { kind: 'tls-refused', code, ...(alert ? { alert } : {}), message: opensslReason(err.message) };
  }
  return { kind: 'socket-error', code: code ?? 'unknown', message: err.message };
}

/** "error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca", without the thread id and source path. */
function opensslReason(message: string): string {
  const m = /error:[0-9A-F]{8}:[^:]*:[^:]*:[^:\n]*/.exec(message);
  const n = /SSL alert number \d+/.exec(message);
  return m ? `${m[0]}${n ? ` (${n[0]})` : ''}` : message.trim();
}

/** OpenSSL says "SSL alert number 48" for an alert received (RFC 8446 §6 numbers it). */
export function alertName(message: string, code = ''): string | undefined {
  const n = /SSL alert number (\d+)/.exec(message)?.[1];
  if (n !== undefined) return ALERT_NAMES.get(Number(n)) ?? `alert ${n}`;
  const m = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/.exec(code);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** Resolve with the first value `start` reports, or 'timeout' at `deadline`. */
export function settleWithin<T>(
  deadline: number,
  start: (done: (v: T) => void) => void,
): Promise<T | 'timeout'> {
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => done('timeout'), Math.max(0, deadline - Date.now()));
    function done(v: T | 'timeout'): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(v);
    }
    start(done);
  });
}
