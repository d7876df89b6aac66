import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import { LabError } from '../../core/errors.js';
import { fsError, readFileChecked } from '../../core/fs.js';
import { certificateToPem, parseCertificates } from '../../pki/certificate.js';

/**
 * Certificate and key files for the TLS client, checked before any connection: a typo in a
 * path or a key that does not match its certificate is our error to report (with its code),
 * not a handshake failure for the student to decode.
 */

/** Certificates of a PEM bundle (or one DER certificate) as PEM text Node accepts. */
export function loadCertificates(path: string, what: string): string[] {
  const ders = parseCertificates(readFileChecked(path), `${what} ${path}`);
  return ders.map((c) => certificateToPem(c.der));
}

export function loadKey(path: string): Buffer {
  return readFileChecked(path);
}

/**
 * --capath as OpenSSL reads it: the PEM files of a directory (`openssl rehash` links are
 * `<hash>.<n>`, plain bundles end in .crt or .pem); other files are skipped.
 */
export function loadCaPath(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw fsError(err, dir);
  }
  const pems = new Set<string>();
  for (const name of names) {
    if (!/\.(crt|pem)$|^[0-9a-f]{8}\.\d+$/.test(name)) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    // Like OpenSSL's hashed directory, a file that holds no certificate (a CRL) is not an error.
    if (!/-----BEGIN (X509 |TRUSTED )?CERTIFICATE-----/.test(readFileChecked(path).toString('latin1')))
      continue;
    for (const pem of loadCertificates(path, '--capath file')) pems.add(pem);
  }
  if (pems.size === 0)
    throw new LabError('ERR_FS_NOT_FOUND', `--capath ${dir}: no certificate files (*.crt, *.pem, <hash>.N)`, {
      details: { path: dir },
    });
  return [...pems];
}

/** Build the secure context once so key and certificate problems surface as catalog errors. */
export function validateTlsContext(opts: ConnectionOptions, files: { cert?: string; key?: string }): void {
  try {
    createSecureContext(opts);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const message = (err as Error).message;
    const details = { cert: files.cert, key: files.key, openssl: code };
    if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH')
      throw new LabError(
        'ERR_PKI_KEY_MISMATCH',
        `--key ${files.key} does not belong to --cert ${files.cert}`,
        {
          cause: err,
          details,
        },
      );
    if (code === 'ERR_OSSL_BAD_DECRYPT' || /passphrase|decrypt/i.test(message))
      throw new LabError(
        'ERR_PKI_PASSPHRASE_REQUIRED',
        `--key ${files.key} is encrypted; give an unencrypted key`,
        {
          cause: err,
          details,
        },
      );
    if (code.startsWith('ERR_OSSL_'))
      throw new LabError('ERR_PKI_KEY_MALFORMED', `--key ${files.key}: ${message}`, { cause: err, details });
    throw new LabError('ERR_OPTIONS_INVALID', `TLS options rejected: ${message}`, { cause: err, details });
  }
}
