import { parseOptions, z } from '../../core/options.js';
import type { I2cTarget } from '../i2c/target.js';
import { ambientSourceSchema, saturationHpa } from './environment.js';
import {
  type AlertLimit,
  celsiusToRaw,
  encodeWord,
  relativeHumidityToRaw,
  type Repeatability,
  SHT30_ADDRESS,
  SHT30_COMMANDS,
  SHT30_DEFAULT_ALERT_LIMITS,
  SHT30_REPEATABILITY,
  SHT30_STATUS,
  SHT30_STATUS_AFTER_RESET,
  SHT30_STATUS_CLEARABLE,
  SHT30_TIMING_US,
  type Sht30Command,
  sht30Crc8,
} from './sht30-protocol.js';

const schema = z.strictObject({
  environment: ambientSourceSchema,
  /**
   * How much the on-chip heater warms the sensing element. A model figure: the datasheet gives
   * the heater's power, not a temperature rise, and says it is for plausibility checks only.
   */
  heaterRiseC: z.number().min(0).max(20).default(3),
  /** Bus time at which the part is powered; it answers after tPU. */
  poweredAtUs: z.number().min(0).default(0),
});
export type Sht30Options = z.input<typeof schema>;

type Mode =
  | { readonly kind: 'idle' }
  | { readonly kind: 'single-shot'; readonly readyUs: number; readonly repeatability: Repeatability }
  | {
      readonly kind: 'periodic';
      readonly startUs: number;
      readonly periodUs: number;
      readonly repeatability: Repeatability;
      /** Index of the last measurement the data memory gave away (fetch clears it, §4.6). */
      fetched: number;
    };

interface Sample {
  readonly index: number;
  readonly tRaw: number;
  readonly rhRaw: number;
}

/**
 * The SHT30 of the ENV II unit, at 0x44. Clock stretching is not emulated: every measurement
 * behaves as the "clock stretching disabled" variant, so a read before the result is ready gets
 * its address NACKed (§4.4), whichever single-shot command started it. While a single-shot
 * measurement runs the part NACKs writes too.
 */
export class Sht30 implements I2cTarget {
  readonly address = SHT30_ADDRESS;
  readonly #o: Readonly<z.infer<typeof schema>>;
  #busyUntilUs: number;
  #mode: Mode = { kind: 'idle' };
  #status = SHT30_STATUS_AFTER_RESET;
  #heater = false;
  #limits: Record<AlertLimit, number> = { ...SHT30_DEFAULT_ALERT_LIMITS };
  #output: Uint8Array | null = null;
  #lastPeriodic: Sample | null = null;

  constructor(options: Sht30Options) {
    this.#o = parseOptions(schema, options, 'Sht30');
    this.#busyUntilUs = this.#o.poweredAtUs + SHT30_TIMING_US.powerUp; // Table 4: tPU
  }

  get heaterOn(): boolean {
    return this.#heater;
  }

  write(data: Uint8Array, nowUs: number): boolean {
    if (nowUs < this.#busyUntilUs) return false;
    if (this.#mode.kind === 'single-shot' && nowUs < this.#mode.readyUs) return false;
    if (data.length === 0) return true; // an address probe (bus scan)
    this.#output = null;
    const command = data.length >= 2 ? SHT30_COMMANDS.get((data[0]! << 8) | data[1]!) : undefined;
    const carriesData = command?.kind === 'write-alert-limit';
    if (command === undefined || data.length !== (carriesData ? 5 : 2) || !this.#allowed(command)) {
      // §4.11 Table 18 bit 1: "last command not processed" (invalid, or its built-in CRC failed).
      this.#status |= SHT30_STATUS.commandFailed;
      return true;
    }
    // Reading the status does not overwrite bit 1, or the flag could never be seen.
    if (command.kind !== 'read-status') this.#status &= ~SHT30_STATUS.commandFailed;
    this.#execute(command, data, nowUs);
    return true;
  }

  read(length: number, nowUs: number): Uint8Array | null {
    if (nowUs < this.#busyUntilUs) return null;
    const mode = this.#mode;
    if (mode.kind === 'single-shot') {
      // §4.4, clock stretching disabled: NACK the read header while no data is present.
      if (nowUs < mode.readyUs) return null;
      const s = this.#sample(mode.readyUs, mode.repeatability, -1);
      this.#mode = { kind: 'idle' };
      return pad([...encodeWord(s.tRaw), ...encodeWord(s.rhRaw)], length);
    }
    const out = this.#output;
    this.#output = null;
    return out === null ? null : pad(out, length);
  }

  /** §4.5/§4.8: in periodic mode only break, fetch, reset and housekeeping commands are taken. */
  #allowed(command: Sht30Command): boolean {
    return this.#mode.kind !== 'periodic' || (command.kind !== 'single-shot' && command.kind !== 'periodic');
  }

  #execute(command: Sht30Command, data: Uint8Array, nowUs: number): void {
    switch (command.kind) {
      case 'single-shot':
        this.#mode = {
          kind: 'single-shot',
          readyUs: nowUs + SHT30_TIMING_US.measurement[command.repeatability],
          repeatability: command.repeatability,
        };
        return;
      case 'periodic':
        this.#mode = {
          kind: 'periodic',
          startUs: nowUs,
          periodUs: 1_000_000 / command.mps,
          repeatability: command.repeatability,
          fetched: -1,
        };
        this.#lastPeriodic = null;
        return;
      case 'fetch':
        this.#fetch(nowUs);
        return;
      case 'break': // §4.8: abort periodic acquisition, back to single shot mode
        this.#mode = { kind: 'idle' };
        return;
      case 'soft-reset':
        this.#reset(nowUs);
        return;
      case 'heater':
        this.#heater = command.on;
        this.#status = command.on
          ? this.#status | SHT30_STATUS.heaterOn
          : this.#status & ~SHT30_STATUS.heaterOn;
        return;
      case 'read-status':
        this.#latestPeriodic(nowUs);
        this.#output = new Uint8Array(encodeWord(this.#status));
        return;
      case 'clear-status':
        this.#status &= ~SHT30_STATUS_CLEARABLE;
        return;
      case 'read-alert-limit':
        this.#output = new Uint8Array(encodeWord(this.#limits[command.limit]));
        return;
      case 'write-alert-limit': {
        // §4 intro: "the SHT3x-DIS only accepts data if it is followed by the correct checksum".
        const ok = sht30Crc8(data.subarray(2, 4)) === data[4];
        this.#status = ok
          ? this.#status & ~SHT30_STATUS.writeChecksumFailed
          : this.#status | SHT30_STATUS.writeChecksumFailed;
        if (ok) this.#limits[command.limit] = (data[2]! << 8) | data[3]!;
        return;
      }
    }
  }

  #fetch(nowUs: number): void {
    const mode = this.#mode;
    const latest = this.#latestPeriodic(nowUs);
    // §4.6: no new measurement since the last fetch → the read header is NACKed.
    if (mode.kind !== 'periodic' || latest === null || latest.index <= mode.fetched) return;
    mode.fetched = latest.index;
    this.#output = new Uint8Array([...encodeWord(latest.tRaw), ...encodeWord(latest.rhRaw)]);
  }

  /**
   * The newest completed periodic measurement. Measurements are sampled when the master looks
   * (fetch, status), so the alert flags track the measurements the master can observe.
   */
  #latestPeriodic(nowUs: number): Sample | null {
    const mode = this.#mode;
    if (mode.kind !== 'periodic') return null;
    const tMeas = SHT30_TIMING_US.measurement[mode.repeatability];
    const index = Math.floor((nowUs - mode.startUs - tMeas) / mode.periodUs);
    if (index < 0) return null;
    if (this.#lastPeriodic?.index !== index) {
      this.#lastPeriodic = this.#sample(
        mode.startUs + index * mode.periodUs + tMeas,
        mode.repeatability,
        index,
      );
      this.#trackAlerts(this.#lastPeriodic);
    }
    return this.#lastPeriodic;
  }

  #sample(atUs: number, repeatability: Repeatability, index: number): Sample {
    const env = this.#o.environment;
    const ambient = env.at(atUs);
    const dieC = ambient.temperatureC + (this.#heater ? this.#o.heaterRiseC : 0);
    // The element measures RH at its own temperature: a warmer die sees drier air.
    const rhAtDie = (ambient.relativeHumidityPct * saturationHpa(ambient.temperatureC)) / saturationHpa(dieC);
    const t = dieC + env.noise(SHT30_REPEATABILITY.temperatureC[repeatability] / 3);
    const rh = rhAtDie + env.noise(SHT30_REPEATABILITY.relativeHumidityPct[repeatability] / 3);
    return { index, tRaw: celsiusToRaw(t), rhRaw: relativeHumidityToRaw(rh) };
  }

  /**
   * Alert note: reaching a "set" limit raises the tracking alert and the pending flag. Limits keep
   * the 9 MSBs of S_T and the 7 MSBs of S_RH, so the comparison is made at that resolution.
   */
  #trackAlerts(s: Sample): void {
    const { highSet, lowSet } = this.#limits;
    const t = s.tRaw >> 7;
    const rh = s.rhRaw >> 9;
    if (t >= (highSet & 0x1ff) || t <= (lowSet & 0x1ff)) {
      this.#status |= SHT30_STATUS.tTrackingAlert | SHT30_STATUS.alertPending;
    }
    if (rh >= highSet >> 9 || rh <= lowSet >> 9) {
      this.#status |= SHT30_STATUS.rhTrackingAlert | SHT30_STATUS.alertPending;
    }
  }

  /** §4.9: soft reset reloads calibration and defaults; the part is deaf for tSR (Table 4). */
  #reset(nowUs: number): void {
    this.#mode = { kind: 'idle' };
    this.#status = SHT30_STATUS_AFTER_RESET;
    this.#heater = false;
    this.#limits = { ...SHT30_DEFAULT_ALERT_LIMITS };
    this.#output = null;
    this.#lastPeriodic = null;
    this.#busyUntilUs = nowUs + SHT30_TIMING_US.softReset;
  }
}

/** §4.4: the master may stop early; past the data the bus floats high (0xFF). */
function pad(bytes: ArrayLike<number>, length: number): Uint8Array {
  const out = new Uint8Array(length).fill(0xff);
  out.set(Array.from(bytes).slice(0, length));
  return out;
}
