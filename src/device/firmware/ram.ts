/**
 * The device's working memory for secrets, as far as the firmware controls it: every buffer
 * the boot sequence puts key material in is allocated here, so the lab can say — from a search
 * of the bytes, not from a promise — whether the key is still in RAM after boot. The copy the
 * TLS stack keeps for the session (mbedtls' pk context on the ESP32, OpenSSL's here) is outside
 * the firmware's reach and is reported as such.
 */
export class DeviceRam {
  readonly #buffers = new Map<string, Uint8Array>();

  /** `uint8_t name[size]`: a zeroed buffer the firmware owns. */
  allocate(name: string, size: number): Uint8Array {
    const buffer = new Uint8Array(size);
    this.#buffers.set(name, buffer);
    return buffer;
  }

  /** `memset(buffer, 0, size)` — the seed's mitigation. */
  zero(name: string): void {
    this.#buffers.get(name)?.fill(0);
  }

  zeroAll(): void {
    for (const b of this.#buffers.values()) b.fill(0);
  }

  /** Names of the buffers that hold `needle` (a key's DER or PEM bytes) right now. */
  find(needle: Uint8Array): string[] {
    if (needle.length === 0) return [];
    const hits: string[] = [];
    for (const [name, buffer] of this.#buffers) {
      if (Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).indexOf(needle) >= 0)
        hits.push(name);
    }
    return hits;
  }

  names(): string[] {
    return [...this.#buffers.keys()];
  }
}
