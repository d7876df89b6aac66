// `mqtts-lab passwd` against Mosquitto 2.0's mosquitto_passwd, both ways: files each writes are
// edited by the other and accepted by the real broker, and the same mistakes get the same exit
// status. mosquitto_passwd, mosquitto and mosquitto_pub are the oracles; a missing one fails.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  lstatSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { Readable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import { parsePasswordFile, type PasswordTable, verifyPassword } from '../../src/broker/password-file.js';
import { run } from '../../src/cli/program.js';
import { requireTool, startBroker } from '../helpers/brokers.js';
import { join, tempDir } from '../helpers/openssl.js';
import { freePort, withTimeout } from '../helpers/process.js';

const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
const SCRIPT = '/usr/bin/script';
const ROOT = join(import.meta.dirname, '..', '..');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Every password these tests type; none may ever appear in what our command prints. */
const secrets = new Set<string>();
const secret = (s: string): string => (secrets.add(s), s);

function assertNoSecret(r: Ran): void {
  for (const s of secrets) assert.ok(!`${r.stdout}${r.stderr}`.includes(s), 'a password was printed');
}

/** Our command in process; `input` is standard input (not a terminal), absent means none. */
async function ours(args: readonly string[], input?: string): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await run(['passwd', ...args], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: {},
    cwd: process.cwd(),
    ...(input === undefined ? {} : { stdin: Readable.from([Buffer.from(input)]) }),
  });
  const r = { code, stdout, stderr };
  assertNoSecret(r);
  return r;
}

function theirs(args: readonly string[], input = ''): Ran {
  requireTool(MOSQUITTO_PASSWD);
  const r: SpawnSyncReturns<string> = spawnSync(MOSQUITTO_PASSWD, args, {
    input,
    encoding: 'utf8',
    timeout: 20_000,
  });
  // It may exit before reading its input (a bad username): the broken pipe is not the result.
  const brokenPipe = (r.error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
  if (r.error && !(brokenPipe && r.status !== null)) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const table = (file: string): PasswordTable => parsePasswordFile(readFileSync(file, 'utf8'), file);
const logsIn = (t: PasswordTable, user: string, password: string): boolean =>
  t.has(user) && verifyPassword(t.get(user)!, Buffer.from(password));

function dir(t: TestContext): string {
  const d = tempDir(t, 'mqtts-passwd-');
  // Mosquitto started as root drops to the `mosquitto` user before it reads the password file.
  chmodSync(d, 0o755);
  return d;
}

/** Real Mosquitto with `file` as password_file: which user/password pairs may publish. */
async function brokerAccepts(
  t: TestContext,
  file: string,
  pairs: readonly (readonly [string, string])[],
): Promise<boolean[]> {
  requireTool(MOSQUITTO_PUB);
  const d = dir(t);
  // Our files are 0600; the broker's own copy must be readable once it has dropped root.
  const copy = join(d, 'passwd');
  copyFileSync(file, copy);
  chmodSync(copy, 0o644);
  const port = await freePort();
  await startBroker(t, 'mosquitto', d, `listener ${port} 127.0.0.1\npassword_file ${copy}\n`, port);
  return pairs.map(([user, password]) => {
    const args = ['-h', '127.0.0.1', '-p', String(port), '-u', user, '-P', password, '-t', 't', '-m', 'x'];
    const r = spawnSync(MOSQUITTO_PUB, args, { encoding: 'utf8', timeout: 20_000 });
    if (r.error) throw r.error;
    return r.status === 0;
  });
}

describe('files written by mqtts-lab passwd', () => {
  test('are edited by mosquitto_passwd and accepted by the Mosquitto broker', async (t) => {
    const file = join(dir(t), 'passwd');
    const steps: (readonly string[])[] = [
      ['-c', '-b', file, 'alice', secret('alice-old')],
      ['-b', file, 'bob', secret('bob-pw')],
      ['-H', 'sha512', '-b', file, 'carol', secret('carol-pw')],
      ['-I', '1000', '-b', file, 'dave', secret('dave-pw')],
      ['-b', file, 'alice', secret('alice-new')],
      ['-D', file, 'bob'],
    ];
    for (const args of steps) {
      const r = await ours(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const ourTable = table(file);
    assert.deepEqual([...ourTable.keys()], ['alice', 'carol', 'dave'], 'alice updated in place');
    assert.equal(ourTable.get('carol')!.kind, 'sha512');
    assert.equal(ourTable.get('dave')!.iterations, 1000);

    // mosquitto_passwd refuses a line it cannot split ("Corrupt password file"): these succeed.
    const ourText = readFileSync(file, 'utf8');
    assert.equal(theirs(['-b', file, 'erin', secret('erin-pw')]).code, 0);
    assert.ok(readFileSync(file, 'utf8').startsWith(ourText), 'mosquitto_passwd kept our lines');
    assert.equal(theirs(['-D', file, 'carol']).code, 0);
    assert.equal(theirs(['-D', file, 'carol']).code, 1, 'carol was found, and is gone');

    const accepted = await brokerAccepts(t, file, [
      ['alice', 'alice-new'],
      ['alice', 'alice-old'],
      ['bob', 'bob-pw'],
      ['dave', 'dave-pw'],
      ['erin', 'erin-pw'],
    ]);
    assert.deepEqual(accepted, [true, false, false, true, true]);
  });

  test('$6$ (-H sha512) and -I lines are accepted by the broker', async (t) => {
    const file = join(dir(t), 'passwd');
    assert.equal((await ours(['-c', '-H', 'sha512', '-b', file, 'six', secret('six-pw')])).code, 0);
    assert.equal((await ours(['-I', '5', '-b', file, 'five', secret('five-pw')])).code, 0);
    assert.match(readFileSync(file, 'utf8'), /^six:\$6\$[^$]+\$[^$]+\nfive:\$7\$5\$/);
    assert.deepEqual(
      await brokerAccepts(t, file, [
        ['six', 'six-pw'],
        ['five', 'five-pw'],
        ['five', 'six-pw'],
      ]),
      [true, true, false],
    );
  });
});

describe('files written by mosquitto_passwd', () => {
  test('are edited by mqtts-lab passwd, other lines byte for byte, and verify with our code', async (t) => {
    const file = join(dir(t), 'passwd');
    assert.equal(theirs(['-c', '-b', file, 'alice', secret('alice-pw')]).code, 0);
    assert.equal(theirs(['-H', 'sha512', '-b', file, 'carol', secret('carol-pw')]).code, 0);
    assert.equal(theirs(['-I', '500', '-b', file, 'dave', secret('dave-old')]).code, 0);
    const [alice, carol] = readFileSync(file, 'utf8').split('\n');

    assert.equal((await ours(['-b', file, 'erin', secret('erin-pw')])).code, 0);
    assert.equal((await ours(['-D', file, 'carol'])).code, 0);
    const prompted = await ours([file, 'dave'], `${secret('dave-new')}\n${'dave-new'}\n`);
    assert.equal(prompted.code, 0, prompted.stderr);

    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines[0], alice, "mosquitto_passwd's line is kept as it was");
    assert.ok(!lines.includes(carol!));
    const result = table(file);
    assert.deepEqual([...result.keys()], ['alice', 'dave', 'erin']);
    assert.ok(logsIn(result, 'alice', 'alice-pw') && !logsIn(result, 'alice', 'alice-pW'));
    assert.ok(logsIn(result, 'dave', 'dave-new') && !logsIn(result, 'dave', 'dave-old'));
    assert.equal(result.get('dave')!.iterations, 101, '-I is not sticky: a new hash uses the default');
    assert.ok(logsIn(result, 'erin', 'erin-pw'));
    assert.equal(theirs(['-D', file, 'erin']).code, 0);
    assert.deepEqual(await brokerAccepts(t, file, [['dave', 'dave-new']]), [true]);
  });
});

describe('the two prompts', () => {
  test('from standard input when it is not a terminal: same prompts, same password as mosquitto_passwd', async (t) => {
    const d = dir(t);
    // fgets() then trailing CR/LF removed, up to a NUL: the same password both ways.
    const input = `${secret('pipe-pw')}\r\npipe-pw\r\n`;
    const mine = await ours(['-c', join(d, 'ours'), 'u'], input);
    const mosq = theirs(['-c', join(d, 'theirs'), 'u'], input);
    assert.equal(mine.code, 0, mine.stderr);
    assert.equal(mosq.code, 0);
    assert.equal(mine.stdout, mosq.stdout);
    assert.equal(mine.stdout, 'Password: \nReenter password: \n');
    assert.ok(logsIn(table(join(d, 'ours')), 'u', 'pipe-pw'));
    assert.ok(logsIn(table(join(d, 'theirs')), 'u', 'pipe-pw'));
  });

  test('on a terminal (script(1) gives it one): nothing typed is echoed', async (t) => {
    requireTool(SCRIPT);
    const d = dir(t);
    const file = join(d, 'passwd');
    const command = `cd '${ROOT}' && '${process.execPath}' --import tsx src/cli/main.ts passwd -c '${file}' tty`;
    const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], { stdio: 'pipe' });
    t.after(() => void child.kill('SIGKILL'));
    let output = '';
    const prompt = (text: string) =>
      withTimeout(
        new Promise<void>((resolve) => {
          const check = () => output.includes(text) && (child.stdout.off('data', check), resolve());
          child.stdout.on('data', check);
          check();
        }),
        20_000,
        `the prompt "${text}"`,
      );
    child.stdout.setEncoding('utf8').on('data', (s: string) => void (output += s));
    await prompt('Password: ');
    child.stdin.write(`${secret('tty-pw')}\r`);
    await prompt('Reenter password: ');
    child.stdin.write('tty-pw\r');
    const code = await withTimeout(
      new Promise<number | null>((resolve) => child.once('close', resolve)),
      20_000,
      'the command to end',
    );
    assert.equal(code, 0, output);
    assert.equal(output.replace(/\r/g, ''), 'Password: \nReenter password: \n');
    assert.ok(logsIn(table(file), 'tty', 'tty-pw'));
  });
});

describe('-U', () => {
  test('hashes a plain-text file as mosquitto_passwd -U does (names and passwords trimmed)', async (t) => {
    const d = dir(t);
    const plain = `u1:${secret('first password')}\n  u2 : ${secret('second')} \n`;
    const [mine, mosq] = [join(d, 'ours'), join(d, 'theirs')];
    writeFileSync(mine, plain);
    writeFileSync(mosq, plain);
    assert.equal((await ours(['-U', mine])).code, 0);
    assert.equal(theirs(['-U', mosq]).code, 0);
    for (const f of [mine, mosq]) {
      const result = table(f);
      assert.ok(logsIn(result, 'u1', 'first password') && logsIn(result, 'u2', 'second'), f);
    }
    assert.equal(statSync(mine).mode & 0o777, 0o600);
    assert.deepEqual(
      await brokerAccepts(t, mine, [
        ['u1', 'first password'],
        ['u2', 'second'],
      ]),
      [true, true],
    );
  });

  test('refuses a file that is already hashed (mosquitto_passwd would hash the hashes)', async (t) => {
    const d = dir(t);
    const file = join(d, 'passwd');
    assert.equal((await ours(['-c', '-b', file, 'alice', secret('hashed-pw')])).code, 0);
    const before = readFileSync(file);
    const r = await ours(['-U', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^mqtts-lab: ERR_BROKER_PASSWORD_FILE: .*:1: /m);
    assert.deepEqual(readFileSync(file), before);
    const copy = join(d, 'copy');
    writeFileSync(copy, before);
    assert.equal(theirs(['-U', copy]).code, 0);
    assert.ok(!logsIn(table(copy), 'alice', 'hashed-pw'), 'what -U does to a hashed file');
  });
});

interface ErrorCase {
  readonly name: string;
  /** The file before the run; none: absent. FILE in args stands for its path. */
  readonly file?: string;
  readonly args: readonly string[];
  readonly input?: string;
  readonly status: number;
  /** What our first stderr line starts with. */
  readonly ours: RegExp;
}

const GOOD =
  'alice:$7$101$082OU+4ZO1gKOW/g$PGhryxmwomR78SoLABln60zEj+oFTAtQhNKWvkrMJUl/p8VicaxGmqjPEiAEsO3FCm+9p3o4Hoc0lmav8g8ZFw==\n';
const ERROR_CASES: readonly ErrorCase[] = [
  { name: 'no file without -c', args: ['-b', 'FILE', 'u', 'pw'], status: 1, ours: /ERR_FS_NOT_FOUND/ },
  {
    name: 'no file, interactive',
    args: ['FILE', 'u'],
    input: 'pw\npw\n',
    status: 1,
    ours: /ERR_FS_NOT_FOUND/,
  },
  {
    name: 'user not in the file (-D)',
    file: GOOD,
    args: ['-D', 'FILE', 'bob'],
    status: 1,
    ours: /warning: User bob not found/,
  },
  {
    name: "username with ':'",
    file: GOOD,
    args: ['-b', 'FILE', 'a:b', 'pw'],
    status: 1,
    ours: /ERR_OPTIONS_INVALID: Username must not contain the ':'/,
  },
  {
    name: "username with ':', -c",
    file: GOOD,
    args: ['-c', 'FILE', 'a:b'],
    input: 'pw\npw\n',
    status: 1,
    ours: /ERR_OPTIONS_INVALID/,
  },
  {
    name: 'username with a control character',
    file: GOOD,
    args: ['-b', 'FILE', 'a\tb', 'pw'],
    status: 1,
    ours: /ERR_OPTIONS_INVALID/,
  },
  {
    name: 'passwords that do not match',
    file: GOOD,
    args: ['FILE', 'bob'],
    input: 'one-pw\ntwo-pw\n',
    status: 2,
    ours: /ERR_OPTIONS_INVALID: Passwords do not match/,
  },
  {
    name: 'passwords that do not match, -c',
    file: GOOD,
    args: ['-c', 'FILE', 'bob'],
    input: 'one-pw\ntwo-pw\n',
    status: 2,
    ours: /ERR_OPTIONS_INVALID/,
  },
  {
    name: 'empty password',
    file: GOOD,
    args: ['FILE', 'bob'],
    input: '\n\n',
    status: 1,
    ours: /ERR_OPTIONS_INVALID: Empty password/,
  },
  {
    name: 'input ends before the second prompt',
    file: GOOD,
    args: ['FILE', 'bob'],
    input: 'one-pw\n',
    status: 1,
    ours: /ERR_OPTIONS_INVALID: Empty password/,
  },
  {
    name: '-c with -D',
    file: GOOD,
    args: ['-c', '-D', 'FILE', 'alice'],
    status: 1,
    ours: /ERR_CLI_USAGE: -c and -D/,
  },
  { name: '-c with -U', file: GOOD, args: ['-c', '-U', 'FILE'], status: 1, ours: /ERR_CLI_USAGE: -c and -U/ },
  { name: '-D with -U', file: GOOD, args: ['-D', '-U', 'FILE'], status: 1, ours: /ERR_CLI_USAGE: -D and -U/ },
  {
    name: '-b with -D',
    file: GOOD,
    args: ['-b', '-D', 'FILE', 'alice'],
    status: 1,
    ours: /ERR_CLI_USAGE: -b and -D/,
  },
  {
    name: 'unknown hash',
    file: GOOD,
    args: ['-H', 'md5', '-b', 'FILE', 'u', 'pw'],
    status: 1,
    ours: /ERR_CLI_USAGE: Unknown hash type 'md5'/,
  },
  { name: '-H without a value', args: ['-H'], status: 1, ours: /ERR_CLI_USAGE: -H argument given/ },
  {
    name: '-I 0',
    file: GOOD,
    args: ['-I', '0', '-b', 'FILE', 'u', 'pw'],
    status: 1,
    ours: /ERR_CLI_USAGE: Number of iterations/,
  },
  { name: '-I without a value', args: ['-I'], status: 1, ours: /ERR_CLI_USAGE: -I argument given/ },
  { name: 'file but no username', file: GOOD, args: ['FILE'], status: 1, ours: /ERR_CLI_USAGE/ },
  { name: 'no arguments', args: [], status: 1, ours: /ERR_CLI_USAGE/ },
  {
    name: '-c -b without a password',
    file: GOOD,
    args: ['-c', '-b', 'FILE', 'u'],
    status: 1,
    ours: /ERR_CLI_USAGE: -c argument given/,
  },
  { name: '-U without a file', args: ['-U'], status: 1, ours: /ERR_CLI_USAGE: -U argument given/ },
  {
    name: 'malformed line (-D)',
    file: `${GOOD}bob\n`,
    args: ['-D', 'FILE', 'alice'],
    status: 1,
    ours: /ERR_BROKER_PASSWORD_FILE: .*:2: /,
  },
  {
    name: 'malformed line (-U)',
    file: 'u1:pw\n\nu2\n',
    args: ['-U', 'FILE'],
    status: 1,
    ours: /ERR_BROKER_PASSWORD_FILE: .*:3: /,
  },
];

describe('errors: the exit status of mosquitto_passwd, the file untouched', () => {
  for (const c of ERROR_CASES) {
    test(`${c.name} → ${c.status}`, async (t) => {
      const d = dir(t);
      const results: Ran[] = [];
      for (const who of ['ours', 'theirs'] as const) {
        const file = join(d, who);
        if (c.file !== undefined) writeFileSync(file, c.file);
        const args = c.args.map((a) => (a === 'FILE' ? file : a));
        const r = who === 'ours' ? await ours(args, c.input ?? '') : theirs(args, c.input);
        results.push(r);
        if (c.file !== undefined) assert.equal(readFileSync(file, 'utf8'), c.file, `${who}: file changed`);
        else assert.throws(() => statSync(file), `${who}: file created`);
      }
      const [mine, mosq] = results as [Ran, Ran];
      assert.equal(mosq.code, c.status, `mosquitto_passwd: ${mosq.stderr}`);
      assert.equal(mine.code, c.status, mine.stderr);
      assert.match(mine.stderr, new RegExp(`^mqtts-lab: (warning: )?${c.ours.source}`, 'm'));
    });
  }

  test('a malformed file is refused before the prompt (mosquitto_passwd -b truncates it at that line)', async (t) => {
    const d = dir(t);
    const text = `${GOOD}bob\ncarol:$6$${'A'.repeat(16)}$${'B'.repeat(86)}==\n`;
    const [mine, mosq] = [join(d, 'ours'), join(d, 'theirs')];
    writeFileSync(mine, text);
    writeFileSync(mosq, text);
    for (const args of [
      ['-b', mine, 'dave', secret('dave-pw')],
      [mine, 'dave'],
    ]) {
      const r = await ours(args, 'dave-pw\ndave-pw\n');
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '', 'no prompt');
      assert.match(r.stderr, /^mqtts-lab: ERR_BROKER_PASSWORD_FILE: .*ours:2: /m);
      assert.deepEqual(readFileSync(mine), Buffer.from(text), 'byte for byte');
    }
    const r = theirs(['-b', mosq, 'dave', 'dave-pw']);
    assert.equal(r.code, 0);
    assert.ok(!readFileSync(mosq, 'utf8').includes('carol'), 'what mosquitto_passwd does instead');
  });
});

describe('safety', () => {
  test('-b warns on stderr that the password is on the command line', async (t) => {
    const r = await ours(['-c', '-b', join(dir(t), 'passwd'), 'u', secret('warned-pw')]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^mqtts-lab: warning: -b puts the password on the command line/);
  });

  test('a 0644 file is rewritten 0600 with a warning; a symbolic link stays a link', async (t) => {
    const d = dir(t);
    const target = join(d, 'real');
    const link = join(d, 'link');
    writeFileSync(target, GOOD, { mode: 0o644 });
    chmodSync(target, 0o644);
    symlinkSync(target, link);
    const r = await ours(['-b', link, 'bob', secret('bob-pw')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*mode 0644 is now 0600/);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.ok(readFileSync(target, 'utf8').startsWith(GOOD));
    assert.ok(logsIn(table(target), 'bob', 'bob-pw'));
  });

  test('an unquoted password with a blank is refused (mosquitto_passwd -c -b keeps its first word)', async (t) => {
    const d = dir(t);
    const r = await ours(['-c', '-b', join(d, 'ours'), 'u', 'two', 'words']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^mqtts-lab: ERR_CLI_USAGE: too many arguments/m);
    assert.throws(() => statSync(join(d, 'ours')));
    assert.equal(theirs(['-c', '-b', join(d, 'theirs'), 'u', 'two', 'words']).code, 0);
    assert.ok(logsIn(table(join(d, 'theirs')), 'u', 'two'));
  });

  test('run as root, an edited file keeps its owner and group', async (t) => {
    if (process.getuid?.() !== 0) return;
    const file = join(dir(t), 'passwd');
    writeFileSync(file, GOOD, { mode: 0o600 });
    chownSync(file, 4242, 4343);
    assert.equal((await ours(['-b', file, 'bob', secret('owned-pw')])).code, 0);
    const st = statSync(file);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [4242, 4343, 0o600]);
  });

  test('-c replaces an existing file, even a malformed one', async (t) => {
    const file = join(dir(t), 'passwd');
    writeFileSync(file, 'not a password file\n');
    assert.equal((await ours(['-c', '-b', file, 'u', secret('new-pw')])).code, 0);
    assert.deepEqual([...table(file).keys()], ['u']);
  });

  test('--help shows the three forms and examples', async () => {
    const r = await ours(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /-b passwordfile username password/);
    assert.match(r.stdout, /Examples:\n {2}\$ mqtts-lab passwd -c /);
  });
});
