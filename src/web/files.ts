/**
 * Which files of the output directory the dashboard serves: an allow-list of names
 * (certificates, the CRL, captures, reports, evidence traces), resolved inside the directory
 * with symlinks followed and checked again, and a final look at the bytes so a file holding a
 * PEM private key is never sent, whatever its name. Private keys (pki/*.key), TLS key logs
 * (*.keys), secure-element images and broker configuration are not on the list.
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { extname, relative, resolve, sep } from 'node:path';

const ALLOWED: readonly RegExp[] = [
  /^pki\/[a-z0-9][a-z0-9-]*\.crt$/,
  /^pki\/crl\.pem$/,
  /^(live\/)?step[1-4]\.pcap$/,
  /^(live\/)?report\.(html|md|json)$/,
  /^(live\/)?evidence\/[A-Za-z0-9][A-Za-z0-9._-]*\.(txt|pcap|vcd|log)$/,
];

const TYPES: Readonly<Record<string, string>> = {
  '.crt': 'application/x-pem-file',
  '.pem': 'application/x-pem-file',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.vcd': 'text/plain; charset=utf-8',
};

/** RFC 7468 private-key labels: PRIVATE KEY, ENCRYPTED PRIVATE KEY, EC/RSA PRIVATE KEY. */
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export interface ServedFile {
  readonly body: Buffer;
  readonly type: string;
  readonly name: string;
}

/** The file at `rel` under `root`, or undefined when it is not one the dashboard serves. */
export function allowedFile(root: string, rel: string): ServedFile | undefined {
  if (rel.includes('\0') || rel.includes('\\') || rel.startsWith('/')) return undefined;
  if (rel.split('/').some((part) => part === '..' || part === '.' || part === '')) return undefined;
  if (!ALLOWED.some((re) => re.test(rel))) return undefined;
  const base = realpathOrUndefined(root);
  if (base === undefined) return undefined;
  const path = resolve(base, rel);
  if (!path.startsWith(base + sep)) return undefined;
  const real = realpathOrUndefined(path);
  if (real === undefined || !real.startsWith(base + sep)) return undefined;
  // The name of what is read must itself be on the list (a symlink to a key is refused).
  const realRel = relative(base, real).split(sep).join('/');
  if (!ALLOWED.some((re) => re.test(realRel))) return undefined;
  const st = lstatSync(real);
  if (!st.isFile()) return undefined;
  const body = readFileSync(real);
  if (PRIVATE_KEY_PEM.test(body.toString('latin1'))) return undefined;
  return { body, type: TYPES[extname(real)] ?? 'application/octet-stream', name: rel.split('/').pop()! };
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
