import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError } from '../../core/errors.js';
import { readFileChecked, writeFileAtomic } from '../../core/fs.js';
import type { IssuingCa } from '../ca.js';
import { type ParsedCertificate, parseCertificate } from '../certificate.js';
import { keyMatchesSpki, loadPrivateKey } from '../keys.js';
import { nameToSlashString } from '../names.js';
import { keySigner } from '../signer.js';
import { formatIndex, type IndexEntry, parseIndex } from './index-txt.js';
import { withLock } from './lock.js';

export const DEFAULT_PKI_DIR = './tls';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The on-disk layout of the lab sheet, in one directory: ca.crt, ca.key, <name>.key|.csr|.crt,
 * plus the CA's bookkeeping (index.txt in openssl's format, crlnumber, crl.pem).
 */
export class PkiStore {
  readonly dir: string;

  constructor(dir: string = DEFAULT_PKI_DIR) {
    this.dir = resolve(dir);
  }

  get caCertPath(): string {
    return join(this.dir, 'ca.crt');
  }
  get caKeyPath(): string {
    return join(this.dir, 'ca.key');
  }
  get indexPath(): string {
    return join(this.dir, 'index.txt');
  }
  get crlPath(): string {
    return join(this.dir, 'crl.pem');
  }
  get crlNumberPath(): string {
    return join(this.dir, 'crlnumber');
  }

  /** Path of <name>.<ext>; the name is checked so it cannot escape the directory. */
  file(name: string, ext: 'key' | 'csr' | 'crt'): string {
    if (!NAME.test(name) || name === 'ca' || name === 'crl' || name === 'index') {
      throw new LabError(
        'ERR_OPTIONS_INVALID',
        `"${name}" is not a usable name (letters, digits, . _ -; not ca, crl or index)`,
        {
          details: { option: 'name' },
        },
      );
    }
    return join(this.dir, `${name}.${ext}`);
  }

  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
  }

  hasCa(): boolean {
    return existsSync(this.caCertPath) && existsSync(this.caKeyPath);
  }

  readCaCertificate(): ParsedCertificate {
    return parseCertificate(readFileChecked(this.caCertPath), this.caCertPath);
  }

  /** Load the CA certificate and key and check they are one pair before anything is signed. */
  openCa(passphrase?: string): IssuingCa {
    const certificate = this.readCaCertificate();
    const key = loadPrivateKey(readFileChecked(this.caKeyPath), this.caKeyPath, passphrase);
    if (!keyMatchesSpki(key, certificate.spki)) {
      throw new LabError('ERR_PKI_KEY_MISMATCH', `${this.caKeyPath} is not the key of ${this.caCertPath}`, {
        details: { key: this.caKeyPath, certificate: this.caCertPath },
      });
    }
    return { certificate, signer: keySigner(key) };
  }

  readIndex(): IndexEntry[] {
    if (!existsSync(this.indexPath)) return [];
    return parseIndex(readFileChecked(this.indexPath).toString('utf8'), this.indexPath);
  }

  /** Run a read-modify-write of the CA bookkeeping under the directory lock. */
  locked<T>(fn: () => T): T {
    return withLock(join(this.dir, '.lock'), fn);
  }

  writeIndex(entries: readonly IndexEntry[]): void {
    writeFileAtomic(this.indexPath, formatIndex(entries), { overwrite: true });
  }

  /** Record an issued certificate, and write it to `certPath`; neither happens without the other. */
  recordIssued(certificate: ParsedCertificate, certPath: string, pem: string, overwrite: boolean): void {
    this.locked(() => {
      const entries = this.readIndex();
      if (entries.some((e) => e.serial === certificate.serial)) {
        throw new LabError('ERR_OPTIONS_INVALID', `serial ${certificate.serial} is already in the index`);
      }
      writeFileAtomic(certPath, pem, { overwrite });
      try {
        this.writeIndex([
          ...entries,
          {
            status: 'V',
            notAfter: certificate.notAfter,
            serial: certificate.serial,
            subject: nameToSlashString(certificate.subject),
          },
        ]);
      } catch (err) {
        unlinkSync(certPath);
        throw err;
      }
    });
  }

  /** Next CRL number, persisted before use so two CRLs never share one (RFC 5280 §5.2.3). */
  takeCrlNumber(): number {
    return this.locked(() => {
      let n = 1;
      if (existsSync(this.crlNumberPath)) {
        const text = readFileChecked(this.crlNumberPath).toString('utf8').trim();
        if (!/^[0-9A-Fa-f]+$/.test(text)) {
          throw new LabError('ERR_PKI_INDEX_MALFORMED', `${this.crlNumberPath} is not a hex number`, {
            details: { path: this.crlNumberPath },
          });
        }
        n = Number.parseInt(text, 16);
      }
      // openssl's crlnumber file holds the next number in hex, even-length.
      const next = (n + 1).toString(16).toUpperCase();
      writeFileAtomic(this.crlNumberPath, `${next.length % 2 ? `0${next}` : next}\n`, { overwrite: true });
      return n;
    });
  }
}
