import { isIP } from 'node:net';
import type { ParsedCertificate } from './certificate.js';
import { isDnsName } from './extensions.js';
import { nameAttributes } from './names.js';

/** The reference identity a client checks a server certificate against (RFC 6125 §6.2). */
export type ReferenceIdentity =
  { readonly type: 'dns'; readonly value: string } | { readonly type: 'ip'; readonly value: Uint8Array };

/** "broker.example", "10.0.0.1", "::1" or "[::1]" → the identity to look for. */
export function referenceIdentity(host: string): ReferenceIdentity {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const ip = ipBytes(bare);
  if (ip) return { type: 'ip', value: ip };
  return { type: 'dns', value: normaliseDns(host) };
}

/**
 * A reference identity must be a plain DNS name or an IP literal: no wildcard and no leading
 * dot (openssl reads ".example.com" as "any subdomain", which is not a host a client connects to).
 */
export function isHostReference(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipBytes(bare) !== undefined || (isDnsName(host) && !host.includes('*'));
}

/**
 * Does the certificate identify `host`? DNS names are matched against dNSName SANs, IP
 * literals against iPAddress SANs only (RFC 6125 §6.2.1: an IP is never matched against a
 * DNS name or a CN, so "*.0.0.1" cannot stand for 10.0.0.1).
 */
export function certificateMatchesHost(cert: ParsedCertificate, host: string): boolean {
  const id = referenceIdentity(host);
  const sans = cert.extensions.subjectAltName?.names ?? [];
  if (id.type === 'ip') {
    // RFC 5280 §4.2.1.6: iPAddress is the 4 or 16 octets in network order; compare octets.
    return sans.some((s) => s.type === 'ip' && sameBytes(ipBytes(s.value), id.value));
  }
  const dnsSans = sans.filter((s) => s.type === 'dns');
  if (dnsSans.length > 0) return dnsSans.some((s) => dnsPatternMatches(s.value, id.value));
  // RFC 6125 §6.4.4 allows the CN only when there is no dNSName SAN. openssl 3 does exactly
  // this (do_x509_check: the CN is consulted when no SAN of the *DNS* type is present, even if
  // IP or URI SANs are), and clients built on it accept such certificates, so a verdict that
  // differed here would not predict what a real client does. Every CN in the subject counts.
  return nameAttributes(cert.subject).some((a) => a.type === 'CN' && dnsPatternMatches(a.value, id.value));
}

/**
 * RFC 6125 §6.4.1 comparison (ASCII case-insensitive) with §6.4.3 wildcards restricted as the
 * CA/Browser Forum requires: "*" only as the whole left-most label, matching exactly one
 * non-empty label, and followed by at least two labels (no "*.com", no "f*o.example").
 */
export function dnsPatternMatches(pattern: string, host: string): boolean {
  const p = normaliseDns(pattern);
  const h = normaliseDns(host);
  if (p.length === 0 || h.length === 0 || isIP(h) !== 0) return false;
  if (!p.includes('*')) return p === h;
  const labels = p.split('.');
  if (
    labels[0] !== '*' ||
    labels.length < 3 ||
    labels.slice(1).some((l) => l.length === 0 || l.includes('*'))
  )
    return false;
  const dot = h.indexOf('.');
  if (dot <= 0) return false;
  // The wildcard never spans a dot: what it stands for is one label of LDH characters.
  return /^[a-z0-9-]+$/.test(h.slice(0, dot)) && h.slice(dot + 1) === labels.slice(1).join('.');
}

/** Lower-case ASCII only (RFC 4343) and drop one trailing dot: "Broker.Example." is "broker.example". */
function normaliseDns(name: string): string {
  const lower = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Octets of an IPv4 or IPv6 literal (RFC 4291 §2.2 text forms), or undefined. */
export function ipBytes(text: string): Uint8Array | undefined {
  // A zone index ("fe80::1%eth0") names an interface, not an address a certificate can carry.
  const kind = text.includes('%') ? 0 : isIP(text);
  if (kind === 4) return Uint8Array.from(text.split('.').map(Number));
  if (kind !== 6) return undefined;
  let s = text;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    s = s.slice(0, -v4[1]!.length);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const [head = '', rest] = s.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = [...groups(rest ?? ''), ...tail];
  const fill = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const words = [...left, ...fill, ...right];
  if (words.length !== 8) return undefined;
  return Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
