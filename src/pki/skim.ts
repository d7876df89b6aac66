/**
 * A quick read of the fields an observer takes from a certificate (names, serial, validity, key,
 * subject alternative names), for the certificates a capture carries.
 *
 * Why by hand: the ASN.1 library behind `parseCertificateDer` builds a generic object tree and
 * matches it against a schema, ~0.6 ms a certificate once its code is warm and 2–3 ms before —
 * a wire analysis meets each distinct certificate once, so it always pays the cold price (a tenth
 * of the analysis of a 200 MB capture carrying 26 certificates). This reader walks the DER once.
 *
 * It is a fast path, never a judge: it answers only for a certificate that is plain strict DER
 * of the usual shape (every length minimal, every element of the type RFC 5280 §4.1 puts there,
 * names in UTF8String / PrintableString / IA5String, times in their 13- and 15-character forms,
 * SAN entries of the DNS, IP, URI and email kinds) and returns `undefined` for anything else, for
 * the full parser to read or refuse. Where it answers, its fields are the full parser's: the
 * tests compare the two on generated certificates and on every one-byte mutation of them.
 */
import { isUtf8 } from 'node:buffer';
import { serialToHex } from './certificate.js';
import type { SanEntry } from './extensions.js';
import { type NameAttribute, nameAttribute } from './names.js';

export interface CertificateSkim {
  /** Upper-case hex, leading zero bytes dropped (as `serialToHex`). */
  readonly serial: string;
  readonly issuer: readonly NameAttribute[];
  readonly subject: readonly NameAttribute[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The SubjectPublicKeyInfo element, as encoded. */
  readonly spki: Uint8Array;
  /** Of the subjectAltName extension; empty without one. */
  readonly subjectAltNames: readonly SanEntry[];
}

/** Thrown inside the reader for "not the usual shape": caught at the top, never escapes. */
class Unusual extends Error {}

const SEQUENCE = 0x30;
const SET = 0x31;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const NULL = 0x05;
const OID_TAG = 0x06;
const BOOLEAN = 0x01;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const VERSION_TAG = 0xa0; // [0] EXPLICIT
const EXTENSIONS_TAG = 0xa3; // [3] EXPLICIT
const SAN_OID = '2.5.29.17';

/** Name strings read here: RFC 5280 §4.1.2.4 DirectoryString's UTF8String and PrintableString, and IA5String (emailAddress). */
const UTF8_STRING = 0x0c;
const PRINTABLE_STRING = 0x13;
const IA5_STRING = 0x16;

/** RFC 5280 §4.2.1.6 GeneralName, IMPLICIT tags of the kinds read here. */
const SAN_KIND: Readonly<Record<number, SanEntry['type']>> = {
  0x81: 'email', // [1] rfc822Name
  0x82: 'dns', // [2] dNSName
  0x86: 'uri', // [6] uniformResourceIdentifier
  0x87: 'ip', // [7] iPAddress
};

interface Element {
  readonly tag: number;
  /** Offset of the value in the input, and its end. */
  readonly start: number;
  readonly end: number;
  /** Offset of the tag: the element is input[at, end). */
  readonly at: number;
}

/** The fields of a certificate in plain strict DER, or undefined for the full parser to judge. */
export function skimCertificate(der: Uint8Array): CertificateSkim | undefined {
  try {
    return skim(der);
  } catch (err) {
    if (err instanceof Unusual) return undefined;
    throw err;
  }
}

function skim(der: Uint8Array): CertificateSkim {
  // X.690 §10.1: definite lengths in the fewest octets, everywhere: what the full parser reads
  // back and re-encodes (the key) is then these very bytes.
  checkStrict(der, 0, der.length, 0);
  const cert = element(der, 0);
  if (cert.tag !== SEQUENCE || cert.end !== der.length) throw new Unusual();
  const [tbs, outerAlg, signature] = children(der, cert, 3);
  if (tbs!.tag !== SEQUENCE || outerAlg!.tag !== SEQUENCE || signature!.tag !== BIT_STRING)
    throw new Unusual();
  // RFC 5280 §4.1.1.3: a BIT STRING signature with no unused bits.
  if (signature!.end === signature!.start || der[signature!.start] !== 0) throw new Unusual();

  const fields = children(der, tbs!);
  let i = 0;
  if (fields[i]?.tag === VERSION_TAG) {
    // RFC 5280 §4.1.2.1: v1(0), v2(1), v3(2).
    const [v] = children(der, fields[i++]!, 1);
    if (v!.tag !== INTEGER || v!.end - v!.start !== 1 || der[v!.start]! > 2) throw new Unusual();
  }
  const serial = expect(fields[i++], INTEGER);
  if (serial.end === serial.start) throw new Unusual();
  const innerAlg = expect(fields[i++], SEQUENCE);
  // RFC 5280 §4.1.1.2: the outer algorithm must equal the TBS's; the full parser says so when not.
  if (algorithmOid(der, innerAlg) !== algorithmOid(der, outerAlg!)) throw new Unusual();
  const issuer = readName(der, expect(fields[i++], SEQUENCE));
  const validity = children(der, expect(fields[i++], SEQUENCE), 2);
  const subject = readName(der, expect(fields[i++], SEQUENCE));
  const spki = expect(fields[i++], SEQUENCE);
  const [keyAlg, key] = children(der, spki, 2);
  // A key BIT STRING with unused bits: the full parser re-encodes it without them.
  if (keyAlg!.tag !== SEQUENCE || key!.tag !== BIT_STRING || key!.end === key!.start || der[key!.start] !== 0)
    throw new Unusual();
  algorithmOid(der, keyAlg!);
  let subjectAltNames: readonly SanEntry[] = [];
  if (fields[i]?.tag === EXTENSIONS_TAG) subjectAltNames = readExtensions(der, fields[i++]!);
  // Unique identifiers ([1], [2]) and anything else: for the full parser.
  if (i !== fields.length) throw new Unusual();
  return {
    serial: serialToHex(der.subarray(serial.start, serial.end)),
    issuer,
    subject,
    notBefore: readTime(der, validity[0]!),
    notAfter: readTime(der, validity[1]!),
    spki: der.subarray(spki.at, spki.end),
    subjectAltNames,
  };
}

/**
 * One TLV at `at`, its length in the fewest octets (X.690 §10.1). Not der.ts's `readTlv`: that
 * reader accepts any definite length and makes two views per element; this one refuses what the
 * full parser would re-encode, and gives offsets.
 */
function element(b: Uint8Array, at: number, limit = b.length): Element {
  if (at + 2 > limit) throw new Unusual();
  const tag = b[at]!;
  if ((tag & 0x1f) === 0x1f) throw new Unusual(); // multi-octet tags: none in RFC 5280 §4.1
  let length = b[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 3 || start + n > limit) throw new Unusual();
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + b[start + k]!;
    // X.690 §10.1: the long form only from 128 on, with no leading zero octet.
    if (length < 0x80 || b[start] === 0) throw new Unusual();
    start += n;
  }
  const end = start + length;
  if (end > limit) throw new Unusual();
  return { tag, start, end, at };
}

/**
 * Every element under [from, to), recursively: constructed ones hold elements exactly, and each
 * universal primitive has content its type allows (the full parser refuses an OID cut in the
 * middle of an arc wherever it is, even among an algorithm's parameters). Universal types other
 * than these are left to the full parser.
 */
function checkStrict(b: Uint8Array, from: number, to: number, depth: number): void {
  if (depth > 16) throw new Unusual();
  for (let at = from; at < to;) {
    const e = element(b, at, to);
    const length = e.end - e.start;
    if (e.tag & 0x20) {
      if (e.tag !== SEQUENCE && e.tag !== SET && (e.tag & 0xc0) !== 0x80) throw new Unusual();
      checkStrict(b, e.start, e.end, depth + 1);
    } else if ((e.tag & 0xc0) === 0) {
      switch (e.tag) {
        case BOOLEAN:
          if (length !== 1) throw new Unusual();
          break;
        case INTEGER:
          if (length === 0) throw new Unusual();
          break;
        case BIT_STRING:
          // X.690 §8.6.2.2: the first octet counts unused bits, 0 to 7.
          if (length === 0 || b[e.start]! > 7) throw new Unusual();
          break;
        case NULL:
          if (length !== 0) throw new Unusual();
          break;
        case OID_TAG:
          oid(b, e);
          break;
        case UTC_TIME:
        case GENERALIZED_TIME:
          readTime(b, e);
          break;
        case OCTET_STRING:
        case UTF8_STRING:
        case PRINTABLE_STRING:
        case IA5_STRING:
          break;
        default:
          throw new Unusual();
      }
    }
    at = e.end;
  }
}

/** The elements inside a constructed element; exactly `count` of them when given. */
function children(b: Uint8Array, parent: Element, count?: number): Element[] {
  const out: Element[] = [];
  for (let at = parent.start; at < parent.end;) {
    const e = element(b, at, parent.end);
    out.push(e);
    at = e.end;
  }
  if (count !== undefined && out.length !== count) throw new Unusual();
  return out;
}

function expect(e: Element | undefined, tag: number): Element {
  if (e?.tag !== tag) throw new Unusual();
  return e;
}

/** AlgorithmIdentifier (RFC 5280 §4.1.1.2): an OID, then at most one parameters element. */
function algorithmOid(b: Uint8Array, alg: Element): string {
  const parts = children(b, alg);
  if (parts.length < 1 || parts.length > 2) throw new Unusual();
  return oid(b, expect(parts[0], OID_TAG));
}

/** Dotted form of an OBJECT IDENTIFIER (X.690 §8.19), minimal base-128 arcs of at most 48 bits. */
function oid(b: Uint8Array, e: Element): string {
  if (e.end === e.start || b[e.end - 1]! & 0x80) throw new Unusual();
  const arcs: number[] = [];
  let value = 0;
  let digits = 0;
  for (let k = e.start; k < e.end; k++) {
    const byte = b[k]!;
    if (digits === 0 && byte === 0x80) throw new Unusual(); // a leading 0x80 pads the arc
    value = value * 128 + (byte & 0x7f);
    if (++digits > 7) throw new Unusual();
    if (byte & 0x80) continue;
    arcs.push(value);
    value = 0;
    digits = 0;
  }
  // X.690 §8.19.4: the first arc packs the first two numbers (X * 40 + Y).
  const first = arcs[0]!;
  const head = first < 40 ? `0.${first}` : first < 80 ? `1.${first - 40}` : `2.${first - 80}`;
  return arcs.length === 1 ? head : `${head}.${arcs.slice(1).join('.')}`;
}

/** RFC 5280 §4.1.2.4 Name: RDNs of (type, value) pairs, in the order encoded. */
function readName(b: Uint8Array, name: Element): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of children(b, name)) {
    if (rdn.tag !== SET) throw new Unusual();
    const pairs = children(b, rdn);
    if (pairs.length === 0) throw new Unusual();
    for (const pair of pairs) {
      const [type, value] = children(b, expect(pair, SEQUENCE), 2);
      out.push(nameAttribute(oid(b, expect(type, OID_TAG)), nameText(b, value!)));
    }
  }
  return out;
}

function nameText(b: Uint8Array, e: Element): string {
  const bytes = b.subarray(e.start, e.end);
  if (e.tag === UTF8_STRING) return utf8(bytes);
  if (e.tag === PRINTABLE_STRING || e.tag === IA5_STRING) return ascii(bytes);
  throw new Unusual(); // TeletexString, BMPString, UniversalString, other types
}

/** Well-formed UTF-8 only: other bytes are the full parser's to interpret. */
function utf8(bytes: Uint8Array): string {
  if (!isUtf8(bytes)) throw new Unusual();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** Seven-bit bytes only: each is its character in every reading. */
function ascii(bytes: Uint8Array): string {
  for (const c of bytes) if (c > 0x7f) throw new Unusual();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/**
 * RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ (years 1950–2049) or GeneralizedTime YYYYMMDDHHMMSSZ.
 * A date that does not exist (31 April, 25:00) is left to the full parser.
 */
function readTime(b: Uint8Array, e: Element): Date {
  const text = ascii(b.subarray(e.start, e.end));
  let year: number;
  let rest: string;
  if (e.tag === UTC_TIME && /^\d{12}Z$/.test(text)) {
    const yy = Number(text.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 §4.1.2.5.1
    rest = text.slice(2);
  } else if (e.tag === GENERALIZED_TIME && /^\d{14}Z$/.test(text)) {
    year = Number(text.slice(0, 4));
    if (year < 1950) throw new Unusual();
    rest = text.slice(4);
  } else throw new Unusual();
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((k) => Number(rest.slice(k, k + 2)));
  const date = new Date(Date.UTC(year, month! - 1, day!, hour!, minute!, second!));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month! - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  )
    throw new Unusual();
  return date;
}

/** RFC 5280 §4.1.2.9 Extensions: the subjectAltName's entries; other extensions are not read here. */
function readExtensions(b: Uint8Array, wrapper: Element): SanEntry[] {
  const [list] = children(b, wrapper, 1);
  let san: SanEntry[] | undefined;
  for (const ext of children(b, expect(list, SEQUENCE))) {
    const parts = children(b, expect(ext, SEQUENCE));
    if (parts.length < 2 || parts.length > 3) throw new Unusual();
    const id = oid(b, expect(parts[0], OID_TAG));
    if (parts.length === 3 && (parts[1]!.tag !== BOOLEAN || parts[1]!.end - parts[1]!.start !== 1))
      throw new Unusual();
    const value = expect(parts.at(-1), OCTET_STRING);
    if (id !== SAN_OID) continue;
    if (san !== undefined) throw new Unusual(); // RFC 5280 §4.2: once; a repeat is the full parser's
    const names = element(b, value.start, value.end);
    if (names.tag !== SEQUENCE || names.end !== value.end) throw new Unusual();
    san = children(b, names).map((g) => sanEntry(b, g));
    if (san.length === 0) throw new Unusual(); // RFC 5280 §4.2.1.6: SIZE (1..MAX)
  }
  return san ?? [];
}

function sanEntry(b: Uint8Array, g: Element): SanEntry {
  const type = SAN_KIND[g.tag];
  if (type === undefined) throw new Unusual();
  const bytes = b.subarray(g.start, g.end);
  return { type, value: type === 'ip' ? ipText(bytes) : ascii(bytes) };
}

/** An iPAddress as the full parser writes it: dotted IPv4, or IPv6 groups in hex with the longest run of two or more zero groups as "::". */
function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) throw new Unusual(); // address/mask pairs and other lengths
  const groups: string[] = [];
  for (let k = 0; k < 16; k += 2) groups.push(((bytes[k]! << 8) | bytes[k + 1]!).toString(16));
  let best = -1;
  let bestLength = 0;
  for (let k = 0; k < 8;) {
    if (groups[k] !== '0') {
      k++;
      continue;
    }
    let n = 0;
    while (k + n < 8 && groups[k + n] === '0') n++;
    if (n > bestLength) {
      best = k;
      bestLength = n;
    }
    k += n;
  }
  if (bestLength < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}
