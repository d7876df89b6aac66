// The results: one Markdown table (absolute figures, ratio to Mosquitto) and the JSON record.
import type { BrokerName } from './brokers.js';
import type { Line } from './rows.js';
import type { Measure } from './throughput.js';

/** A measured cell, or why there is no figure ("timeout", an error, "n/a"). */
export type Cell =
  | (Measure & { readonly error?: undefined })
  | { readonly error: 'timeout' | 'error' | 'n/a'; readonly detail?: string };

export interface Results {
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly mode: 'full' | 'quick';
  readonly brokers: readonly BrokerName[];
  /** Brokers that could not run at all, with the reason. */
  readonly unavailable: Partial<Record<BrokerName, string>>;
  readonly lines: readonly Line[];
  readonly cells: Record<string, Partial<Record<BrokerName, Cell>>>;
  readonly notes: readonly string[];
  /** The mosquitto.conf given to Mosquitto and ours (per-run paths, port left open). */
  readonly conf: string;
}

const LABEL: Record<BrokerName, string> = {
  mosquitto: 'Mosquitto 2.0.11',
  aedes: 'Aedes 1.2.0',
  ours: 'ours',
};

export function markdown(r: Results): string {
  const head = ['Row', 'Metric', 'Unit'];
  for (const b of r.brokers) head.push(LABEL[b], ...(b === 'mosquitto' ? [] : [`${b} ÷ Mosquitto`]));
  const out = [row(head), row(head.map((_, i) => (i < 3 ? '---' : '---:')))];
  for (const line of r.lines) {
    const cells = r.cells[line.id] ?? {};
    const base = cells.mosquitto;
    const cols = [line.id, line.title, `${line.unit} (${line.better} is better)`];
    for (const b of r.brokers) {
      const c = cells[b];
      cols.push(c === undefined ? 'n/a' : figure(c, line.unit));
      if (b !== 'mosquitto') cols.push(ratio(c, base));
    }
    out.push(row(cols));
  }
  return out.join('\n');
}

const row = (cols: string[]): string => `| ${cols.join(' | ')} |`;

function figure(c: Cell, unit: string): string {
  if (c.error !== undefined) return c.error;
  const v = format(c.value, unit);
  return c.loss ? `${v} (lost ${c.loss.toLocaleString('en-US')})` : v;
}

function ratio(c: Cell | undefined, base: Cell | undefined): string {
  if (!c || c.error !== undefined || !base || base.error !== undefined || base.value === 0) return '–';
  return `${(c.value / base.value).toFixed(2)}×`;
}

export function format(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  if (unit === 'ms') return v.toFixed(2);
  if (unit === 'KiB' || unit === 'MiB') return v.toFixed(1);
  return Math.round(v).toLocaleString('en-US');
}

/** A cell for an error: a timeout is just "timeout"; the message goes to the JSON and stderr. */
export function errorCell(e: unknown): Cell {
  const err = e as Error;
  return { error: err.name === 'TimeoutError' ? 'timeout' : 'error', detail: err.message };
}
