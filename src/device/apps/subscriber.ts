import type { MqttClient } from 'mqtt';
import { isLabError } from '../../core/errors.js';
import type { SerialConsole } from '../firmware/console.js';
import type { MqttLink } from '../firmware/link.js';
import { parseReading, type Reading } from './reading.js';
import { type SequenceEvent, SequenceTracker } from './reading-sequence.js';
import type { FlagReason, ReadingVerifier } from './reading-verifier.js';

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
  /** Signed readings: accepted after their signature verified. */
  verified: number;
  /** Signed readings: displayed flagged and not accepted (not in `readings`, not in the sequence). */
  flagged: number;
  lastFlagged: { readonly reading: Reading; readonly reason: FlagReason } | undefined;
}

/** How a displayed reading was taken: as is (no verification), verified, or flagged. */
export type ReadingStatus =
  | { readonly kind: 'displayed' }
  | { readonly kind: 'verified' }
  | { readonly kind: 'flagged'; readonly reason: FlagReason };

export interface SubscriberOptions {
  readonly topic: string;
  readonly qos: 0 | 1;
  readonly now: () => number;
  /** Signed readings: accept only what verifies against the publisher certificate in flash. */
  readonly verifier?: ReadingVerifier;
}

/** What the flag line says, per reason. Each names the signature problem on the line with `#<seq>`. */
const FLAG_TEXT: Readonly<Record<FlagReason, string>> = {
  unsigned: 'unsigned',
  'malformed-signature': 'malformed signature',
  'bad-signature': 'signature does not verify',
  'unknown-device': 'no certificate for this device, unverified',
};

const KEEP = 10_000;

/**
 * The M5Stack application: subscribe to `m5go/env`, check each payload, "display" it (the
 * console and the state the dashboard draws) and report gaps, duplicates and restarts in the
 * publisher's sequence. With a verifier (signed readings), a reading whose signature is
 * missing, malformed or wrong is displayed flagged and kept out of the device's readings and
 * sequence: whoever wrote it, it is not accepted as the device's.
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
    verified: 0,
    flagged: 0,
    lastFlagged: undefined,
  };
  readonly #tracker = new SequenceTracker();
  readonly #listeners = new Set<(r: Reading, status: ReadingStatus) => void>();

  constructor(
    link: MqttLink,
    private readonly log: SerialConsole,
    private readonly o: SubscriberOptions,
  ) {
    link.on('connected', (client: MqttClient) => void this.#subscribe(client));
  }

  /** Called with every reading displayed, flagged ones included, and how it was taken. */
  onReading(listener: (r: Reading, status: ReadingStatus) => void): () => void {
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
    const values = `${reading.temperature.toFixed(2)} °C  ${reading.humidity.toFixed(1)} %RH  ${reading.pressure.toFixed(2)} hPa`;
    const verdict = this.o.verifier?.verify(reading, topic);
    if (verdict !== undefined && !verdict.ok) {
      this.state.flagged++;
      this.state.lastFlagged = { reading, reason: verdict.reason };
      this.log.println(
        `FLAGGED ${reading.deviceId} #${reading.seq} (${FLAG_TEXT[verdict.reason]}): ${values} — not accepted as ${reading.deviceId}'s.`,
      );
      for (const l of this.#listeners) l(reading, { kind: 'flagged', reason: verdict.reason });
      return;
    }
    if (verdict !== undefined) this.state.verified++;
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
    // "(verified)" only: a line about a good reading must not read like a doubt about it.
    this.log.println(`Display ${reading.deviceId} #${reading.seq}${verdict ? ' (verified)' : ''}: ${values}`);
    const status: ReadingStatus = verdict ? { kind: 'verified' } : { kind: 'displayed' };
    for (const l of this.#listeners) l(reading, status);
  }
}
