/**
 * The dashboard's request checks. It can run attacks and serve captures, so:
 * - every request's Host must name the address it is bound to (a DNS-rebinding page reaches a
 *   loopback server under its own host name and is refused here);
 * - every state-changing request is a POST carrying the per-process CSRF token (given in the
 *   page, sent back in a header, which a cross-site form cannot set) and an Origin equal to
 *   the server's own;
 * - every response carries a CSP without inline scripts and frame-ancestors 'none'.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

export const CSRF_HEADER = 'x-csrf-token';

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface HostPolicy {
  /** The address the server is bound to. */
  readonly bindHost: string;
  readonly port: number;
}

/** `host:port` from a Host header, lower-cased, IPv6 brackets kept; undefined if malformed. */
function parseHostHeader(value: string | undefined): { host: string; port: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  return { host: m[1]!.toLowerCase(), port: m[2] === undefined ? 80 : Number(m[2]) };
}

/**
 * Host header check (DNS rebinding): on a loopback bind, only loopback names; on a named
 * address, that address; on a wildcard bind (--allow-remote), only IP literals — a rebinding
 * attack needs a host name it controls, which an IP literal is not.
 */
export function hostAllowed(value: string | undefined, p: HostPolicy): boolean {
  const h = parseHostHeader(value);
  if (h === undefined || h.port !== p.port) return false;
  const bare = h.host.replace(/^\[|\]$/g, '');
  if (isLoopbackHost(p.bindHost)) return isLoopbackHost(bare);
  if (p.bindHost === '0.0.0.0' || p.bindHost === '::') return isIP(bare) !== 0 || isLoopbackHost(bare);
  return bare === p.bindHost.toLowerCase() || isLoopbackHost(bare);
}

export type Refusal = { readonly status: number; readonly reason: string };

/** A state-changing request: POST, JSON, same origin, the right token. */
export function checkAction(req: IncomingMessage, token: string): Refusal | undefined {
  if (req.method !== 'POST') return { status: 405, reason: 'state-changing requests are POST' };
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin === undefined || origin !== `http://${host}`) {
    return { status: 403, reason: 'the Origin header is missing or is not this server' };
  }
  // Fetch Metadata: a browser says when a request comes from another site.
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return { status: 403, reason: 'cross-site request' };
  const sent = req.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !sameSecret(sent, token)) {
    return { status: 403, reason: 'missing or wrong CSRF token' };
  }
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    return { status: 415, reason: 'the body must be application/json' };
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}
