import { parseOptions, z } from '../../core/options.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE, HandshakeAssembler } from './assembler.js';
import { keyExchangeOf } from './cipher-suites.js';
import { StreamSniffer } from './detect.js';
import { type HandshakeContext, parseHandshakeBody } from './handshake.js';
import { TlsParseError } from './reader.js';
import { type FramedRecord, MAX_PLAINTEXT_LENGTH, RecordFramer, type RecordSink } from './record.js';
import {
  ALERT_LEVEL_NAMES,
  ALERT_NAMES,
  CONTENT_TYPE_NAMES,
  HANDSHAKE_TYPE_NAMES,
  named,
} from './registry.js';
import { TlsRecordTable } from './record-table.js';
import { summarize } from './summary.js';
import type {
  ServerHello,
  TlsAlert,
  TlsDirection,
  TlsDissection,
  TlsHandshakeBody,
  TlsHandshakeMessage,
  TlsMalformed,
  TlsRecord,
  TlsStreamChunk,
} from './types.js';

export interface TlsDissectorOptions {
  /** Largest handshake message reassembled, in bytes (default 256 KiB). */
  readonly maxHandshakeMessage?: number;
}

const optionsSchema = z
  .object({
    maxHandshakeMessage: z
      .number()
      .int()
      .min(64)
      .max(16 * 1024 * 1024)
      .optional(),
  })
  .strict();

const TLS13 = 0x0304;
const CT = { ccs: 20, alert: 21, handshake: 22, appData: 23, heartbeat: 24 } as const;

interface Side {
  readonly framer: RecordFramer;
  readonly assembler: HandshakeAssembler;
  /** This side's ChangeCipherSpec switched it to encrypted records (TLS ≤ 1.2). */
  ccs: boolean;
  encryptedHandshakes: number;
  bytes: number;
}

/**
 * A passive observer of one TCP connection: feed both directions' bytes in capture order, then
 * `finish()` describes every record, the plaintext handshake, alerts and a summary. Sans-IO and
 * total: peer bytes never make it throw — what does not parse becomes a `malformed` note, and
 * the parse goes on wherever the record framing still holds.
 */
export class TlsDissector {
  private phase: 'sniff' | 'tls' | 'not-tls' = 'sniff';
  private reason = '';
  private readonly sniffer = new StreamSniffer();
  private readonly sides: Record<TlsDirection, Side>;
  private readonly records = new TlsRecordTable();
  private readonly handshakes: TlsHandshakeMessage[] = [];
  private readonly alerts: TlsAlert[] = [];
  private readonly malformed: TlsMalformed[] = [];
  private serverHello: ServerHello | undefined;
  private result: TlsDissection | undefined;

  constructor(options: TlsDissectorOptions = {}) {
    // No options is the usual call (one dissector per connection of a capture): nothing to check.
    const o: TlsDissectorOptions =
      Object.keys(options).length === 0 ? options : parseOptions(optionsSchema, options, 'TlsDissector');
    const side = (): Side => ({
      framer: new RecordFramer(),
      assembler: new HandshakeAssembler(o.maxHandshakeMessage ?? DEFAULT_MAX_HANDSHAKE_MESSAGE),
      ccs: false,
      encryptedHandshakes: 0,
      bytes: 0,
    });
    this.sides = { c2s: side(), s2c: side() };
  }

  /** Feed the next chunk of either direction, in capture order. Ignored after `finish()`. */
  push(chunk: TlsStreamChunk): void {
    if (this.result) return;
    const side = this.sides[chunk.direction];
    side.bytes += chunk.bytes.length;
    if (this.phase === 'not-tls' || chunk.bytes.length === 0) return;
    if (this.phase === 'tls') return this.feed(chunk);
    const sniff = this.sniffer.push(chunk);
    if (sniff.verdict === 'not-tls') {
      this.phase = 'not-tls';
      this.reason = sniff.reason;
      this.sniffer.release();
    } else if (sniff.verdict === 'tls') {
      this.startTls();
    }
  }

  /** The description of everything pushed so far; the dissector is closed after it. */
  finish(): TlsDissection {
    this.result ??= this.describe();
    return this.result;
  }

  private describe(): TlsDissection {
    const bytes = { c2s: this.sides.c2s.bytes, s2c: this.sides.s2c.bytes };
    const total = bytes.c2s + bytes.s2c;
    if (this.phase === 'sniff' && total > 0) this.startTls();
    if (this.phase !== 'tls') {
      return { tls: false, reason: total === 0 ? 'no bytes' : this.reason, bytes: { ...bytes, total } };
    }
    for (const dir of ['c2s', 's2c'] as const) {
      const { assembler } = this.sides[dir];
      const at = assembler.discard();
      if (at !== undefined) this.note(dir, at, 'stream ends inside a handshake message');
    }
    const table = this.records;
    let records: TlsRecord[] | undefined;
    const dissection = {
      tls: true as const,
      // The objects are made on first use: the analysis reads the table.
      get records(): readonly TlsRecord[] {
        records ??= table.toArray();
        return records;
      },
      handshakes: this.handshakes,
      alerts: this.alerts,
      summary: summarize(table, this.handshakes, this.alerts, { ...bytes, total }),
      malformed: this.malformed,
      trailing: { c2s: this.sides.c2s.framer.pending, s2c: this.sides.s2c.framer.pending },
    };
    // Not enumerable: the dissection reads (and serialises) as it always did.
    Object.defineProperty(dissection, 'recordTable', { value: table, enumerable: false });
    return dissection as typeof dissection & { readonly recordTable: TlsRecordTable };
  }

  private startTls(): void {
    this.phase = 'tls';
    for (const c of this.sniffer.release()) this.feed(c);
  }

  private feed(chunk: TlsStreamChunk): void {
    const { framer } = this.sides[chunk.direction];
    const hadFailed = framer.failed;
    framer.feed(chunk.bytes, chunk.timestampUs, chunk.direction === 'c2s' ? this.onC2s : this.onS2c);
    const failed = framer.failed;
    if (failed && !hadFailed) this.note(chunk.direction, failed.offset, failed.what);
  }

  private note(direction: TlsDirection, offset: number, what: string): void {
    this.malformed.push({ direction, offset, what });
  }

  private get tls13(): boolean {
    return this.serverHello?.version.code === TLS13;
  }

  /** RFC 8446 §5.2: protected records of TLS 1.3 have outer type 23; RFC 5246 §7.1: after CCS. */
  private encrypted(dir: TlsDirection, type: number): boolean {
    if (type === CT.appData) return true;
    if (this.tls13) return false;
    return this.sides[dir].ccs;
  }

  // One sink per direction, made once: the framer calls it for every record.
  private readonly onC2s: RecordSink = (offset, ts, endTs, type, version, source, start, length) =>
    this.onFramed('c2s', offset, ts, endTs, type, version, source, start, length);
  private readonly onS2c: RecordSink = (offset, ts, endTs, type, version, source, start, length) =>
    this.onFramed('s2c', offset, ts, endTs, type, version, source, start, length);

  private onFramed(
    dir: TlsDirection,
    offset: number,
    timestampUs: number,
    endTimestampUs: number,
    contentType: number,
    legacyVersion: number,
    source: Uint8Array,
    start: number,
    length: number,
  ): void {
    try {
      this.onRecord(
        dir,
        offset,
        timestampUs,
        endTimestampUs,
        contentType,
        legacyVersion,
        source,
        start,
        length,
      );
    } catch (err) {
      // Defence in depth: a bug here must not turn into an exception for the caller.
      this.note(dir, offset, `internal: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onRecord(
    dir: TlsDirection,
    offset: number,
    timestampUs: number,
    endTimestampUs: number,
    contentType: number,
    legacyVersion: number,
    source: Uint8Array,
    start: number,
    length: number,
  ): void {
    const encrypted = this.encrypted(dir, contentType);
    const index = this.records.push(
      dir,
      timestampUs,
      endTimestampUs,
      offset,
      contentType,
      legacyVersion,
      length,
      encrypted,
    );
    if (!encrypted && length > MAX_PLAINTEXT_LENGTH) {
      this.note(dir, offset, `plaintext record of ${length} bytes exceeds 2^14`); // RFC 5246 §6.2.1
    }
    const control = contentType === CT.ccs || contentType === CT.alert || contentType === CT.handshake;
    if (!encrypted && control && length === 0) {
      this.note(dir, offset, `zero-length ${CONTENT_TYPE_NAMES.get(contentType)} record`); // RFC 5246 §6.2.1
    }
    if (!control) {
      // RFC 8446 §5: a record of an unknown content type is an unexpected_message.
      if (contentType !== CT.appData && contentType !== CT.heartbeat)
        this.note(dir, offset, `unknown content type ${contentType}`);
      return; // application data and heartbeats: the length is all an observer reads
    }
    const r: FramedRecord = {
      offset,
      timestampUs,
      endTimestampUs,
      contentType,
      legacyVersion,
      fragment: new Uint8Array(source.buffer, source.byteOffset + start, length),
    };
    if (contentType === CT.ccs) this.onChangeCipherSpec(dir, r, encrypted);
    else if (contentType === CT.alert) this.onAlert(dir, r, index, encrypted);
    else this.onHandshakeRecord(dir, r, index, encrypted);
  }

  private onChangeCipherSpec(dir: TlsDirection, r: FramedRecord, encrypted: boolean): void {
    if (encrypted) return;
    // RFC 5246 §7.1 / RFC 8446 §5: the message is the single byte 0x01.
    if (r.fragment.length !== 1 || r.fragment[0] !== 1) {
      this.note(dir, r.offset, 'change_cipher_spec is not the single byte 0x01');
    }
    // RFC 8446 §D.4: in TLS 1.3 (or before any ServerHello) CCS is for middlebox compatibility.
    if (!this.serverHello || this.tls13) return;
    this.sides[dir].ccs = true; // RFC 5246 §7.1: the records after it use the pending keys.
    const at = this.sides[dir].assembler.discard();
    // RFC 8446 §5.1 (and RFC 5246 §7.4.9's order): handshake messages do not span a key change.
    if (at !== undefined) this.note(dir, at, 'handshake message cut by change_cipher_spec');
  }

  private onAlert(dir: TlsDirection, r: FramedRecord, recordIndex: number, encrypted: boolean): void {
    const base = { direction: dir, recordIndex, timestampUs: r.endTimestampUs };
    if (encrypted) {
      this.alerts.push({ ...base, encrypted: true });
      return;
    }
    // RFC 8446 §5.1: alerts are neither fragmented nor coalesced: one 2-byte alert per record.
    if (r.fragment.length !== 2)
      this.note(dir, r.offset, `alert record of ${r.fragment.length} bytes, not 2`);
    for (let i = 0; i + 1 < r.fragment.length; i += 2) {
      const level = named(ALERT_LEVEL_NAMES, r.fragment[i]!, false);
      const description = named(ALERT_NAMES, r.fragment[i + 1]!, false);
      this.alerts.push({ ...base, encrypted: false, level, description });
    }
  }

  private onHandshakeRecord(
    dir: TlsDirection,
    r: FramedRecord,
    recordIndex: number,
    encrypted: boolean,
  ): void {
    const side = this.sides[dir];
    const base = { direction: dir, recordIndex, timestampUs: r.endTimestampUs, offset: r.offset };
    if (encrypted) {
      // RFC 5246 §7.4.9: the first message under the new keys is Finished.
      const likely = side.encryptedHandshakes++ === 0 ? { likely: 'finished' as const } : {};
      this.handshakes.push({
        ...base,
        type: 'encrypted',
        ...likely,
        length: r.fragment.length,
        encrypted: true,
      });
      return;
    }
    if (this.tls13) this.note(dir, r.offset, 'plaintext handshake record after a TLS 1.3 ServerHello'); // RFC 8446 §5.2
    const hadFailed = side.assembler.failed;
    const messages = side.assembler.push(r.fragment, r.offset + 5);
    const failed = side.assembler.failed;
    if (failed && !hadFailed) this.note(dir, failed.offset, failed.what);
    for (const [i, m] of messages.entries()) {
      const body = this.parseMessage(dir, m.msgType, m.body, m.offset);
      this.handshakes.push({
        ...base,
        ...body,
        offset: m.offset,
        msgType: m.msgType,
        length: m.body.length,
        encrypted: false,
      });
      this.track(dir, body, m.offset);
      if (
        body.type === 'server_hello' &&
        this.tls13 &&
        (i < messages.length - 1 || side.assembler.pending > 0)
      ) {
        // RFC 8446 §5.1: a message preceding a key change must end at a record boundary.
        this.note(dir, m.offset, 'handshake data follows the TLS 1.3 ServerHello in its record');
        side.assembler.discard();
        return;
      }
    }
  }

  private parseMessage(
    dir: TlsDirection,
    msgType: number,
    body: Uint8Array,
    offset: number,
  ): TlsHandshakeBody {
    const sh = this.serverHello;
    const ctx: HandshakeContext = sh
      ? { version: sh.version.code, keyExchange: keyExchangeOf(sh.cipherSuite.code) }
      : {};
    const name = HANDSHAKE_TYPE_NAMES.get(msgType) ?? `handshake type ${msgType}`;
    try {
      return parseHandshakeBody(msgType, body, ctx, (what) => this.note(dir, offset, what));
    } catch (err) {
      if (!(err instanceof TlsParseError)) throw err;
      this.note(dir, offset, `${name}: ${err.message} (at +${err.at})`);
      return { type: 'other', name };
    }
  }

  private track(dir: TlsDirection, body: TlsHandshakeBody, offset: number): void {
    const expected = body.type === 'client_hello' ? 'c2s' : body.type === 'server_hello' ? 's2c' : dir;
    if (expected !== dir) {
      this.note(dir, offset, `${body.type} sent by the ${dir === 'c2s' ? 'client' : 'server'}`);
      return;
    }
    if (body.type === 'server_hello' && !body.helloRetryRequest) this.serverHello = body;
  }
}

/** Dissect a whole connection at once: the chunks of both directions in capture order. */
export function dissectTls(chunks: Iterable<TlsStreamChunk>, options?: TlsDissectorOptions): TlsDissection {
  const d = new TlsDissector(options);
  for (const c of chunks) d.push(c);
  return d.finish();
}
