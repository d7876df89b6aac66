/**
 * TLS key logs in the NSS format (SSLKEYLOGFILE) that Wireshark, curl, browsers, Node's 'keylog'
 * event and OpenSSL's SSL_CTX_set_keylog_callback all use: one secret per line,
 * `<LABEL> <client_random hex> <secret hex>`, `#` comments. The client random names the session:
 * it is the ClientHello's random, which crosses the wire in clear.
 */
import { LabError } from '../../core/errors.js';

/** Secrets of one session, as logged (only the labels the decryptor uses are kept). */
export interface SessionSecrets {
  /** TLS ≤ 1.2: the 48-byte master secret (label CLIENT_RANDOM). */
  readonly masterSecret?: Uint8Array;
  /** TLS 1.3 (RFC 8446 §7.1): the handshake and first application traffic secrets. */
  readonly clientHandshake?: Uint8Array;
  readonly serverHandshake?: Uint8Array;
  readonly clientTraffic0?: Uint8Array;
  readonly serverTraffic0?: Uint8Array;
}

type SecretField = keyof SessionSecrets;

/** Label → where it goes; null: a valid label whose secret the decryptor has no use for. */
const LABELS: ReadonlyMap<string, SecretField | null> = new Map<string, SecretField | null>([
  ['CLIENT_RANDOM', 'masterSecret'],
  ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'clientHandshake'],
  ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 'serverHandshake'],
  ['CLIENT_TRAFFIC_SECRET_0', 'clientTraffic0'],
  ['SERVER_TRAFFIC_SECRET_0', 'serverTraffic0'],
  ['EXPORTER_SECRET', null],
  ['EARLY_EXPORTER_SECRET', null],
  ['CLIENT_EARLY_TRAFFIC_SECRET', null],
]);

const HEX = /^[0-9a-fA-F]+$/;
/** The 48-byte master secret; TLS 1.3 secrets are a hash long: SHA-256, SHA-384 (or SHA-512). */
const SECRET_LENGTHS = new Set([32, 48, 64]);

/** The first lines of a key log the lab writes: it must never be mistaken for harmless. */
export const KEYLOG_HEADER = [
  '# mqtts-lab TLS key log (NSS SSLKEYLOGFILE format).',
  '# WARNING: these secrets decrypt every TLS session listed here. Anyone holding this file and a',
  '# capture of the traffic reads it all: topics, payloads, certificates. For teaching only; delete it.',
].join('\n');

/** What a program that writes a key log prints before the first session. */
export function keyLogWarning(path: string): string {
  return `WARNING: writing TLS session secrets to ${path} (--keylog). Anyone with this file and a capture decrypts the traffic. Lab and teaching use only.`;
}

/** Sessions by client random (lowercase hex). */
export class KeyLog {
  readonly #sessions = new Map<string, SessionSecrets>();

  get size(): number {
    return this.#sessions.size;
  }

  /** The secrets logged for the session whose ClientHello carried this random. */
  get(clientRandomHex: string): SessionSecrets | undefined {
    return this.#sessions.get(clientRandomHex.toLowerCase());
  }

  add(label: string, clientRandomHex: string, secret: Uint8Array): void {
    const field = LABELS.get(label);
    if (!field) return;
    const key = clientRandomHex.toLowerCase();
    this.#sessions.set(key, { ...this.#sessions.get(key), [field]: secret });
  }
}

/**
 * Parse a key log; the whole file or nothing: a line that is not blank, a comment, or a
 * well-formed `LABEL random secret` with a known label is an ERR_KEYLOG_MALFORMED naming it.
 */
export function parseKeyLog(text: string, source = 'key log'): KeyLog {
  const log = new KeyLog();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (what: string): never => {
      throw new LabError('ERR_KEYLOG_MALFORMED', `${source} line ${i + 1}: ${what}`, {
        details: { line: i + 1, source },
      });
    };
    const parts = line.split(/\s+/);
    if (parts.length !== 3) fail(`expected "LABEL CLIENT_RANDOM SECRET", found ${parts.length} fields`);
    const [label, random, secret] = parts as [string, string, string];
    if (!LABELS.has(label)) fail(`unknown label ${JSON.stringify(label.slice(0, 40))}`);
    if (random.length !== 64 || !HEX.test(random)) fail('the client random is not 32 bytes of hex');
    if (secret.length % 2 !== 0 || !HEX.test(secret) || !SECRET_LENGTHS.has(secret.length / 2))
      fail('the secret is not 32, 48 or 64 bytes of hex');
    // RFC 5246 §8.1: the master secret is always 48 bytes.
    if (label === 'CLIENT_RANDOM' && secret.length !== 96) fail('a CLIENT_RANDOM master secret is 48 bytes');
    log.add(label, random, Buffer.from(secret, 'hex'));
  }
  return log;
}
