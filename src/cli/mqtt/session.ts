import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type IConnackPacket, MqttClient } from 'mqtt';
import type { ConnectionPlan } from './connection-options.js';
import { DebugLog } from './debug-log.js';
import { describeFailure, type Failure } from './failure.js';
import { MidCounter } from './mids.js';

/**
 * One MQTT connection for pub/sub: dials the socket the plan describes (MQTT.js only speaks
 * MQTT over it), waits for CONNACK, and turns every way of not getting there into a Failure.
 * No reconnection: a lab run that lost its broker should say so, not retry quietly.
 */
export class Session {
  #closing = false;
  #lost: ((f: Failure) => void) | undefined;

  private constructor(
    readonly client: MqttClient,
    readonly connack: IConnackPacket,
    private readonly facts: () => Failure,
  ) {
    client.on('close', () => {
      if (!this.#closing) this.#lost?.(this.facts());
    });
  }

  /** Called once if the connection drops while we did not ask for it. */
  onLost(cb: (f: Failure) => void): void {
    this.#lost = cb;
  }

  /** DISCONNECT (with -D disconnect properties) once QoS 1/2 flows are complete, then close. */
  async close(properties?: Record<string, unknown>): Promise<void> {
    this.#closing = true;
    if (!this.client.connected) {
      this.client.end(true);
      return;
    }
    await this.client.endAsync(false, properties === undefined ? {} : { properties });
  }

  static open(
    plan: ConnectionPlan,
    command: 'pub' | 'sub',
    debugLine: ((line: string) => void) | undefined,
    keyLog?: (line: Buffer) => void,
  ): Promise<{ ok: true; session: Session } | { ok: false; failure: Failure }> {
    let handshakeDone = false;
    let refusal: number | undefined;
    let error: (Error & { code?: string }) | undefined;
    let connected = false;
    const facts = (): Failure =>
      describeFailure({
        version: plan.version,
        tls: plan.tls !== undefined,
        handshakeDone,
        connected,
        command,
        ...(refusal !== undefined ? { refusal } : {}),
        ...(error !== undefined ? { error } : {}),
      });
    const build = () => {
      const where = plan.unix !== undefined ? { path: plan.unix } : { host: plan.host, port: plan.port };
      if (plan.tls === undefined) return netConnect({ ...where, ...plan.tcp });
      const socket = tlsConnect({ ...plan.tls, ...where, ...plan.tcp });
      if (keyLog) socket.on('keylog', keyLog);
      socket.once('secureConnect', () => {
        handshakeDone = true;
      });
      return socket;
    };
    const mids = new MidCounter();
    const client = new MqttClient(build, { ...plan.client, messageIdProvider: mids });
    if (debugLine !== undefined) {
      const debug = new DebugLog(plan.client.clientId, debugLine, mids);
      client.on('packetsend', (p) => debug.sent(p));
      client.on('packetreceive', (p) => debug.received(p));
    }
    client.on('packetreceive', (p) => {
      if (p.cmd !== 'connack') return;
      const rc = p.reasonCode ?? p.returnCode ?? 0;
      if (rc !== 0) refusal = rc;
    });
    client.on('error', (err: Error & { code?: string | number }) => {
      // MQTT.js reports a refused CONNACK as an error too; the refusal itself is what counts.
      if (error === undefined && refusal === undefined)
        error = typeof err.code === 'string' ? (err as Error & { code: string }) : new Error(err.message);
    });
    return new Promise((resolve) => {
      client.once('connect', (connack) => {
        connected = true;
        resolve({ ok: true, session: new Session(client, connack, facts) });
      });
      client.on('close', () => {
        if (connected) return;
        client.end(true);
        resolve({ ok: false, failure: facts() });
      });
      client.connect();
    });
  }
}
