import { InvalidArgumentError } from 'commander';
import { messageJson, prettyJson, type ReceivedMessage, type Stamp } from './message.js';
import { isTimeConversion, strftime1 } from './strftime.js';

/**
 * mosquitto_sub -F: `%[-][0][width][.precision]X` message fields, `@X` strftime conversions and
 * `\X` escapes. Compiled once when the flag is parsed, so a bad format is a usage error before
 * any connection, then rendered to bytes per message (payloads are not necessarily text).
 */

type Token =
  | { readonly kind: 'text'; readonly bytes: Buffer }
  | { readonly kind: 'time'; readonly conversion: string }
  | {
      readonly kind: 'field';
      readonly conversion: string;
      readonly left: boolean;
      readonly zero: boolean;
      readonly width: number;
      readonly precision: number | undefined;
    };

export interface CompiledFormat {
  readonly source: string;
  readonly tokens: readonly Token[];
}

const FIELDS = new Set('%ACDEFIjJlmPpqRrStUxX');
const ESCAPES: Readonly<Record<string, string>> = Object.freeze({
  '\\': '\\',
  '0': '\0',
  a: '\x07',
  e: '\x1b',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
});

export function compileFormat(source: string): CompiledFormat {
  const tokens: Token[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') tokens.push({ kind: 'text', bytes: Buffer.from(text, 'utf8') });
    text = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '%') {
      const m = /^%(-?)(0?)(\d*)(?:\.(\d*))?(.)?/s.exec(source.slice(i)) as RegExpExecArray;
      const conversion = m[5];
      if (conversion === undefined) throw new InvalidArgumentError('incomplete format specifier');
      if (!FIELDS.has(conversion)) throw new InvalidArgumentError(`invalid format specifier '${conversion}'`);
      flush();
      tokens.push({
        kind: 'field',
        conversion,
        left: m[1] === '-',
        // printf ignores 0 when - is given; so does mosquitto.
        zero: m[2] === '0' && m[1] !== '-',
        width: m[3] === '' ? 0 : Number(m[3]),
        precision: m[4] === undefined ? undefined : Number(m[4] || '0'),
      });
      i += m[0].length - 1;
    } else if (c === '@') {
      if (next === undefined) throw new InvalidArgumentError('incomplete time specifier');
      if (next === '@') text += '@';
      else if (isTimeConversion(next)) {
        flush();
        tokens.push({ kind: 'time', conversion: next });
      } else throw new InvalidArgumentError(`unsupported time specifier '@${next}'`);
      i++;
    } else if (c === '\\') {
      if (next === undefined) throw new InvalidArgumentError('incomplete escape specifier');
      const escaped = ESCAPES[next];
      if (escaped === undefined) throw new InvalidArgumentError(`invalid escape specifier '${next}'`);
      text += escaped;
      i++;
    } else text += c;
  }
  flush();
  return Object.freeze({ source, tokens: Object.freeze(tokens) });
}

export interface RenderOptions {
  readonly pretty?: boolean;
  /** Where a field that cannot be printed says so (%J on a payload that is not JSON). */
  readonly warn?: (line: string) => void;
}

type Field = Extract<Token, { kind: 'field' }>;

/** printf("%*.*s") on bytes: precision cuts, width pads with blanks. */
function str(value: string, f: Field): Buffer {
  let b = Buffer.from(value, 'utf8');
  if (f.precision !== undefined && b.length > f.precision) b = b.subarray(0, f.precision);
  return padded(b, f, ' ');
}

function int(value: number, f: Field): Buffer {
  return padded(Buffer.from(String(value)), f, f.zero ? '0' : ' ');
}

function padded(b: Buffer, f: Field, fill: string): Buffer {
  if (b.length >= f.width) return b;
  const pad = Buffer.alloc(f.width - b.length, f.left ? ' ' : fill);
  return f.left ? Buffer.concat([b, pad]) : Buffer.concat([pad, b]);
}

/** A width on %p/%x also truncates the payload (mosquitto's write_payload). */
function payloadField(payload: Buffer, f: Field, hex: 'x' | 'X' | undefined): Buffer {
  const unit = hex === undefined ? 1 : 2;
  const body = f.width > 0 ? payload.subarray(0, Math.floor(f.width / unit)) : payload;
  let out = hex === undefined ? Buffer.from(body) : Buffer.from(body.toString('hex'));
  if (hex === 'X') out = Buffer.from(out.toString().toUpperCase());
  return padded(out, f, f.zero ? '0' : ' ');
}

const blank = (f: Field, fill = f.zero ? '0' : ' '): Buffer => Buffer.alloc(f.width, fill);

function property(m: ReceivedMessage, key: string): unknown {
  const v = m.properties?.[key];
  return Array.isArray(v) && key === 'subscriptionIdentifier' ? v[0] : v;
}

function field(f: Field, m: ReceivedMessage, at: Stamp, opts: RenderOptions): Buffer {
  const numberProp = (key: string): Buffer => {
    const v = property(m, key);
    if (typeof v === 'boolean') return int(v ? 1 : 0, f);
    return typeof v === 'number' ? int(v, f) : blank(f);
  };
  switch (f.conversion) {
    case '%':
      return Buffer.from('%');
    case 'A':
      return numberProp('topicAlias');
    case 'E':
      return numberProp('messageExpiryInterval');
    case 'F':
      return numberProp('payloadFormatIndicator');
    case 'S':
      return numberProp('subscriptionIdentifier');
    case 'C': {
      const v = property(m, 'contentType');
      return typeof v === 'string' ? str(v, f) : blank(f, ' ');
    }
    case 'R': {
      const v = property(m, 'responseTopic');
      return typeof v === 'string' ? str(v, f) : Buffer.alloc(0);
    }
    case 'D': {
      const v = property(m, 'correlationData');
      return Buffer.isBuffer(v) ? v : Buffer.alloc(0);
    }
    case 'P': {
      const users = (property(m, 'userProperties') ?? {}) as Record<string, string | string[]>;
      const pairs = Object.entries(users).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((x) => `${k}:${x}`),
      );
      return Buffer.from(pairs.join(' '));
    }
    case 'I':
      return str(
        `${strftime1('F', at.date, 0)}T${strftime1('T', at.date, 0)}${strftime1('z', at.date, 0)}`,
        f,
      );
    case 'U':
      return Buffer.from(`${Math.floor(at.date.getTime() / 1000)}.${String(at.nanos).padStart(9, '0')}`);
    case 'j':
    case 'J':
      try {
        const obj = messageJson(m, at, f.conversion === 'J');
        return Buffer.from(opts.pretty ? prettyJson(obj) : JSON.stringify(obj));
      } catch {
        opts.warn?.(`Error: Message payload is not valid JSON on topic ${m.topic}.`);
        return Buffer.alloc(0);
      }
    case 'l':
      return int(m.payload.length, f);
    case 'm':
      return int(m.mid, f);
    case 'q':
      return Buffer.from(String(m.qos));
    case 'r':
      return Buffer.from(m.retain ? '1' : '0');
    case 't':
      return str(m.topic, f);
    case 'p':
      return payloadField(m.payload, f, undefined);
    case 'x':
    case 'X':
      return payloadField(m.payload, f, f.conversion);
    default:
      throw new RangeError(`format: unknown field %${f.conversion}`);
  }
}

/** The bytes -F prints for one message, without the end of line (the caller adds it unless -N). */
export function renderFormat(
  format: CompiledFormat,
  m: ReceivedMessage,
  at: Stamp,
  opts: RenderOptions = {},
): Buffer {
  const parts = format.tokens.map((t) => {
    if (t.kind === 'text') return t.bytes;
    if (t.kind === 'time') return Buffer.from(strftime1(t.conversion, at.date, at.nanos));
    return field(t, m, at, opts);
  });
  return Buffer.concat(parts);
}
