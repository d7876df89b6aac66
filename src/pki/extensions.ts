import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extension,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
} from '@peculiar/asn1-x509';
import { LabError } from '../core/errors.js';

export const OID = Object.freeze({
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
  extensionRequest: '1.2.840.113549.1.9.14',
});

export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGES)[number];

const EKU_NAMES: Readonly<Record<string, string>> = {
  [OID.serverAuth]: 'serverAuth',
  [OID.clientAuth]: 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  [OID.anyExtendedKeyUsage]: 'anyExtendedKeyUsage',
};

export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}

export type SanType = 'dns' | 'ip' | 'uri' | 'email' | 'other';
export interface SanEntry {
  readonly type: SanType;
  readonly value: string;
}

// RFC 1034 §3.1 label syntax (letters, digits, hyphen; 63 octets a label), optional "*." first label.
const DNS_NAME =
  /^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

export function isDnsName(s: string): boolean {
  return s.length <= 253 && DNS_NAME.test(s) && isIP(s) === 0;
}

/**
 * Parse a SAN as the CLI takes it: "DNS:host", "IP:127.0.0.1", "URI:…", "email:…", or a bare
 * value (an IP address if it parses as one, else a DNS name).
 */
export function parseSan(text: string): SanEntry {
  const m = /^(DNS|IP|URI|email):(.*)$/i.exec(text);
  const kind = m ? m[1]!.toLowerCase() : isIP(text) ? 'ip' : 'dns';
  const value = (m ? m[2]! : text).trim();
  const bad = (why: string) =>
    new LabError('ERR_PKI_SAN_INVALID', `subject alternative name "${text}": ${why}`, {
      details: { san: text },
    });
  switch (kind) {
    case 'dns':
      if (!isDnsName(value)) throw bad('not a DNS name');
      return { type: 'dns', value: value.toLowerCase().replace(/\.$/, '') };
    case 'ip':
      if (isIP(value) === 0) throw bad('not an IPv4 or IPv6 address');
      return { type: 'ip', value };
    case 'uri':
      if (!URL.canParse(value)) throw bad('not a URI');
      return { type: 'uri', value };
    case 'email':
      if (!/^[^@\s]+@[^@\s]+$/.test(value)) throw bad('not an e-mail address');
      return { type: 'email', value };
    default:
      throw bad('unknown type');
  }
}

export function formatSan(e: SanEntry): string {
  return `${{ dns: 'DNS', ip: 'IP', uri: 'URI', email: 'email', other: 'othername' }[e.type]}:${e.value}`;
}

function ext(oid: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

export function basicConstraintsExtension(ca: boolean, pathLen?: number): Extension {
  // RFC 5280 §4.2.1.9: conforming CAs MUST mark basicConstraints critical in CA certificates;
  // we mark it critical in every certificate (as openssl's v3_ca and step do).
  return ext(
    OID.basicConstraints,
    true,
    new BasicConstraints({ cA: ca, pathLenConstraint: ca ? pathLen : undefined }),
  );
}

export function keyUsageExtension(usages: readonly KeyUsageName[]): Extension {
  const flags = usages.reduce((acc, u) => acc | KeyUsageFlags[u], 0);
  // RFC 5280 §4.2.1.3: conforming CAs SHOULD mark this extension critical.
  return ext(OID.keyUsage, true, new KeyUsage(flags));
}

export function extKeyUsageExtension(oids: readonly string[]): Extension {
  return ext(OID.extKeyUsage, false, new ExtendedKeyUsage([...oids]));
}

export function subjectAltNameExtension(entries: readonly SanEntry[], critical: boolean): Extension {
  const names = entries.map((e) => {
    switch (e.type) {
      case 'dns':
        return new GeneralName({ dNSName: e.value });
      case 'ip':
        return new GeneralName({ iPAddress: e.value });
      case 'uri':
        return new GeneralName({ uniformResourceIdentifier: e.value });
      case 'email':
        return new GeneralName({ rfc822Name: e.value });
      default:
        throw new LabError('ERR_PKI_SAN_INVALID', `cannot encode SAN of type ${e.type}`);
    }
  });
  // RFC 5280 §4.2.1.6: critical when the subject field is empty.
  return ext(OID.subjectAltName, critical, new SubjectAlternativeName(names));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value (what openssl uses). */
export function keyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const spki = AsnConvert.parse(spkiDer, SubjectPublicKeyInfo);
  return new Uint8Array(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest());
}

export function subjectKeyIdentifierExtension(keyId: Uint8Array): Extension {
  return ext(OID.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId));
}

export function authorityKeyIdentifierExtension(keyId: Uint8Array): Extension {
  return ext(
    OID.authorityKeyIdentifier,
    false,
    new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }),
  );
}

// ---- decoding ----

export interface DecodedExtensions {
  basicConstraints?: { ca: boolean; pathLen?: number; critical: boolean };
  keyUsage?: { usages: KeyUsageName[]; critical: boolean };
  extKeyUsage?: { oids: string[]; critical: boolean };
  subjectAltName?: { names: SanEntry[]; critical: boolean };
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  /** Every extension as found, in order. */
  all: { oid: string; critical: boolean }[];
  /** Critical extensions this PKI does not process: RFC 5280 §4.2 says reject the certificate. */
  unhandledCritical: string[];
  /** Extensions whose value does not decode: the certificate cannot be trusted. */
  invalid: string[];
}

const HANDLED = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
]);

export function decodeExtensions(list: readonly Extension[] | undefined): DecodedExtensions {
  const out: DecodedExtensions = { all: [], unhandledCritical: [], invalid: [] };
  const seen = new Set<string>();
  for (const e of list ?? []) {
    const oid = e.extnID;
    const critical = e.critical === true;
    out.all.push({ oid, critical });
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(oid)) out.invalid.push(oid);
    seen.add(oid);
    if (critical && !HANDLED.has(oid)) out.unhandledCritical.push(oid);
    const value = new Uint8Array(e.extnValue.buffer);
    try {
      switch (oid) {
        case OID.basicConstraints: {
          const bc = AsnConvert.parse(value, BasicConstraints);
          // RFC 5280 §4.2.1.9: pathLenConstraint MUST NOT be present unless cA is TRUE.
          if (!bc.cA && bc.pathLenConstraint !== undefined) out.invalid.push(oid);
          out.basicConstraints = { ca: bc.cA, pathLen: bc.pathLenConstraint, critical };
          break;
        }
        case OID.keyUsage: {
          const ku = AsnConvert.parse(value, KeyUsage);
          const n = ku.toNumber();
          out.keyUsage = { usages: KEY_USAGES.filter((u) => (n & KeyUsageFlags[u]) !== 0), critical };
          break;
        }
        case OID.extKeyUsage:
          out.extKeyUsage = { oids: [...AsnConvert.parse(value, ExtendedKeyUsage)], critical };
          break;
        case OID.subjectAltName:
          out.subjectAltName = {
            names: [...AsnConvert.parse(value, SubjectAlternativeName)].map(decodeGeneralName),
            critical,
          };
          break;
        case OID.subjectKeyIdentifier:
          out.subjectKeyId = new Uint8Array(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
          break;
        case OID.authorityKeyIdentifier: {
          const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
          if (aki.keyIdentifier) out.authorityKeyId = new Uint8Array(aki.keyIdentifier.buffer);
          break;
        }
      }
    } catch {
      out.invalid.push(oid);
    }
  }
  return out;
}

function decodeGeneralName(g: GeneralName): SanEntry {
  if (g.dNSName !== undefined) return { type: 'dns', value: g.dNSName };
  if (g.iPAddress !== undefined) return { type: 'ip', value: g.iPAddress };
  if (g.uniformResourceIdentifier !== undefined) return { type: 'uri', value: g.uniformResourceIdentifier };
  if (g.rfc822Name !== undefined) return { type: 'email', value: g.rfc822Name };
  return { type: 'other', value: 'unsupported' };
}
