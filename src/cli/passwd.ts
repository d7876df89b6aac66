import { chownSync, realpathSync, type Stats, statSync } from 'node:fs';
import type { ReadStream } from 'node:tty';
import type { Command } from 'commander';
import {
  decodePasswordFile,
  DEFAULT_ITERATIONS,
  deletePasswordUser,
  hashPlainPasswordFile,
  type HashPasswordOptions,
  MAX_ITERATIONS,
  parsePasswordFile,
  passwordLine,
  type PasswordHashKind,
  setPasswordUser,
  usernameProblem,
} from '../broker/password-file.js';
import { LabError } from '../core/errors.js';
import { readFileChecked, writeFileAtomic } from '../core/fs.js';
import { type CliIo, formatError, Output, VerdictFailure } from './io.js';
import { readLines } from './mqtt/stdin.js';
import { examples } from './options.js';

/** mosquitto_passwd's three forms: set a password (-c: in a new file), delete a user, upgrade. */
export type PasswdMode =
  | {
      readonly kind: 'set';
      readonly file: string;
      readonly username: string;
      readonly create: boolean;
      /** -b; prompted for otherwise. */
      readonly password?: string;
    }
  | { readonly kind: 'delete'; readonly file: string; readonly username: string }
  | { readonly kind: 'upgrade'; readonly file: string };

export interface PasswdPlan {
  readonly mode: PasswdMode;
  readonly hash: HashPasswordOptions;
}

/** mosquitto_passwd caps arguments and its line buffer near 64 KiB. */
const MAX_PASSWORD_BYTES = 65535;

export function registerPasswd(program: Command, io: CliIo): void {
  const cmd = program
    .command('passwd')
    .description("manage a Mosquitto password file, flag for flag as Mosquitto 2.0's mosquitto_passwd")
    .usage(
      '[-H sha512 | -H sha512-pbkdf2] [-I iterations] [-c | -D] passwordfile username\n' +
        '       mqtts-lab passwd [-H sha512 | -H sha512-pbkdf2] [-I iterations] [-c] -b passwordfile username password\n' +
        '       mqtts-lab passwd [-H …] [-I …] -U passwordfile',
    )
    .helpOption('--help', 'display help for command')
    // mosquitto_passwd's own parsing: flags only before the file name, so a password may start with '-'.
    .argument('[args...]')
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .addHelpText(
      'after',
      [
        '',
        'Flags (as mosquitto_passwd):',
        '  -b               batch: the password is the last argument (visible in ps and shell history)',
        '  -c               create the file, replacing an existing one',
        '  -D               delete the user',
        '  -H <hash>        sha512-pbkdf2 ($7$, default) or sha512 ($6$, for Mosquitto 1.6 and earlier)',
        `  -I <iterations>  PBKDF2 iterations (default ${DEFAULT_ITERATIONS}, at most ${MAX_ITERATIONS})`,
        '  -U               hash every plain-text "user:password" line of the file',
        '',
        'Without -b the password is read twice from the terminal (from standard input when it is not one).',
        'The file is replaced atomically with mode 0600; a malformed file is refused and left as it was.',
        examples([
          'mqtts-lab passwd -c /etc/mosquitto/passwd alice',
          'mqtts-lab passwd -b /etc/mosquitto/passwd m5go-01 "$DEVICE_PASSWORD"',
          'mqtts-lab passwd -H sha512 -b legacy.passwd bob s3cret',
          'mqtts-lab passwd -D /etc/mosquitto/passwd bob',
          'mqtts-lab passwd -U plain.passwd',
        ]),
      ].join('\n'),
    );
  cmd.action(async (args: string[]) => {
    const plan = parsePasswdArgs(args);
    if (plan === 'help') {
      cmd.outputHelp();
      return;
    }
    await runPasswd(plan, io);
  });
}

const usage = (message: string): LabError => new LabError('ERR_CLI_USAGE', message);
const invalid = (option: 'username' | 'password', message: string): LabError =>
  new LabError('ERR_OPTIONS_INVALID', message, { details: { option } });

/** The command line, read as mosquitto_passwd's main() reads it, with its error texts. */
export function parsePasswdArgs(args: readonly string[]): PasswdPlan | 'help' {
  const flags = { b: false, c: false, D: false, U: false };
  let kind: PasswordHashKind = 'sha512-pbkdf2';
  let iterations = DEFAULT_ITERATIONS;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help') return 'help';
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-H' || arg === '-I') {
      const value = args[++i];
      if (value === undefined) throw usage(`${arg} argument given but not enough other arguments.`);
      if (arg === '-H') kind = hashKind(value);
      else iterations = iterationCount(value);
    } else if (arg === '-b' || arg === '-c' || arg === '-D' || arg === '-U') {
      flags[arg[1] as keyof typeof flags] = true;
    } else if (arg.length > 1 && arg.startsWith('-')) {
      // Named only when it looks like a flag: a misplaced password must not end up on screen.
      const named = /^-[A-Za-z]$/.test(arg) ? ` ${arg}` : '';
      throw usage(`unknown option${named} before the password file (see mqtts-lab passwd --help)`);
    } else break;
  }
  const rest = args.slice(i);
  if (flags.c && flags.D) throw usage('-c and -D cannot be used together.');
  if (flags.c && flags.U) throw usage('-c and -U cannot be used together.');
  if (flags.D && flags.U) throw usage('-D and -U cannot be used together.');
  if (flags.D && flags.b) throw usage('-b and -D cannot be used together.');
  const hash = { kind, iterations };
  if (flags.U)
    return { mode: { kind: 'upgrade', file: positionals(rest, 1, '-U', 'password file')[0]! }, hash };
  if (flags.D) {
    const [file, username] = positionals(rest, 2, '-D', 'password file or username');
    return { mode: { kind: 'delete', file: file!, username: checkedUsername(username!) }, hash };
  }
  const wanted = flags.b ? 3 : 2;
  const [file, username, password] = flags.c
    ? positionals(
        rest,
        wanted,
        '-c',
        flags.b ? 'password file, username, or password' : 'password file or username',
      )
    : positionals(rest, wanted);
  const mode = { kind: 'set', file: file!, username: checkedUsername(username!), create: flags.c } as const;
  if (password !== undefined) checkPassword(Buffer.from(password));
  return { mode: password === undefined ? mode : { ...mode, password }, hash };
}

/**
 * Exactly `count` arguments. mosquitto_passwd -c ignores extra ones; we refuse them, because
 * `-b file user my pass` would otherwise set the password "my".
 */
function positionals(
  rest: readonly string[],
  count: number,
  flag?: string,
  what?: string,
): readonly string[] {
  if (rest.length < count && flag !== undefined) throw usage(`${flag} argument given but ${what} missing.`);
  if (rest.length > count && flag !== undefined) {
    throw usage(`too many arguments${count === 3 ? ' (quote a password that contains blanks)' : ''}`);
  }
  if (rest.length !== count) {
    throw usage(
      'expected "passwordfile username", or with -b "passwordfile username password" (see mqtts-lab passwd --help)',
    );
  }
  return rest;
}

function hashKind(value: string): PasswordHashKind {
  if (value === 'sha512' || value === 'sha512-pbkdf2') return value;
  throw usage(`Unknown hash type '${value}'`);
}

function iterationCount(value: string): number {
  // mosquitto_passwd reads it with atoi() ("5x" is 5); a typo here is an error instead.
  const n = /^\d+$/.test(value) ? Number(value) : 0;
  if (n < 1) throw usage('Number of iterations must be > 0.');
  if (n > MAX_ITERATIONS) {
    throw usage(
      `Number of iterations must be at most ${MAX_ITERATIONS} (the mqtts-lab broker refuses more).`,
    );
  }
  return n;
}

function checkedUsername(username: string): string {
  const problem = usernameProblem(username);
  if (problem !== undefined) throw invalid('username', problem);
  return username;
}

/** mosquitto_passwd -b hashes an empty password; no broker ever accepts it, so we refuse it. */
function checkPassword(password: Buffer): void {
  if (password.length === 0) throw invalid('password', 'Empty password.');
  if (password.length > MAX_PASSWORD_BYTES) {
    throw invalid('password', 'Password must be less than 65536 characters long.');
  }
}

export async function runPasswd(plan: PasswdPlan, io: CliIo): Promise<void> {
  const out = new Output(io, false);
  const { mode, hash } = plan;
  if (mode.kind === 'set' && mode.password !== undefined) {
    out.warn(
      '-b puts the password on the command line: other users can see it (ps) and your shell ' +
        'history keeps it; leave -b out to be prompted for it',
    );
  }
  if (mode.kind === 'set' && mode.create) {
    // As mosquitto_passwd: the password is asked for first, then the file is replaced unread.
    const password = mode.password !== undefined ? Buffer.from(mode.password) : await askPassword(io);
    const target = locate(mode.file);
    save(target, `${passwordLine(mode.username, password, hash)}\n`, out);
    return;
  }
  // The file is read and checked before any prompt, so a bad file costs no typing.
  const target = locate(mode.file);
  const text = decodePasswordFile(readFileChecked(target.path), mode.file);
  if (mode.kind === 'upgrade') {
    save(target, hashPlainPasswordFile(text, mode.file, hash), out);
  } else if (mode.kind === 'delete') {
    const edited = deletePasswordUser(text, mode.file, mode.username);
    if (edited === undefined) {
      out.warn(`User ${mode.username} not found in password file.`);
      throw new VerdictFailure(`user ${mode.username} not found`, 1);
    }
    save(target, edited, out);
  } else {
    parsePasswordFile(text, mode.file);
    const password = mode.password !== undefined ? Buffer.from(mode.password) : await askPassword(io);
    save(target, setPasswordUser(text, mode.file, mode.username, password, hash).text, out);
  }
}

interface Target {
  /** Symbolic links are followed, as mosquitto_passwd's realpath() does: the link stays. */
  readonly path: string;
  readonly file: string;
  readonly before?: Stats;
}

function locate(file: string): Target {
  try {
    const path = realpathSync(file);
    return { path, file, before: statSync(path) };
  } catch {
    return { path: file, file };
  }
}

function save(target: Target, text: string, out: Output): void {
  writeFileAtomic(target.path, text, { mode: 0o600, overwrite: true });
  const before = target.before;
  if (before === undefined) return;
  // A new inode belongs to whoever runs this; root gives the file back to its owner and group.
  if (process.getuid?.() === 0 && (before.uid !== 0 || before.gid !== 0)) {
    chownSync(target.path, before.uid, before.gid);
  }
  if ((before.mode & 0o077) !== 0) {
    const was = (before.mode & 0o777).toString(8).padStart(4, '0');
    out.warn(
      `${target.file}: mode ${was} is now 0600; a broker that reads it as another user needs it chown'ed to that user`,
    );
  }
}

/** "Password:" then "Reenter password:", as mosquitto_passwd's get_password(). */
async function askPassword(io: CliIo): Promise<Buffer> {
  const input = isTty(io.stdin) ? ttyInput(io.stdin, io) : pipedInput(io);
  try {
    const first = await input.next('Password: ');
    if (first.length === 0) throw invalid('password', 'Empty password.');
    const second = await input.next('Reenter password: ');
    if (second.length === 0) throw invalid('password', 'Empty password.');
    if (!first.equals(second)) {
      // mosquitto_passwd's status for this case is 2, not 1.
      const err = invalid('password', 'Passwords do not match.');
      io.stderr(`mqtts-lab: ${formatError(err).line}\n`);
      throw new VerdictFailure(err.message, 2);
    }
    checkPassword(first);
    return first;
  } finally {
    input.close();
  }
}

interface SecretInput {
  /** The line typed, as a C string: up to a NUL, without its trailing CR/LF; empty at end of input. */
  next(prompt: string): Promise<Buffer>;
  close(): void;
}

function cString(line: Buffer | undefined): Buffer {
  if (line === undefined) return Buffer.alloc(0);
  const nul = line.indexOf(0);
  let end = nul < 0 ? line.length : nul;
  while (end > 0 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--;
  return line.subarray(0, end);
}

function isTty(stream: NodeJS.ReadableStream | undefined): stream is ReadStream {
  return (stream as ReadStream | undefined)?.isTTY === true;
}

function pipedInput(io: CliIo): SecretInput {
  const lines = io.stdin === undefined ? undefined : readLines(io.stdin);
  return {
    async next(prompt) {
      io.stdout(prompt);
      const r = await lines?.next();
      const line = cString(r?.done === false ? r.value : undefined);
      if (line.length > 0) io.stdout('\n');
      return line;
    },
    close: () => void lines?.return(undefined),
  };
}

/** Raw mode, so nothing typed is echoed; Enter ends the line, Ctrl-D ends input, Ctrl-C aborts. */
function ttyInput(tty: ReadStream, io: CliIo): SecretInput {
  // Bytes after an Enter in the same chunk (a paste of both lines) belong to the next prompt.
  let pending: Buffer = Buffer.alloc(0);
  return {
    next(prompt) {
      // Echo goes off before the prompt shows, so nothing typed after it can appear on screen.
      tty.setRawMode(true);
      io.stdout(prompt);
      return new Promise((resolve, reject) => {
        const bytes: number[] = [];
        const finish = (rest: Buffer, settle: () => void) => {
          pending = rest;
          tty.off('data', onData);
          tty.setRawMode(false);
          tty.pause();
          io.stdout('\n');
          settle();
        };
        const onData = (chunk: Buffer | string): void => {
          const data = Buffer.from(chunk);
          for (let i = 0; i < data.length; i++) {
            const b = data[i]!;
            const rest = data.subarray(i + 1);
            if (b === 0x0d || b === 0x0a) return finish(rest, () => resolve(cString(Buffer.from(bytes))));
            if (b === 0x04 && bytes.length === 0) return finish(rest, () => resolve(Buffer.alloc(0)));
            if (b === 0x03) {
              return finish(rest, () => {
                io.stderr('mqtts-lab: interrupted; nothing was written\n');
                reject(new VerdictFailure('interrupted', 130));
              });
            }
            if (b === 0x7f || b === 0x08) {
              // Backspace removes a whole UTF-8 character: its continuation bytes, then its lead.
              let last: number | undefined;
              do last = bytes.pop();
              while (last !== undefined && (last & 0xc0) === 0x80);
            } else bytes.push(b);
          }
        };
        tty.on('data', onData);
        tty.resume();
        if (pending.length > 0) onData(pending);
      });
    },
    close: () => {},
  };
}
