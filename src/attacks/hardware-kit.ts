/**
 * What the hardware attacks (flash, I2C, secure element, RAM) share: building findings with
 * stable ids, bounded waits, the broker log since a mark, the device certificate the firmware
 * carries, and bus evidence with transaction indices a reader can find in the saved trace.
 */
import type { Evidence, Finding, Text } from '../core/findings.js';
import { formatTransactions, type I2cTransaction } from '../hardware/i2c/index.js';
import { findCertificates, type FoundCertificate } from './key-search.js';
import type { RunningDevice } from '../device/index.js';
import type { Atecc608b } from '../hardware/atecc608b/index.js';
import type { AttackTarget } from './target.js';
import { waitFor } from './wait.js';

/** A Finding before its id: `<family or attack>/<kase>@<step>`. */
export type FindingParts = Omit<Finding, 'id'> & {
  /** The id's first part when it differs from the attack's name (`se` for secure-element). */
  readonly family?: string;
  readonly kase: string;
};

/** `<attack>/<case>@<step>` (findings.ts): stable across runs. */
export function makeFinding(p: FindingParts): Finding {
  const { kase, family, mitigation, ...rest } = p;
  return {
    id: `${family ?? p.attack}/${kase}@${p.step}`,
    ...rest,
    ...(mitigation === undefined ? {} : { mitigation }),
  };
}

export { waitFor };

const CONNECTION_LINE =
  /New connection|New client|OpenSSL|SSL|TLS|certificate|disconnect|Socket error|Denied|refused|closed its connection/i;

/**
 * The broker's lines written since `mark` (a length of log()) that speak of connections and
 * TLS, or name one of `needles`; the running devices' routine PUBLISH lines are left out.
 */
export function brokerLogSince(
  target: AttackTarget,
  mark: number,
  needles: readonly string[] = [],
  max = 20,
): string {
  const lines = target.broker
    .log()
    .slice(mark)
    .split('\n')
    .filter((l) => l.trim() !== '' && (CONNECTION_LINE.test(l) || needles.some((n) => l.includes(n))));
  return lines.slice(0, max).join('\n');
}

/**
 * Wait (bounded) for the broker to log its verdict on a connection opened since `mark`: the
 * client accepted under `clientId`, or a TLS failure — Mosquitto writes it a moment after the
 * client has seen the alert.
 */
export function brokerVerdict(
  target: AttackTarget,
  mark: number,
  clientId: string,
  ms = 2_000,
): Promise<boolean> {
  const verdict = new RegExp(`OpenSSL Error|SSL|alert|New client connected .* as ${escape(clientId)} `);
  return waitFor(ms, () => verdict.test(target.broker.log().slice(mark)));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The certificates compiled into the publisher's firmware (ca_cert, client_cert), as a flash
 * dump reveals them; `device` is the end-entity one — the identity an attacker wants a key for.
 */
export function firmwareCertificates(target: AttackTarget): {
  readonly all: readonly FoundCertificate[];
  readonly device: FoundCertificate | undefined;
} {
  const all = findCertificates(target.publisher.board.flash);
  return { all, device: all.find((c) => !c.isCa) };
}

/** Transactions `indices` of `records`, one line each, prefixed with their index in the trace. */
export function indexedTrace(
  records: readonly I2cTransaction[],
  indices: readonly number[],
  max = 60,
): string {
  const shown = indices.slice(0, max);
  const lines = formatTransactions(shown.map((i) => records[i]!)).split('\n');
  const out = shown.map((i, k) => `#${i} ${lines[k] ?? ''}`);
  if (indices.length > max) out.push(`… ${indices.length - max} more`);
  return out.join('\n');
}

export function hex(bytes: Uint8Array, sep = ' '): string {
  return Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, `$1${sep}`);
}

export function byteHex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** The device's console from line `from` on, as evidence data. */
export function consoleText(
  lines: readonly { readonly ms: number; readonly text: string }[],
  from = 0,
): string {
  return lines
    .slice(from)
    .map((l) => `[${String(l.ms).padStart(6)} ms] ${l.text}`)
    .join('\n');
}

/** A key named by its SPKI fingerprint: the evidence never carries the key itself. */
export function keyEvidence(label: Text, spkiSha256: string, extra: string[] = []): Evidence {
  return { kind: 'key', label, data: [`SHA-256(SubjectPublicKeyInfo) = ${spkiSha256}`, ...extra].join('\n') };
}

/** The same sentence for the steps where there is nothing to attack. */
export function notApplicable(
  p: Omit<FindingParts, 'outcome' | 'result' | 'mitigation'>,
  result: Text,
): Finding {
  return makeFinding({ ...p, outcome: 'not-applicable', result });
}

/**
 * Boot the publisher's firmware for this step under its own client id (`m5go-01-<suffix>`):
 * same certificate, same key source, but no session takeover of the running publisher, and
 * broker log lines that name it. One reading, then it idles until stopped.
 */
export async function bootVariant(
  target: AttackTarget,
  o: { readonly label: string; readonly suffix: string; readonly secureElement?: Atecc608b },
): Promise<{ readonly device: RunningDevice; readonly clientId: string }> {
  const clientId = `${target.publisherSettings.clientId}-${o.suffix}`;
  const device = await target.bootDevice({
    label: o.label,
    flash: target.firmware({ clientId }),
    ...(o.secureElement === undefined ? {} : { secureElement: o.secureElement }),
    count: 1,
  });
  return { device, clientId };
}
