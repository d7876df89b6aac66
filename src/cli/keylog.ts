import { resolve } from 'node:path';
import { keyLogWarning } from '../wire/tls/keylog.js';
import { KeyLogFile } from '../wire/tls/keylog-file.js';
import type { CliIo } from './io.js';

/** The help text of every `--keylog` flag: the option is unsafe, and says so. */
export const KEYLOG_FLAG_HELP =
  'UNSAFE, for teaching: append the TLS session secrets to FILE (NSS key log, mode 0600) so Wireshark or `capture analyze --keylog` decrypts captures';

/** Opens the key log a `--keylog` flag names and prints the warning; undefined when not given. */
export function openCliKeyLog(io: CliIo, file: string | undefined): KeyLogFile | undefined {
  if (file === undefined) return undefined;
  const log = KeyLogFile.open(resolve(io.cwd, file));
  io.stderr(`${keyLogWarning(log.path)}\n`);
  return log;
}
