/**
 * The Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): per family a `# HELP` and a
 * `# TYPE` line, then one `name{label="value"} value` line per sample, `\n` line ends.
 */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  /** A counter only goes up (until the broker restarts); a gauge is a value now. */
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The exposition text of `families`; a malformed name is our bug, so it throws. */
export function exposition(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name ${f.name}`);
    // Prometheus naming: a counter's name ends in _total, a gauge's never does.
    if ((f.type === 'counter') !== f.name.endsWith('_total')) {
      throw new Error(`${f.type} ${f.name}: counters, and only counters, end in _total`);
    }
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(`${f.name}${labels(s.labels)} ${formatValue(s.value)}`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function labels(set: Readonly<Record<string, string>> | undefined): string {
  if (set === undefined) return '';
  const parts = Object.entries(set).map(([name, value]) => {
    // Names starting with __ are reserved for Prometheus itself.
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`invalid label name ${name}`);
    return `${name}="${escapeLabel(value)}"`;
  });
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** In HELP, backslash and line feed are escaped; in label values, the double quote as well. */
const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string): string => escapeHelp(s).replace(/"/g, '\\"');

/** Go's ParseFloat spellings, which the format uses: NaN, +Inf, -Inf. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}
