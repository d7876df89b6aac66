/**
 * A tap on the bus: records every transaction, acknowledged or not, as a logic analyser clipped
 * on SCL/SDA would see it — which is what an attacker with probes on the board gets. Several taps
 * may listen at once; a detached tap keeps what it recorded.
 */
import type { I2cBus } from './bus.js';
import { formatTransactions } from './format.js';
import { type I2cTransaction, type I2cTransactionJson, transactionToJson } from './transaction.js';
import { transactionsToVcd } from './vcd.js';

export class I2cTap {
  #records: I2cTransaction[] = [];
  #stop: (() => void) | undefined;

  constructor(bus: I2cBus) {
    this.#stop = bus.observe((t) => this.#records.push(t));
  }

  get attached(): boolean {
    return this.#stop !== undefined;
  }

  /** Stops recording; what was recorded stays readable. */
  detach(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  records(): readonly I2cTransaction[] {
    return [...this.#records];
  }

  clear(): void {
    this.#records = [];
  }

  toJSON(): I2cTransactionJson[] {
    return this.#records.map(transactionToJson);
  }

  /** The protocol view: one line per transaction. */
  format(): string {
    return formatTransactions(this.#records);
  }

  /** SCL/SDA as a Value Change Dump, for PulseView or `sigrok-cli -I vcd`. */
  toVcd(): string {
    return transactionsToVcd(this.#records);
  }
}
