import type { Clock } from '../../core/clock.js';
import type { Signer } from '../../pki/index.js';
import { Bmp280Driver } from '../drivers/bmp280.js';
import { Sht30Driver } from '../drivers/sht30.js';
import type { Board } from '../firmware/board.js';
import type { SerialConsole } from '../firmware/console.js';
import type { MqttLink } from '../firmware/link.js';
import { encodeReading, type Reading, readEnv } from './reading.js';
import { signReading } from './reading-signature.js';

export interface PublisherOptions {
  readonly deviceId: string;
  readonly topic: string;
  readonly intervalMs: number;
  readonly qos: 0 | 1;
  /** Stop after this many readings (undefined: run until stopped). */
  readonly count?: number;
  readonly clock: Clock;
  /**
   * Signed readings: the secure element's slot-0 signer (the TLS client's). A reading that
   * cannot be signed is not sent: this firmware never publishes an unsigned reading.
   */
  readonly signer?: Signer;
}

export interface PublisherState {
  seq: number;
  published: number;
  /** Readings taken while the link was down: not sent, visible as a gap at the subscriber. */
  skipped: number;
  sensorErrors: number;
  /** Signed readings: how many were signed, how many signatures failed (those were not sent). */
  signed: number;
  signFailures: number;
  /** I2C bus time of the last reading's Nonce + Sign, wake-ups and transfers included (µs). */
  lastSignUs: number | undefined;
  last: Reading | undefined;
}

/**
 * The M5Go application: every interval, read the ENV II unit (SHT30 then BMP280) and publish
 * the JSON reading to `m5go/env` — signed by the secure element when the firmware has signed
 * readings. The sequence number counts readings taken, so a reading that could not be sent
 * shows as a gap on the subscriber's side rather than disappearing.
 */
export class Publisher {
  readonly state: PublisherState = {
    seq: 0,
    published: 0,
    skipped: 0,
    sensorErrors: 0,
    signed: 0,
    signFailures: 0,
    lastSignUs: undefined,
    last: undefined,
  };
  readonly #sht: Sht30Driver;
  readonly #bmp: Bmp280Driver;
  readonly #listeners = new Set<(reading: Reading, sent: boolean) => void>();
  #timer: NodeJS.Timeout | undefined;
  #begun = false;
  #done: (() => void) | undefined;
  readonly finished: Promise<void>;
  readonly #bus: Board['bus'];

  constructor(
    board: Board,
    private readonly link: MqttLink,
    private readonly log: SerialConsole,
    private readonly o: PublisherOptions,
  ) {
    this.#bus = board.bus;
    this.#sht = new Sht30Driver(board.bus);
    this.#bmp = new Bmp280Driver(board.bus);
    this.finished = new Promise((resolve) => (this.#done = resolve));
  }

  start(): void {
    const tick = (): void => {
      void this.#tick().then(() => {
        if (this.o.count !== undefined && this.state.seq >= this.o.count) {
          this.#done?.();
          return;
        }
        this.#timer = setTimeout(tick, this.o.intervalMs);
      });
    };
    tick();
  }

  /** Called with every reading taken, and whether it went out. */
  onReading(listener: (reading: Reading, sent: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#done?.();
  }

  async #tick(): Promise<void> {
    const client = this.link.client;
    if (client === undefined && this.state.seq === 0) return; // nothing read before the first connection
    try {
      if (!this.#begun) {
        // setup() waits out the sensors' power-up (SHT30 datasheet Table 4: tPU ≤ 1.5 ms)
        // instead of failing reads until the part answers.
        await this.#bus.sleep(1_500);
        await this.#sht.begin();
        await this.#bmp.begin();
        this.#begun = true;
        this.log.println('ENV II ready: SHT30 at 0x44, BMP280 at 0x76.');
      }
      const env = await readEnv(this.#sht, this.#bmp);
      const seq = ++this.state.seq;
      let payload = encodeReading({ deviceId: this.o.deviceId, seq, ...env }, this.o.clock);
      this.state.last = JSON.parse(payload) as Reading;
      if (client === undefined) {
        this.state.skipped++;
        this.log.println(`Reading #${seq} not sent: no connection.`);
        for (const l of this.#listeners) l(this.state.last, false);
        return;
      }
      let signedNote = '';
      if (this.o.signer !== undefined) {
        const started = this.#bus.nowUs();
        try {
          this.state.last = await signReading(this.state.last, this.o.topic, this.o.signer);
        } catch (err) {
          this.state.skipped++;
          this.state.signFailures++;
          this.log.println(`Reading #${seq} not sent: signing failed: ${(err as Error).message}`);
          for (const l of this.#listeners) l(this.state.last, false);
          return;
        }
        this.state.signed++;
        this.state.lastSignUs = this.#bus.nowUs() - started;
        payload = JSON.stringify(this.state.last);
        signedNote = `, signed by the secure element in ${(this.state.lastSignUs / 1000).toFixed(1)} ms`;
      }
      try {
        await client.publishAsync(this.o.topic, payload, { qos: this.o.qos });
      } catch (err) {
        this.state.skipped++;
        this.log.println(`Reading #${seq} not sent: ${(err as Error).message}`);
        for (const l of this.#listeners) l(this.state.last, false);
        return;
      }
      this.state.published++;
      this.log.println(
        `Published #${seq} to ${this.o.topic}: ${env.temperature.toFixed(2)} °C, ${env.humidity.toFixed(1)} %RH, ${env.pressure.toFixed(2)} hPa${signedNote}`,
      );
      for (const l of this.#listeners) l(this.state.last, true);
    } catch (err) {
      this.state.sensorErrors++;
      this.log.println(`Reading failed: ${(err as Error).message}`);
    }
  }
}
