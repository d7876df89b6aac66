import { appendFileSync, closeSync, fchmodSync, fstatSync, openSync, writeSync } from 'node:fs';
import { LabError } from '../../core/errors.js';
import { KEYLOG_HEADER } from './keylog.js';

/**
 * An NSS key log being written: each TLS session appends its lines as its handshake goes (the
 * format browsers and curl append to, so several programs can share one file). The file is
 * private — created 0600, and narrowed to 0600 if it existed — because it decrypts everything it
 * names; a new file starts with a warning header. Each line is one synchronous append, so a crash
 * never leaves half a secret and no descriptor outlives the command.
 */
export class KeyLogFile {
  private constructor(readonly path: string) {}

  /** Throws ERR_FS_IO when the file cannot be created or made private. */
  static open(path: string): KeyLogFile {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'a', 0o600);
      fchmodSync(fd, 0o600);
      if (fstatSync(fd).size === 0) writeSync(fd, `${KEYLOG_HEADER}\n`);
    } catch (err) {
      throw new LabError('ERR_FS_IO', `cannot write the key log ${path}: ${(err as Error).message}`, {
        cause: err,
        details: { path },
      });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return new KeyLogFile(path);
  }

  /** Append one line (Node's 'keylog' event hands a Buffer that ends with its newline). */
  write(line: string | Uint8Array): void {
    const text = typeof line === 'string' ? line : Buffer.from(line).toString('utf8');
    appendFileSync(this.path, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
  }
}
