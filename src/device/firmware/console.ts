import type { Clock } from '../../core/clock.js';

export interface ConsoleLine {
  /** Milliseconds since boot, as Arduino's millis(). */
  readonly ms: number;
  readonly text: string;
}

/**
 * The device's serial console (115200 baud on the M5Go's USB port): what `Serial.println`
 * prints, timestamped from boot. Kept in memory, bounded, and offered to listeners (the CLI
 * prints it, the dashboard streams it).
 */
export class SerialConsole {
  readonly #lines: ConsoleLine[] = [];
  readonly #listeners = new Set<(line: ConsoleLine) => void>();
  readonly #bootMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly limit = 5_000,
  ) {
    this.#bootMs = clock.now().getTime();
  }

  println(text: string): void {
    const line = { ms: this.clock.now().getTime() - this.#bootMs, text };
    this.#lines.push(line);
    if (this.#lines.length > this.limit) this.#lines.shift();
    for (const l of this.#listeners) l(line);
  }

  lines(): readonly ConsoleLine[] {
    return this.#lines.slice();
  }

  text(): string {
    return this.#lines.map((l) => l.text).join('\n');
  }

  onLine(listener: (line: ConsoleLine) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}
