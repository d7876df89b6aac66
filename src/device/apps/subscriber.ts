import type { MqttClient } from 'mqtt';
import { isLabError } from '../../core/errors.js';
import type { SerialConsole } from '../firmware/console.js';
import type { MqttLink } from '../firmware/link.js';
import { parseReading, type Reading } from './reading.js';
import { type SequenceEvent, SequenceTracker } from './reading-sequence.js';

export interface SubscriberState {
  received: number;
  invalid: number;
  gaps: number;
  last: Reading | undefined;
  /** Every valid reading, bounded (for the tests, the lab report and the dashboard's chart). */
  readings: Reading[];
  events: SequenceEvent[];
  /** Milliseconds from a reading's timestamp to its display, per reading. */
  latenciesMs: number[];
  subscribed: boolean;
}

const KEEP = 10_000;

/**
 * The M5Stack application: subscribe to `m5go/env`, check each payload, "display" it (the
 * console and the state the dashboard draws) and report gaps, duplicates and restarts in the
 * publisher's sequence.
 */
export class Subscriber {
  readonly state: SubscriberState = {
    received: 0,
    invalid: 0,
    gaps: 0,
    last: undefined,
    readings: [],
    events: [],
    latenciesMs: [],
    subscribed: false,
  };
  readonly #tracker = new SequenceTracker();
  readonly #listeners = new Set<(r: Reading) => void>();

  constructor(
    link: MqttLink,
    private readonly log: SerialConsole,
    private readonly o: { readonly topic: string; readonly qos: 0 | 1; readonly now: () => number },
  ) {
    link.on('connected', (client: MqttClient) => void this.#subscribe(client));
  }

  onReading(listener: (r: Reading) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  async #subscribe(client: MqttClient): Promise<void> {
    client.on('message', (topic, payload) => this.#message(topic, payload));
    try {
      const granted = await client.subscribeAsync(this.o.topic, { qos: this.o.qos });
      const qos = granted[0]?.qos;
      if (qos === 128 || qos === undefined) {
        this.log.println(`SUBSCRIBE ${this.o.topic} refused by the broker.`);
        return;
      }
      this.state.subscribed = true;
      this.log.println(`Subscribed to ${this.o.topic} (QoS ${qos}).`);
    } catch (err) {
      this.log.println(`SUBSCRIBE failed: ${(err as Error).message}`);
    }
  }

  #message(topic: string, payload: Uint8Array): void {
    if (topic !== this.o.topic) return;
    let reading: Reading;
    try {
      reading = parseReading(payload);
    } catch (err) {
      this.state.invalid++;
      const why = isLabError(err) ? String(err.details.reason ?? err.code) : 'unreadable';
      this.log.println(`Rejected a message on ${topic}: ${why}.`);
      return;
    }
    this.state.received++;
    this.state.last = reading;
    this.state.readings.push(reading);
    if (this.state.readings.length > KEEP) this.state.readings.shift();
    this.state.latenciesMs.push(this.o.now() - Date.parse(reading.timestamp));
    if (this.state.latenciesMs.length > KEEP) this.state.latenciesMs.shift();
    const event = this.#tracker.feed(reading.deviceId, reading.seq);
    this.state.events.push(event);
    if (this.state.events.length > KEEP) this.state.events.shift();
    if (event.kind === 'gap') {
      this.state.gaps++;
      this.log.println(`Gap from ${reading.deviceId}: #${event.missing.from}–#${event.missing.to} missing.`);
    } else if (event.kind === 'restart') {
      this.log.println(`${reading.deviceId} restarted (was at #${event.previous}).`);
    } else if (event.kind === 'duplicate' || event.kind === 'out-of-order') {
      this.log.println(`${reading.deviceId} #${reading.seq}: ${event.kind}.`);
    }
    this.log.println(
      `Display ${reading.deviceId} #${reading.seq}: ${reading.temperature.toFixed(2)} °C  ${reading.humidity.toFixed(1)} %RH  ${reading.pressure.toFixed(2)} hPa`,
    );
    for (const l of this.#listeners) l(reading);
  }
}
