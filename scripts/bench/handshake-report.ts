// Statistics and the Markdown table of the handshake benchmark.
import { CLIENT_LABELS, type ClientId, type HandshakeSample, type WireBytes } from './handshake-clients.js';
import type { TlsVersion } from './handshake-servers.js';
import { quantile } from './util.js';

export interface CellResult {
  readonly server: string;
  readonly version: TlsVersion;
  readonly client: ClientId;
  readonly n: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  /** Median bus time of the chip per handshake (Nonce + Sign with wake and I2C), ms; 0 without chip. */
  readonly chipMs: number;
  /** Median bus time of the Sign command alone, ms. */
  readonly signMs: number;
  /** Wall median plus the chip's bus time: the handshake if the chip's time were spent for real. */
  readonly withChipMs: number;
  /** medianMs / Node's medianMs in the same server × version group. */
  readonly ratioToNode: number;
  readonly withChipRatioToNode: number;
  readonly bytes: WireBytes;
}

export function summarize(
  server: string,
  version: TlsVersion,
  samples: Readonly<Record<ClientId, readonly HandshakeSample[]>>,
  bytes: Readonly<Record<ClientId, WireBytes>>,
): CellResult[] {
  const median = (xs: number[]): number => quantile(Float64Array.from(xs).sort(), 0.5);
  const node = median(samples.node.map((s) => s.ms));
  return (Object.keys(samples) as ClientId[]).map((client) => {
    const list = samples[client];
    const ms = Float64Array.from(list.map((s) => s.ms)).sort();
    const medianMs = quantile(ms, 0.5);
    const chipMs = median(list.map((s) => s.chipUs)) / 1000;
    const withChipMs = medianMs + chipMs;
    return {
      server,
      version,
      client,
      n: list.length,
      medianMs,
      p95Ms: quantile(ms, 0.95),
      chipMs,
      signMs: median(list.map((s) => s.signUs)) / 1000,
      withChipMs,
      ratioToNode: medianMs / node,
      withChipRatioToNode: withChipMs / node,
      bytes: bytes[client],
    };
  });
}

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);

export function markdownTable(cells: readonly CellResult[]): string {
  const head = [
    '| Server | TLS | Client | median ms | p95 ms | × Node | SE Sign ms | SE total ms | median + SE ms | × Node with SE | bytes out / in |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const rows = cells.map((c) => {
    const chip = c.chipMs > 0;
    return [
      c.server,
      c.version,
      CLIENT_LABELS[c.client],
      f1(c.medianMs),
      f1(c.p95Ms),
      f2(c.ratioToNode),
      chip ? f1(c.signMs) : '–',
      chip ? f1(c.chipMs) : '–',
      f1(c.withChipMs),
      f2(c.withChipRatioToNode),
      `${c.bytes.out} / ${c.bytes.in}`,
    ];
  });
  return [...head, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
