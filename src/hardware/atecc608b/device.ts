import type { Rng } from '../../core/rng.js';
import type { I2cTarget } from '../i2c/target.js';
import { COMMANDS, execute, type CommandContext } from './commands/index.js';
import { i2cAddressOf, isI2cEnabled } from './config.js';
import {
  decodeCommand,
  encodeResponse,
  STATUS,
  statusResponse,
  WAKE_RESPONSE,
  WORD_ADDRESS,
} from './packet.js';
import { Sram } from './sram.js';
import { executionUs, type TimingMode, WAKE_LOW_US, wakeHighUs, watchdogUs } from './timing.js';
import type { Eeprom } from './zones.js';

/**
 * Where the part is: asleep, idle, waking (tWHI after the wake pulse), ready to be read or to
 * take a command, or busy executing one.
 */
export type DeviceState = 'sleep' | 'idle' | 'waking' | 'ready' | 'busy';

export interface DeviceOptions {
  readonly rng: Rng;
  readonly timing: TimingMode;
}

/**
 * The ATECC608B as an I2C target (reference §3.2–3.4). Every host write starts with a word
 * address: 0x00 rewinds the output buffer, 0x01 sleeps, 0x02 idles, 0x03 carries a command
 * packet. The part NACKs its address while asleep, idle, waking or executing; after
 * executing, successive reads walk through the response group (a host may fetch a 67-byte
 * group as 32 + 32 + 3), and bytes past its end read 0xFF. Time comes only from the bus
 * (`nowUs`), so the same part runs on a virtual clock in tests and on real time in a lab.
 */
export class Device implements I2cTarget {
  readonly eeprom: Eeprom;
  readonly sram = new Sram();
  timing: TimingMode;
  readonly #rng: Rng;
  #power: 'sleep' | 'idle' | 'awake' = 'sleep';
  /** The part does not answer before this time (end of tWHI or of an execution). */
  #readyAt = 0;
  #busy = false;
  #watchdogAt = Number.POSITIVE_INFINITY;
  #output: Uint8Array = new Uint8Array(0);
  #cursor = 0;
  #now = 0;
  #address: number;

  constructor(eeprom: Eeprom, options: DeviceOptions) {
    this.eeprom = eeprom;
    this.#rng = options.rng;
    this.timing = options.timing;
    this.#address = i2cAddressOf(eeprom.config);
  }

  /** The 7-bit address the part answers to, latched at power-up and at every sleep. */
  get i2cAddress(): number {
    return this.#address;
  }

  state(nowUs: number): DeviceState {
    this.#tick(nowUs);
    if (this.#power !== 'awake') return this.#power;
    if (this.#now < this.#readyAt) return this.#busy ? 'busy' : 'waking';
    return 'ready';
  }

  write(data: Uint8Array, nowUs: number): boolean {
    this.#tick(nowUs);
    if (!this.#answers()) return false;
    switch (data[0]) {
      case undefined:
        break; // an address-only write (a bus scan) is acknowledged
      case WORD_ADDRESS.RESET:
        this.#cursor = 0;
        break;
      case WORD_ADDRESS.SLEEP:
        this.#sleep();
        break;
      case WORD_ADDRESS.IDLE:
        this.#idle();
        break;
      case WORD_ADDRESS.COMMAND:
        this.#command(data.subarray(1));
        break;
      default:
        break; // reserved word addresses 0x04–0xFF: acknowledged, ignored
    }
    return true;
  }

  read(length: number, nowUs: number): Uint8Array | null {
    this.#tick(nowUs);
    if (!this.#answers()) return null;
    const out = new Uint8Array(length).fill(0xff);
    out.set(this.#output.subarray(this.#cursor, this.#cursor + length));
    this.#cursor = Math.min(this.#output.length, this.#cursor + length);
    return out;
  }

  /**
   * SDA held low for `durationUs` (`nowUs` taken as the moment it is released): at least tWLO
   * wakes a sleeping or idle part, which answers `04 11 33 43` after tWHI. A wake pulse while
   * awake is ignored (reference §3.3).
   */
  sdaLow(durationUs: number, nowUs: number): void {
    this.#tick(nowUs);
    if (!isI2cEnabled(this.eeprom.config) || durationUs < WAKE_LOW_US || this.#power === 'awake') return;
    this.#power = 'awake';
    this.#readyAt = this.#now + wakeHighUs(this.timing);
    this.#busy = false;
    this.#watchdogAt = this.#now + watchdogUs(this.eeprom.config);
    this.#respondNow(WAKE_RESPONSE);
  }

  /** Power removed and restored: volatile state lost, address re-latched, part asleep. */
  powerCycle(): void {
    this.#sleep();
    // A part unplugged from one board and plugged into another meets a new clock: its time
    // starts again from whatever the new bus says.
    this.#now = Number.NEGATIVE_INFINITY;
    this.#readyAt = 0;
  }

  /** The command context, for tests that drive commands without the bus. */
  get context(): CommandContext {
    return { eeprom: this.eeprom, sram: this.sram, rng: this.#rng };
  }

  #tick(nowUs: number): void {
    if (nowUs > this.#now) this.#now = nowUs;
    // The watchdog sends an awake part to sleep whatever it is doing.
    if (this.#power === 'awake' && this.#now >= this.#watchdogAt) this.#sleep();
  }

  #answers(): boolean {
    return isI2cEnabled(this.eeprom.config) && this.#power === 'awake' && this.#now >= this.#readyAt;
  }

  #sleep(): void {
    this.#power = 'sleep';
    this.sram.clear();
    this.#output = new Uint8Array(0);
    this.#cursor = 0;
    this.#readyAt = 0;
    this.#busy = false;
    this.#watchdogAt = Number.POSITIVE_INFINITY;
    this.#address = i2cAddressOf(this.eeprom.config);
  }

  #idle(): void {
    // Idle keeps TempKey, the Message Digest Buffer, the Alternate Key Buffer and the SHA context.
    this.#power = 'idle';
    this.#output = new Uint8Array(0);
    this.#cursor = 0;
    this.#watchdogAt = Number.POSITIVE_INFINITY;
  }

  #command(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const decoded = decodeCommand(bytes);
    if (!decoded.ok) return this.#respondNow(statusResponse(decoded.status));
    const command = COMMANDS.get(decoded.command.opcode);
    const busyUs = command ? executionUs(command, this.timing) : 0;
    // A command that cannot finish before the watchdog fires is refused up front.
    if (this.#now + busyUs >= this.#watchdogAt)
      return this.#respondNow(statusResponse(STATUS.WATCHDOG_ABOUT_TO_EXPIRE));
    const result = execute(decoded.command, this.context);
    this.#output = 'status' in result ? statusResponse(result.status) : encodeResponse(result.payload);
    this.#cursor = 0;
    this.#readyAt = this.#now + busyUs;
    this.#busy = busyUs > 0;
  }

  #respondNow(group: Uint8Array): void {
    this.#output = group;
    this.#cursor = 0;
  }
}
