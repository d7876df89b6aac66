import { createHash, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LabError } from '../core/errors.js';
import { fsError } from '../core/fs.js';
import { type Rng, systemRng } from '../core/rng.js';

/** `$7$`: PBKDF2-HMAC-SHA512 (Mosquitto 2.0 default); `$6$`: SHA-512(password ‖ salt), 1.x. */
export type PasswordHashKind = 'sha512-pbkdf2' | 'sha512';

export interface PasswordEntry {
  readonly username: string;
  readonly kind: PasswordHashKind;
  /** 1 for `$6$`. */
  readonly iterations: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly line: number;
}

export type PasswordTable = ReadonlyMap<string, PasswordEntry>;

export interface PasswordFileProblem {
  readonly line: number;
  /** Mosquitto's own log text for the same problem, so both brokers' logs compare. */
  readonly message: string;
}

export interface ParsePasswordFileOptions {
  /**
   * false (default): any line Mosquitto would skip or drop is an ERR_BROKER_PASSWORD_FILE.
   * true: behave as Mosquitto 2.0.11 does: skip the line or drop the user, report it through
   * onProblem, and let the last valid line of a user listed twice win.
   */
  readonly lenient?: boolean;
  readonly onProblem?: (problem: PasswordFileProblem) => void;
}

/** mosquitto_passwd 2.0.11 writes `$7$101$` with a 12-byte salt; the broker requires 12 and 64. */
export const DEFAULT_ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;
/** Mosquitto accepts any int; a huge count would stall every CONNECT, so we stop here. */
export const MAX_ITERATIONS = 1_000_000;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const trimBlanks = (s: string): string => s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');

/** Parse a Mosquitto password file (`user:$7$iterations$salt$hash` lines, as pwfile__parse reads them). */
export function parsePasswordFile(
  text: string,
  file: string,
  options: ParsePasswordFileOptions = {},
): PasswordTable {
  const table = new Map<string, PasswordEntry>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    const problem = (message: string): void => {
      if (!options.lenient) throw passwordFileError(file, lineNo, message);
      options.onProblem?.({ line: lineNo, message });
    };
    // Mosquitto skips comments and any line without ':' silently; blank lines are harmless.
    if (raw.startsWith('#') || trimBlanks(raw) === '') continue;
    if (!raw.includes(':')) {
      if (!options.lenient) problem('not a "user:hash" line');
      continue;
    }
    // strtok(":") over the fgets() buffer, newline included: empty fields vanish, fields
    // after the second are ignored, and "user:" still has a (blank) second field.
    const buffer = i < lines.length - 1 ? `${raw}\n` : raw;
    const [first, second] = buffer.split(':').filter((f) => f !== '');
    const username = trimBlanks(first!);
    if (second === undefined) {
      // Mosquitto prints its buffer after strtok() cut it at the first field's end.
      const start = raw.search(/[^:]/);
      const end = raw.indexOf(':', start);
      problem(`Warning: Invalid line in password file '${file}': ${end < 0 ? raw : raw.slice(0, end)}`);
      continue;
    }
    if (!options.lenient && (username === '' || raw.split(':').length !== 2 || username !== first)) {
      problem(`user "${username}": not in the canonical "user:hash" form`);
    }
    const entry = decodeHash(username, trimBlanks(second), lineNo, options.lenient === true, problem);
    if (entry === undefined) continue;
    if (table.has(username) && !options.lenient) problem(`user "${username}" is listed twice`);
    table.set(username, entry);
  }
  return table;
}

/** unpwd__decode_passwords(): `$`-separated fields, strtok-style, then exact sizes. */
function decodeHash(
  username: string,
  field: string,
  line: number,
  lenient: boolean,
  problem: (m: string) => void,
): PasswordEntry | undefined {
  const parts = field.split('$').filter((p) => p !== '');
  const removing = `for user ${username}, removing entry.`;
  if (!lenient && !/^\$[67]\$/.test(field)) {
    problem(`Error: Invalid password hash type ${removing}`);
    return undefined;
  }
  const type = parts.shift();
  if (type === undefined) return void problem(`Error: Invalid password hash ${removing}`);
  if (type !== '6' && type !== '7') return void problem(`Error: Invalid password hash type ${removing}`);
  let iterations = 1;
  if (type === '7') {
    const text = parts.shift();
    if (text === undefined) return void problem(`Error: Invalid password hash ${removing}`);
    iterations = atoi(text);
    if (!lenient && !/^[1-9]\d*$/.test(text)) iterations = 0;
    if (iterations < 1) return void problem(`Error: Invalid hash iterations ${removing}`);
    if (iterations > MAX_ITERATIONS) {
      return void problem(
        `Error: ${iterations} hash iterations is above mqtts-lab's limit of ${MAX_ITERATIONS} ${removing}`,
      );
    }
  }
  const [saltText, hashText, ...rest] = parts;
  if (saltText === undefined) return void problem(`Error: Invalid password hash ${removing}`);
  const salt = decode(saltText, SALT_BYTES);
  if (salt === undefined) return void problem(`Error: Unable to decode password salt ${removing}`);
  if (hashText === undefined) return void problem(`Error: Invalid password hash ${removing}`);
  const hash = decode(hashText, HASH_BYTES);
  if (hash === undefined) return void problem(`Error: Unable to decode password ${removing}`);
  if (!lenient && rest.length > 0) return void problem(`Error: Invalid password hash ${removing}`);
  return { username, kind: type === '7' ? 'sha512-pbkdf2' : 'sha512', iterations, salt, hash, line };
}

function decode(text: string, bytes: number): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const out = Buffer.from(text, 'base64');
  return out.length === bytes ? out : undefined;
}

/** C atoi() as glibc does it: leading blanks, a sign, digits; anything else stops the number. */
function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  if (!m) return 0;
  const n = Number(m[1]);
  return n > 2 ** 31 - 1 || n < -(2 ** 31) ? -1 : n;
}

export async function loadPasswordFile(
  path: string,
  options: ParsePasswordFileOptions = {},
): Promise<PasswordTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw fsError(err, path);
  }
  return parsePasswordFile(text, path, options);
}

/**
 * Mosquitto 2.0.11's check (mosquitto_unpwd_check_default, pw__digest). A missing or empty
 * password never matches; otherwise the password is used up to its first NUL byte, because
 * Mosquitto hashes it as a C string: "secret\0junk" logs in as "secret". Constant time in the
 * comparison, as Mosquitto's mosquitto__memcmp_const.
 */
export function verifyPassword(entry: PasswordEntry, password: Buffer | undefined): boolean {
  if (password === undefined || password.length === 0) return false;
  const nul = password.indexOf(0);
  const secret = nul < 0 ? password : password.subarray(0, nul);
  const digest = derive(entry.kind, secret, entry.salt, entry.iterations);
  return digest.length === entry.hash.length && timingSafeEqual(digest, entry.hash);
}

function derive(kind: PasswordHashKind, password: Buffer, salt: Buffer, iterations: number): Buffer {
  if (kind === 'sha512') return createHash('sha512').update(password).update(salt).digest();
  return pbkdf2Sync(password, salt, iterations, HASH_BYTES, 'sha512');
}

export interface HashPasswordOptions {
  readonly kind?: PasswordHashKind;
  readonly iterations?: number;
  /** 12 bytes; drawn from `rng` when absent. */
  readonly salt?: Uint8Array;
  readonly rng?: Rng;
}

/** The hash field mosquitto_passwd writes: `$7$101$<salt>$<hash>` (or `$6$<salt>$<hash>`). */
export function hashPassword(password: string | Buffer, options: HashPasswordOptions = {}): string {
  const kind = options.kind ?? 'sha512-pbkdf2';
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new RangeError(`hashPassword: iterations must be 1..${MAX_ITERATIONS}`);
  }
  const salt = Buffer.from(options.salt ?? (options.rng ?? systemRng).bytes(SALT_BYTES));
  if (salt.length !== SALT_BYTES) throw new RangeError(`hashPassword: the salt must be ${SALT_BYTES} bytes`);
  const secret = Buffer.from(password);
  if (secret.length === 0 || secret.includes(0)) {
    throw new RangeError(
      'hashPassword: the password must be non-empty and contain no NUL (Mosquitto never matches it)',
    );
  }
  const hash = derive(kind, secret, salt, iterations).toString('base64');
  return kind === 'sha512'
    ? `$6$${salt.toString('base64')}$${hash}`
    : `$7$${iterations}$${salt.toString('base64')}$${hash}`;
}

/**
 * Why a username cannot go into a password file, in mosquitto_passwd's words; undefined when it
 * can. Stricter than mosquitto_passwd on two points: an empty name, and blanks around it, which
 * the broker trims away (the line would then belong to another user, or to nobody).
 */
export function usernameProblem(username: string): string | undefined {
  if (Buffer.byteLength(username) > 65535) return 'Username must be less than 65536 characters long.';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(username)) return 'Username must not contain control characters.';
  if (username.includes(':')) return "Username must not contain the ':' character.";
  if (username === '') return 'Username must not be empty.';
  if (trimBlanks(username) !== username) return 'Username must not begin or end with blanks.';
  return undefined;
}

/** A whole line; usernames follow mosquitto_passwd's rules (no ':', no control characters). */
export function passwordLine(
  username: string,
  password: string | Buffer,
  options: HashPasswordOptions = {},
): string {
  if (usernameProblem(username) !== undefined) {
    throw new RangeError(`passwordLine: invalid username ${JSON.stringify(username)}`);
  }
  return `${username}:${hashPassword(password, options)}`;
}

/**
 * The bytes of a password file as text. Strict UTF-8, because every line an edit does not touch
 * is written back as it was: a lossy decoding would rewrite other users' lines.
 */
export function decodePasswordFile(bytes: Uint8Array, file: string): string {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return decoder.decode(bytes);
  } catch {
    const lines = Buffer.from(bytes).toString('latin1').split('\n');
    const bad = lines.findIndex((l) => {
      try {
        decoder.decode(Buffer.from(l, 'latin1'));
        return false;
      } catch {
        return true;
      }
    });
    throw passwordFileError(file, bad + 1, 'not UTF-8 text');
  }
}

/**
 * Give `username` a new hash as mosquitto_passwd does: its line is replaced where it stands,
 * or a line is appended. Every other line, comments included, is kept byte for byte. The file
 * is parsed strictly first, so a malformed one is refused before anything changes.
 */
export function setPasswordUser(
  text: string,
  file: string,
  username: string,
  password: string | Buffer,
  options: HashPasswordOptions = {},
): { readonly text: string; readonly added: boolean } {
  const entry = parsePasswordFile(text, file).get(username);
  const line = passwordLine(username, password, options);
  if (entry === undefined) {
    const separator = text === '' || text.endsWith('\n') ? '' : '\n';
    return { text: `${text}${separator}${line}\n`, added: true };
  }
  const lines = text.split('\n');
  // A CRLF file keeps its line ending on the line we replace.
  lines[entry.line - 1] = lines[entry.line - 1]!.endsWith('\r') ? `${line}\r` : line;
  return { text: lines.join('\n'), added: false };
}

/** The file without `username`'s line (others kept byte for byte); undefined when absent. */
export function deletePasswordUser(text: string, file: string, username: string): string | undefined {
  const entry = parsePasswordFile(text, file).get(username);
  if (entry === undefined) return undefined;
  const lines = text.split('\n');
  lines.splice(entry.line - 1, 1);
  return lines.join('\n');
}

/**
 * mosquitto_passwd -U: turn `user:password` lines into hashed ones. Names and passwords are
 * trimmed of blanks, as mosquitto_passwd reads them. Refused, where mosquitto_passwd goes on:
 * a password containing ':' (it would keep only the part before), a line that is already a
 * hash (hashing the hash locks the user out), a user listed twice.
 */
export function hashPlainPasswordFile(text: string, file: string, options: HashPasswordOptions = {}): string {
  const lines = text.split('\n');
  const seen = new Set<string>();
  return lines
    .map((raw, i) => {
      const fail = (message: string) => passwordFileError(file, i + 1, message);
      if (raw.startsWith('#') || trimBlanks(raw) === '') return raw;
      const fields = raw.split(':');
      if (fields.length !== 2) throw fail('not a "user:password" line (exactly one \':\')');
      const username = trimBlanks(fields[0]!);
      const password = trimBlanks(fields[1]!);
      const bad = usernameProblem(username);
      if (bad !== undefined) throw fail(bad);
      if (password === '') throw fail(`user "${username}": empty password`);
      // Mosquitto hashes a C string: the bytes after a NUL would silently not count.
      if (password.includes('\0')) throw fail(`user "${username}": the password contains a NUL byte`);
      if (seen.has(username)) throw fail(`user "${username}" is listed twice`);
      seen.add(username);
      if (isHashed(raw, file)) throw fail(`user "${username}": already hashed (-U would hash the hash)`);
      return `${passwordLine(username, password, options)}${raw.endsWith('\r') ? '\r' : ''}`;
    })
    .join('\n');
}

function isHashed(line: string, file: string): boolean {
  try {
    return parsePasswordFile(line, file).size === 1;
  } catch {
    return false;
  }
}

function passwordFileError(file: string, line: number, message: string): LabError {
  return new LabError('ERR_BROKER_PASSWORD_FILE', `${file}:${line}: ${message}`, {
    details: { file, line },
  });
}
