import { topicMatches } from '../../wire/mqtt/topic.js';
import { type CompiledFormat, renderFormat } from './format.js';
import { messageJson, type ReceivedMessage, type Stamp } from './message.js';

/**
 * What mosquitto_sub does with each PUBLISH (client/sub_client.c my_message_callback and
 * sub_client_output.c print_message), as pure decisions so they are tested without a broker.
 */
export interface GateOptions {
  /** -R: skip retained (stale) messages. */
  readonly noRetained: boolean;
  /** --retained-only: print retained messages, stop at the first fresh one. */
  readonly retainedOnly: boolean;
  /** -T filters. */
  readonly filterOut: readonly string[];
  /** --remove-retained. */
  readonly removeRetained: boolean;
  /** -C; 0 for no limit. */
  readonly count: number;
  /** --random-filter as a probability in (0, 1]; 1 prints everything. */
  readonly chance: number;
}

export interface Decision {
  readonly print: boolean;
  /** Publish an empty retained message to clear this topic (--remove-retained). */
  readonly clearRetained: boolean;
  /** Disconnect after this message (-C reached, or --retained-only saw a fresh one). */
  readonly stop: boolean;
}

const SKIP: Decision = Object.freeze({ print: false, clearRetained: false, stop: false });

export class MessageGate {
  #printed = 0;
  #stopped = false;

  constructor(
    private readonly o: GateOptions,
    private readonly random: () => number = Math.random,
  ) {}

  decide(m: ReceivedMessage): Decision {
    if (this.#stopped) return SKIP;
    if (this.o.retainedOnly && !m.retain) {
      this.#stopped = true;
      return { print: false, clearRetained: false, stop: true };
    }
    if (m.retain && this.o.noRetained) return SKIP;
    if (this.o.filterOut.some((f) => topicMatches(f, m.topic))) return SKIP;
    const clearRetained = this.o.removeRetained && m.retain;
    // mosquitto draws the random filter inside print_message: a skipped message still counts for -C.
    const print = this.o.chance >= 1 || this.random() < this.o.chance;
    let stop = false;
    if (this.o.count > 0 && ++this.#printed === this.o.count) {
      this.#stopped = true;
      stop = true;
    }
    return { print, clearRetained, stop };
  }
}

export interface PrintOptions {
  readonly verbose: boolean;
  /** -N: no end of line after each message. */
  readonly noEol: boolean;
  readonly format: CompiledFormat | undefined;
  readonly pretty: boolean;
  readonly json: boolean;
  readonly warn: (line: string) => void;
}

const NL = Buffer.from('\n');

/** The bytes one message prints as; empty when mosquitto_sub prints nothing for it. */
export function printMessage(m: ReceivedMessage, at: Stamp, o: PrintOptions): Buffer {
  const eol = o.noEol ? Buffer.alloc(0) : NL;
  if (o.json) return Buffer.concat([Buffer.from(JSON.stringify(messageJson(m, at, false))), NL]);
  if (o.format !== undefined)
    return Buffer.concat([renderFormat(o.format, m, at, { pretty: o.pretty, warn: o.warn }), eol]);
  if (o.verbose) {
    if (m.payload.length > 0) return Buffer.concat([Buffer.from(`${m.topic} `), m.payload, eol]);
    // An empty payload shows as "(null)" in -v mode, and only with an end of line.
    return o.noEol ? Buffer.alloc(0) : Buffer.from(`${m.topic} (null)\n`);
  }
  return m.payload.length > 0 ? Buffer.concat([m.payload, eol]) : Buffer.alloc(0);
}
