/**
 * Decryption of a dissected TLS connection with the session's logged secrets (keylog.ts): what a
 * key holder — the teacher with the broker's key log, never the eavesdropper — reads inside the
 * records. AEAD suites only: AES-GCM and ChaCha20-Poly1305, TLS 1.2 and 1.3. Sans-IO and total:
 * a record that does not authenticate is counted and named, never thrown.
 */
import { type CipherGCMTypes, createDecipheriv } from 'node:crypto';
import { type PrfHash, trafficKeys } from '../tls-client/prf.js';
import { nextTrafficSecret, trafficKey } from '../tls-client/tls13/key-schedule.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE, HandshakeAssembler } from './assembler.js';
import { CIPHER_SUITE_NAMES } from './cipher-suites.js';
import { parseHandshakeBody } from './handshake.js';
import type { KeyLog, SessionSecrets } from './keylog.js';
import { TlsParseError } from './reader.js';
import { ALERT_LEVEL_NAMES, ALERT_NAMES, HANDSHAKE_TYPE_NAMES, named } from './registry.js';
import type {
  TlsAlert,
  TlsDirection,
  TlsDissection,
  TlsHandshakeBody,
  TlsHandshakeMessage,
  TlsStreamChunk,
} from './types.js';

const TLS12 = 0x0303;
const TLS13 = 0x0304;
const CT = { ccs: 20, alert: 21, handshake: 22, appData: 23 } as const;
const HS = { finished: 20, keyUpdate: 24 } as const;
const TAG = 16;
/** Failures listed per connection; the rest are counted. */
const MAX_FAILURES_LISTED = 10;

type Cipher = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

interface SuiteParams {
  readonly cipher: Cipher;
  readonly keyLength: number;
  readonly hash: PrfHash;
}

export type DecryptionStatus = 'decrypted' | 'partial' | 'failed' | 'no-secrets' | 'unsupported';

export interface DecryptionFailure {
  readonly direction: TlsDirection;
  readonly recordIndex: number;
  readonly what: string;
}

export interface TlsDecryption {
  readonly status: DecryptionStatus;
  /** One sentence: what was decrypted with what, or why nothing was. */
  readonly detail: string;
  readonly records: { readonly decrypted: number; readonly failed: number };
  readonly failures: readonly DecryptionFailure[];
  /** Handshake messages read from encrypted records (TLS 1.3: EncryptedExtensions … Finished). */
  readonly handshakes: readonly TlsHandshakeMessage[];
  /** Alerts read from encrypted records (close_notify at the end of a session, for one). */
  readonly alerts: readonly TlsAlert[];
  /** Application data plaintext in capture order, one chunk per record. */
  readonly application: readonly TlsStreamChunk[];
}

/** RFC 5288 §3 / RFC 7905 §2 / RFC 8446 §B.4: the AEAD suites, by code. */
function suiteParams(code: number, tls13: boolean): SuiteParams | undefined {
  if (tls13) {
    if (code === 0x1301) return { cipher: 'aes-128-gcm', keyLength: 16, hash: 'sha256' };
    if (code === 0x1302) return { cipher: 'aes-256-gcm', keyLength: 32, hash: 'sha384' };
    if (code === 0x1303) return { cipher: 'chacha20-poly1305', keyLength: 32, hash: 'sha256' };
    return undefined;
  }
  const name = CIPHER_SUITE_NAMES.get(code) ?? '';
  // RFC 5246 §5: the PRF hash is the suite's, SHA-256 unless it names SHA-384.
  const hash: PrfHash = name.endsWith('_SHA384') ? 'sha384' : 'sha256';
  if (name.includes('_WITH_AES_128_GCM_')) return { cipher: 'aes-128-gcm', keyLength: 16, hash };
  if (name.includes('_WITH_AES_256_GCM_')) return { cipher: 'aes-256-gcm', keyLength: 32, hash };
  if (name.includes('_WITH_CHACHA20_POLY1305_'))
    return { cipher: 'chacha20-poly1305', keyLength: 32, hash: 'sha256' };
  return undefined;
}

/** One direction's keys: a write key, an IV (TLS 1.3, ChaCha20) or salt (TLS 1.2 GCM), a sequence number. */
interface Protection {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  seq: bigint;
}

function seqBytes(seq: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(seq);
  return b;
}

/** RFC 8446 §5.3 / RFC 7905 §2: the per-record nonce is the IV XOR the left-padded sequence number. */
function xorNonce(iv: Uint8Array, seq: bigint): Buffer {
  const nonce = Buffer.from(iv);
  const s = seqBytes(seq);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 8 + i]! ^= s[i]!;
  return nonce;
}

function open(
  cipher: Cipher,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  body: Uint8Array,
): Buffer | undefined {
  if (body.length < TAG) return undefined;
  try {
    // Node types ChaCha20-Poly1305 apart from GCM; both take the same AEAD calls.
    const d = createDecipheriv(cipher as CipherGCMTypes, key, nonce, { authTagLength: TAG });
    d.setAAD(aad, { plaintextLength: body.length - TAG });
    d.setAuthTag(body.subarray(body.length - TAG));
    return Buffer.concat([d.update(body.subarray(0, body.length - TAG)), d.final()]);
  } catch {
    return undefined;
  }
}

interface Opened {
  readonly type: number;
  readonly plaintext: Uint8Array;
}

/** TLS 1.2 (RFC 5246 §6.2.3.3, RFC 5288 §3, RFC 7905 §2): AAD = seq ‖ type ‖ version ‖ length. */
function open12(p: SuiteParams, k: Protection, type: number, version: number, fragment: Uint8Array) {
  const explicit = p.cipher === 'chacha20-poly1305' ? 0 : 8;
  if (fragment.length < explicit + TAG) return undefined;
  const nonce =
    explicit === 0 ? xorNonce(k.iv, k.seq) : Buffer.concat([k.iv, fragment.subarray(0, explicit)]);
  const body = fragment.subarray(explicit);
  const aad = Buffer.concat([
    seqBytes(k.seq),
    Buffer.of(type, version >> 8, version & 0xff),
    Buffer.of((body.length - TAG) >> 8, (body.length - TAG) & 0xff),
  ]);
  const plaintext = open(p.cipher, k.key, nonce, aad, body);
  return plaintext === undefined ? undefined : { type, plaintext };
}

/** TLS 1.3 (RFC 8446 §5.2): AAD is the record header; the real type is the last non-zero byte. */
function open13(p: SuiteParams, k: Protection, header: Uint8Array, fragment: Uint8Array): Opened | undefined {
  const inner = open(p.cipher, k.key, xorNonce(k.iv, k.seq), header, fragment);
  if (inner === undefined) return undefined;
  let end = inner.length;
  while (end > 0 && inner[end - 1] === 0) end--; // RFC 8446 §5.4: zero padding
  if (end === 0) return { type: 0, plaintext: inner.subarray(0, 0) }; // no content type: unexpected_message
  return { type: inner[end - 1]!, plaintext: inner.subarray(0, end - 1) };
}

/** RFC 8446 §7.3: a traffic secret's write key and IV, sequence number from 0. */
function tls13Keys(p: SuiteParams, secret: Uint8Array): Protection {
  return { ...trafficKey(p.hash, secret, p.keyLength), seq: 0n };
}

/** One direction in TLS 1.3: the current traffic secret, its keys, and the epoch it belongs to. */
interface Side13 {
  epoch: 'handshake' | 'application';
  secret: Uint8Array | undefined;
  keys: Protection | undefined;
  assembler: HandshakeAssembler;
}

/**
 * Decrypt the protected records of one dissected connection. `streams` are the two directions'
 * bytes the dissection's record offsets point into.
 */
export function decryptTls(
  d: Extract<TlsDissection, { tls: true }>,
  streams: Readonly<Record<TlsDirection, Uint8Array>>,
  keyLog: KeyLog,
): TlsDecryption {
  const hello = d.handshakes.find((h) => h.type === 'client_hello');
  const server = d.handshakes.find((h) => h.type === 'server_hello' && !h.helloRetryRequest);
  const none = (status: DecryptionStatus, detail: string): TlsDecryption => ({
    status,
    detail,
    records: { decrypted: 0, failed: 0 },
    failures: [],
    handshakes: [],
    alerts: [],
    application: [],
  });
  if (hello?.type !== 'client_hello')
    return none('no-secrets', 'no ClientHello captured: no session to look up');
  if (server?.type !== 'server_hello')
    return none('no-secrets', 'no ServerHello captured: no keys negotiated');
  const secrets = keyLog.get(hello.random);
  if (!secrets)
    return none('no-secrets', `the key log has no secrets for client random ${hello.random.slice(0, 16)}…`);
  const version = server.version.code;
  if (version !== TLS12 && version !== TLS13)
    return none('unsupported', `${server.version.name}: only TLS 1.2 and 1.3 are decrypted`);
  const params = suiteParams(server.cipherSuite.code, version === TLS13);
  if (!params)
    return none(
      'unsupported',
      `${server.cipherSuite.name}: only AES-GCM and ChaCha20-Poly1305 suites are decrypted`,
    );
  return version === TLS13
    ? decrypt13(d, streams, params, secrets)
    : decrypt12(d, streams, params, secrets, hello.random, server.random);
}

/** Accumulates what decrypting a connection yields. */
class Output {
  decrypted = 0;
  failed = 0;
  readonly failures: DecryptionFailure[] = [];
  readonly handshakes: TlsHandshakeMessage[] = [];
  readonly alerts: TlsAlert[] = [];
  readonly application: TlsStreamChunk[] = [];

  fail(direction: TlsDirection, recordIndex: number, what: string): void {
    this.failed++;
    if (this.failures.length < MAX_FAILURES_LISTED) this.failures.push({ direction, recordIndex, what });
  }

  alert(direction: TlsDirection, recordIndex: number, timestampUs: number, body: Uint8Array): void {
    for (let i = 0; i + 1 < body.length; i += 2) {
      this.alerts.push({
        direction,
        recordIndex,
        timestampUs,
        encrypted: true,
        level: named(ALERT_LEVEL_NAMES, body[i]!, false),
        description: named(ALERT_NAMES, body[i + 1]!, false),
      });
    }
  }

  handshake(
    direction: TlsDirection,
    recordIndex: number,
    timestampUs: number,
    offset: number,
    msgType: number,
    body: Uint8Array,
    version: number,
  ): TlsHandshakeBody {
    let parsed: TlsHandshakeBody;
    const name = HANDSHAKE_TYPE_NAMES.get(msgType) ?? `handshake type ${msgType}`;
    try {
      parsed = parseHandshakeBody(
        msgType,
        body,
        { version, keyExchange: version === TLS13 ? 'tls13' : undefined },
        () => {},
      );
    } catch (err) {
      if (!(err instanceof TlsParseError)) throw err;
      parsed = { type: 'other', name };
    }
    this.handshakes.push({
      ...parsed,
      direction,
      recordIndex,
      timestampUs,
      offset,
      msgType,
      length: body.length,
      encrypted: true,
    });
    return parsed;
  }

  result(detail: (status: DecryptionStatus) => string): TlsDecryption {
    const status: DecryptionStatus =
      this.failed === 0 ? 'decrypted' : this.decrypted > 0 ? 'partial' : 'failed';
    return {
      status,
      detail: detail(status),
      records: { decrypted: this.decrypted, failed: this.failed },
      failures: this.failures,
      handshakes: this.handshakes,
      alerts: this.alerts,
      application: this.application,
    };
  }
}

function decrypt12(
  d: Extract<TlsDissection, { tls: true }>,
  streams: Readonly<Record<TlsDirection, Uint8Array>>,
  p: SuiteParams,
  secrets: SessionSecrets,
  clientRandom: string,
  serverRandom: string,
): TlsDecryption {
  if (!secrets.masterSecret) {
    return {
      ...new Output().result(() => ''),
      status: 'no-secrets',
      detail: 'TLS 1.2 session: the key log has no CLIENT_RANDOM (master secret) line for it',
    };
  }
  const ivLength = p.cipher === 'chacha20-poly1305' ? 12 : 4;
  const k = trafficKeys(
    p.hash,
    secrets.masterSecret,
    Buffer.from(clientRandom, 'hex'),
    Buffer.from(serverRandom, 'hex'),
    p.keyLength,
    ivLength,
  );
  const sides: Record<TlsDirection, Protection> = {
    c2s: { key: k.clientKey, iv: k.clientSalt, seq: 0n },
    s2c: { key: k.serverKey, iv: k.serverSalt, seq: 0n },
  };
  const out = new Output();
  for (const r of d.records) {
    if (!r.encrypted) continue;
    const side = sides[r.direction];
    const fragment = streams[r.direction].subarray(r.offset + 5, r.offset + 5 + r.length);
    const opened = open12(p, side, r.contentType, r.legacyVersion, fragment);
    side.seq++; // RFC 5246 §6.1: every record under these keys takes a sequence number
    if (!opened) {
      out.fail(r.direction, r.index, `record ${r.index} does not authenticate with the logged master secret`);
      continue;
    }
    out.decrypted++;
    if (r.contentType === CT.appData)
      out.application.push({
        direction: r.direction,
        timestampUs: r.endTimestampUs,
        bytes: opened.plaintext,
      });
    else if (r.contentType === CT.alert) out.alert(r.direction, r.index, r.endTimestampUs, opened.plaintext);
    else if (r.contentType === CT.handshake) {
      // RFC 5246 §7.4.9: Finished is the first (usually only) message under the new keys.
      const a = new HandshakeAssembler(DEFAULT_MAX_HANDSHAKE_MESSAGE);
      for (const m of a.push(opened.plaintext, r.offset + 5))
        out.handshake(r.direction, r.index, r.endTimestampUs, m.offset, m.msgType, m.body, TLS12);
    }
  }
  return out.result(
    (s) =>
      `TLS 1.2 ${p.cipher}: ${out.decrypted} records decrypted with the logged master secret${s === 'decrypted' ? '' : `, ${out.failed} did not authenticate`}`,
  );
}

function decrypt13(
  d: Extract<TlsDissection, { tls: true }>,
  streams: Readonly<Record<TlsDirection, Uint8Array>>,
  p: SuiteParams,
  secrets: SessionSecrets,
): TlsDecryption {
  const side = (handshake: Uint8Array | undefined, application: Uint8Array | undefined): Side13 => ({
    epoch: handshake ? 'handshake' : 'application',
    secret: handshake ?? application,
    keys: (handshake ?? application) ? tls13Keys(p, (handshake ?? application)!) : undefined,
    assembler: new HandshakeAssembler(DEFAULT_MAX_HANDSHAKE_MESSAGE),
  });
  const sides: Record<TlsDirection, Side13> = {
    c2s: side(secrets.clientHandshake, secrets.clientTraffic0),
    s2c: side(secrets.serverHandshake, secrets.serverTraffic0),
  };
  const next: Record<TlsDirection, Uint8Array | undefined> = {
    c2s: secrets.clientTraffic0,
    s2c: secrets.serverTraffic0,
  };
  const out = new Output();
  for (const r of d.records) {
    if (!r.encrypted) continue; // RFC 8446 §5: only type-23 records are protected (CCS is not)
    const s = sides[r.direction];
    if (!s.keys) {
      out.fail(
        r.direction,
        r.index,
        `no ${r.direction === 'c2s' ? 'client' : 'server'} traffic secret logged`,
      );
      continue;
    }
    const header = streams[r.direction].subarray(r.offset, r.offset + 5);
    const fragment = streams[r.direction].subarray(r.offset + 5, r.offset + 5 + r.length);
    const opened = open13(p, s.keys, header, fragment);
    s.keys.seq++; // RFC 8446 §5.3: one sequence number per record, reset at each key change
    if (!opened) {
      out.fail(
        r.direction,
        r.index,
        `record ${r.index} does not authenticate with the ${s.epoch} traffic secret`,
      );
      continue;
    }
    out.decrypted++;
    if (opened.type === CT.appData) {
      out.application.push({
        direction: r.direction,
        timestampUs: r.endTimestampUs,
        bytes: opened.plaintext,
      });
    } else if (opened.type === CT.alert) {
      out.alert(r.direction, r.index, r.endTimestampUs, opened.plaintext);
    } else if (opened.type === CT.handshake) {
      for (const m of s.assembler.push(opened.plaintext, r.offset + 5)) {
        out.handshake(r.direction, r.index, r.endTimestampUs, m.offset, m.msgType, m.body, TLS13);
        if (m.msgType === HS.finished && s.epoch === 'handshake') {
          // RFC 8446 §4.4.4 / §7.3: after its Finished, a side sends under the application secret.
          s.epoch = 'application';
          s.secret = next[r.direction];
          s.keys = s.secret ? tls13Keys(p, s.secret) : undefined;
          s.assembler = new HandshakeAssembler(DEFAULT_MAX_HANDSHAKE_MESSAGE);
        } else if (m.msgType === HS.keyUpdate && s.epoch === 'application' && s.secret) {
          s.secret = nextTrafficSecret(p.hash, s.secret); // RFC 8446 §7.2
          s.keys = tls13Keys(p, s.secret);
        }
      }
    } else {
      out.fail(r.direction, r.index, `record ${r.index} decrypts to content type ${opened.type}`);
    }
  }
  return out.result(
    (s) =>
      `TLS 1.3 ${p.cipher}: ${out.decrypted} records decrypted with the logged traffic secrets${s === 'decrypted' ? '' : `, ${out.failed} could not be`}`,
  );
}
