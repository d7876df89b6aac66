import type { IClientOptions } from 'mqtt';

type MessageIdProvider = NonNullable<IClientOptions['messageIdProvider']>;

/**
 * Packet identifiers as libmosquitto hands them out (mosquitto__mid_generate): one counter from
 * 1 for every packet that needs an id, QoS 0 PUBLISHes included, wrapping after 65535. MQTT.js
 * starts at a random id; with this one a `-d` trace numbers packets as mosquitto's does.
 */
export class MidCounter implements MessageIdProvider {
  #last = 0;
  readonly #inUse = new Set<number>();

  #step(): number {
    this.#last = this.#last >= 0xffff ? 1 : this.#last + 1;
    return this.#last;
  }

  allocate(): number | null {
    for (let tries = 0; tries < 0xffff; tries++) {
      const id = this.#step();
      if (!this.#inUse.has(id)) {
        this.#inUse.add(id);
        return id;
      }
    }
    return null;
  }

  /** The id libmosquitto would give a QoS 0 PUBLISH, which carries none on the wire. */
  consume(): number {
    return this.#step();
  }

  getLastAllocated(): number | null {
    return this.#last === 0 ? null : this.#last;
  }

  register(num: number): boolean {
    if (this.#inUse.has(num)) return false;
    this.#inUse.add(num);
    return true;
  }

  deallocate(num: number): void {
    this.#inUse.delete(num);
  }

  clear(): void {
    this.#inUse.clear();
  }
}
