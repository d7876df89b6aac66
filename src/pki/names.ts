import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { LabError } from '../core/errors.js';

/** The subject fields of the lab sheet (O, OU, CN) and the other usual ones. */
export interface SubjectFields {
  readonly C?: string;
  readonly ST?: string;
  readonly L?: string;
  readonly O?: string;
  readonly OU?: string;
  readonly CN?: string;
  readonly emailAddress?: string;
}

const FIELDS = [
  // [short name, OID, upper bound from RFC 5280 Appendix A]
  ['C', '2.5.4.6', 2],
  ['ST', '2.5.4.8', 128],
  ['L', '2.5.4.7', 128],
  ['O', '2.5.4.10', 64],
  ['OU', '2.5.4.11', 64],
  ['CN', '2.5.4.3', 64],
  ['emailAddress', '1.2.840.113549.1.9.1', 255],
] as const;

const SHORT_BY_OID = new Map<string, string>([
  ...FIELDS.map(([s, oid]) => [oid, s] as [string, string]),
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.9', 'street'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.12', 'title'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
]);

/** Build a Name in openssl's default order (C, ST, L, O, OU, CN, emailAddress). */
export function buildName(fields: SubjectFields): Name {
  const rdns: RelativeDistinguishedName[] = [];
  for (const [short, oid, max] of FIELDS) {
    const raw = fields[short];
    if (raw === undefined) continue;
    const value = raw.trim();
    if (value.length === 0) continue;
    if ([...value].length > max) {
      throw new LabError(
        'ERR_PKI_SUBJECT_INVALID',
        `${short} is longer than ${max} characters (RFC 5280 Appendix A)`,
        {
          details: { field: short },
        },
      );
    }
    let attr: AttributeValue;
    if (short === 'C') {
      // RFC 5280 Appendix A: CountryName is a two-letter PrintableString.
      if (!/^[A-Za-z]{2}$/.test(value)) {
        throw new LabError('ERR_PKI_SUBJECT_INVALID', `C must be a two-letter country code, got "${value}"`, {
          details: { field: 'C' },
        });
      }
      attr = new AttributeValue({ printableString: value.toUpperCase() });
    } else if (short === 'emailAddress') {
      if (!/^[\x20-\x7e]+@[\x20-\x7e]+$/.test(value)) {
        throw new LabError('ERR_PKI_SUBJECT_INVALID', `emailAddress is not an ASCII address: "${value}"`, {
          details: { field: short },
        });
      }
      attr = new AttributeValue({ ia5String: value });
    } else {
      // RFC 5280 §4.1.2.6: new certificates use UTF8String.
      attr = new AttributeValue({ utf8String: value });
    }
    rdns.push(new RelativeDistinguishedName([new AttributeTypeAndValue({ type: oid, value: attr })]));
  }
  if (rdns.length === 0)
    throw new LabError('ERR_PKI_SUBJECT_INVALID', 'the subject is empty: give at least CN or O');
  return new Name(rdns);
}

/**
 * Parse openssl's `-subj` syntax: "/C=FR/O=Ciel Dupont/OU=iot Dupont/CN=broker". A slash or
 * backslash inside a value is escaped with a backslash.
 */
export function parseSubject(text: string): SubjectFields {
  if (!text.startsWith('/')) {
    throw new LabError('ERR_PKI_SUBJECT_INVALID', `subject must look like /O=Org/CN=name, got "${text}"`);
  }
  const out: Record<string, string> = {};
  const parts: string[] = [];
  let cur = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) cur += text[++i];
    else if (ch === '/') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new LabError('ERR_PKI_SUBJECT_INVALID', `subject part "${part}" is not KEY=value`);
    const key = part.slice(0, eq).trim();
    const canonical = FIELDS.find(([s]) => s.toLowerCase() === key.toLowerCase())?.[0];
    if (!canonical) {
      throw new LabError(
        'ERR_PKI_SUBJECT_INVALID',
        `unknown subject field "${key}" (use ${FIELDS.map((f) => f[0]).join(', ')})`,
        {
          details: { field: key },
        },
      );
    }
    if (canonical in out)
      throw new LabError('ERR_PKI_SUBJECT_INVALID', `subject field ${canonical} given twice`);
    out[canonical] = part.slice(eq + 1);
  }
  return out;
}

export interface NameAttribute {
  readonly type: string;
  readonly oid: string;
  readonly value: string;
}

export function nameAttributes(name: Name): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of name) {
    for (const atv of rdn) out.push(nameAttribute(atv.type, attributeText(atv.value)));
  }
  return out;
}

/** An attribute of a name by OID, named by its short name when it has one (CN, O…). */
export function nameAttribute(oid: string, value: string): NameAttribute {
  return { type: SHORT_BY_OID.get(oid) ?? oid, oid, value };
}

function attributeText(value: AttributeValue): string {
  if (value.anyValue) return Buffer.from(value.anyValue).toString('hex');
  return value.toString();
}

/** "C=FR, O=Ciel Dupont, CN=broker" (RFC 4514 escaping of , + " \ < > ; and edge spaces). */
export function nameToString(name: Name): string {
  return attributesToString(nameAttributes(name));
}

/** `nameToString` of a name already read into its attributes. */
export function attributesToString(attributes: readonly NameAttribute[]): string {
  return attributes
    .map(
      (a) =>
        `${a.type}=${a.value
          .replace(/([,+"\\<>;])/g, '\\$1')
          .replace(/^ | $/g, '\\ ')
          .replace(/^#/, '\\#')}`,
    )
    .join(', ');
}

/** openssl's one-line form used in index.txt: "/C=FR/O=Ciel Dupont/CN=broker". */
export function nameToSlashString(name: Name): string {
  return nameAttributes(name)
    .map((a) => `/${a.type}=${a.value.replace(/([/\\])/g, '\\$1')}`)
    .join('');
}

/** The first value of an attribute by short name (CN, O, OU…). */
export function nameField(name: Name, short: string): string | undefined {
  return nameAttributes(name).find((a) => a.type === short)?.value;
}

export function nameDer(name: Name): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(name));
}

/**
 * RFC 5280 §7.1 name matching: same RDN structure and attribute types; string values compared
 * after RFC 4518-style preparation (case folded, leading/trailing space removed, inner runs of
 * space collapsed). Byte-identical names always match.
 */
export function namesEqual(a: Name, b: Name): boolean {
  if (sameDer(a, b)) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const ra = a[i]!;
    const rb = b[i]!;
    if (ra.length !== rb.length) return false;
    const key = (atv: AttributeTypeAndValue) => `${atv.type}=${prepare(attributeText(atv.value))}`;
    const sa = ra.map(key).sort();
    const sb = rb.map(key).sort();
    if (sa.some((v, j) => v !== sb[j])) return false;
  }
  return true;
}

/**
 * Byte-identical names. The parser reads some values it cannot write back (a UTCTime whose text
 * is not a time, kept as an unknown value): such a name is not written, only compared by
 * attribute below, so a peer's certificate can never make a comparison throw.
 */
function sameDer(a: Name, b: Name): boolean {
  try {
    return Buffer.from(nameDer(a)).equals(Buffer.from(nameDer(b)));
  } catch {
    return false;
  }
}

function prepare(s: string): string {
  return s.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}
