import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { connect } from 'node:net';
import { freePort, start } from '../../test/helpers/process.js';
import { isLabError } from '../core/errors.js';
import { SeededRng } from '../core/rng.js';
import {
  decodePasswordFile,
  deletePasswordUser,
  hashPassword,
  hashPlainPasswordFile,
  parsePasswordFile,
  type PasswordFileProblem,
  passwordLine,
  setPasswordUser,
  usernameProblem,
  verifyPassword,
} from './password-file.js';

const ok = (table: ReturnType<typeof parsePasswordFile>, user: string, password: string): boolean =>
  verifyPassword(table.get(user)!, Buffer.from(password));

/** The oracle must exist: a missing tool fails the suite, it never skips it. */
function tool(name: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    `${name} is not installed: install the Debian packages mosquitto and mosquitto-clients ` +
      '(bash scripts/setup-system.sh) to run the Mosquitto compatibility tests',
  );
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'mqtts-pw-'));
  // Mosquitto started as root drops to the `mosquitto` user, which must read the files.
  chmodSync(dir, 0o755);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function run(command: string, args: readonly string[]): { status: number; output: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}

async function listening(port: number, exited: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (exited() || Date.now() > deadline) throw new Error(`mosquitto is not listening on ${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => resolve(true)).once('error', () => resolve(false));
    s.once('connect', () => s.destroy());
  });
}

describe('our hashes', () => {
  const rng = new SeededRng('password-file.test');

  test('round trip: $7$ (default, 101 iterations) and $6$', () => {
    const text = [
      passwordLine('alice', 'secret', { rng }),
      passwordLine('carol', 'pass6', { rng, kind: 'sha512' }),
      passwordLine('dave', 'slow', { rng, iterations: 1000 }),
    ].join('\n');
    assert.match(text, /^alice:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/m);
    const table = parsePasswordFile(text, 'pw');
    assert.ok(ok(table, 'alice', 'secret'));
    assert.ok(!ok(table, 'alice', 'Secret'));
    assert.ok(ok(table, 'carol', 'pass6'));
    assert.equal(table.get('dave')!.iterations, 1000);
    assert.ok(ok(table, 'dave', 'slow'));
  });

  test('Mosquitto hashes a C string: an empty password never matches, NUL ends it', () => {
    const table = parsePasswordFile(passwordLine('alice', 'secret', { rng }), 'pw');
    const alice = table.get('alice')!;
    assert.ok(!verifyPassword(alice, undefined));
    assert.ok(!verifyPassword(alice, Buffer.alloc(0)));
    assert.ok(verifyPassword(alice, Buffer.from('secret\0anything')));
  });

  test('hashPassword refuses what could never authenticate', () => {
    assert.throws(() => hashPassword(''), RangeError);
    assert.throws(() => hashPassword('a\0b'), RangeError);
    assert.throws(() => hashPassword('x', { salt: new Uint8Array(16) }), RangeError);
    assert.throws(() => hashPassword('x', { iterations: 0 }), RangeError);
    assert.throws(() => passwordLine('a:b', 'x'), RangeError);
  });
});

describe('strict parsing (default)', () => {
  const good = passwordLine('alice', 'secret', { rng: new SeededRng('s') });
  const hash = good.slice('alice:'.length);
  const cases: readonly [string, string, number][] = [
    ['no colon', `# users\n${good}\nbob\n`, 3],
    ['no hash', `bob:\n`, 1],
    ['plaintext', 'bob:hello\n', 1],
    ['unknown type', `bob:${hash.replace('$7$', '$5$')}\n`, 1],
    ['salt of 16 bytes', `bob:$7$101$${Buffer.alloc(16).toString('base64')}$${hash.split('$')[4]}\n`, 1],
    ['hash without padding', `bob:${hash.replace(/==$/, '')}\n`, 1],
    ['iterations not a number', `bob:${hash.replace('$101$', '$10x$')}\n`, 1],
    ['iterations above the limit', `bob:${hash.replace('$101$', '$5000000$')}\n`, 1],
    ['duplicate user', `${good}\n${good}\n`, 2],
    ['blanks around the user', ` alice :${hash}\n`, 1],
    ['extra field', `${good}:more\n`, 1],
  ];
  for (const [name, text, line] of cases) {
    test(`${name} → ERR_BROKER_PASSWORD_FILE at line ${line}`, () => {
      assert.throws(
        () => parsePasswordFile(text, 'users.pw'),
        (err) => isLabError(err, 'ERR_BROKER_PASSWORD_FILE') && err.details.line === line,
      );
    });
  }
  test('comments, blank lines and CRLF are fine; the password never appears in errors', () => {
    const table = parsePasswordFile(`# a comment\n\n${good}\r\n`, 'pw');
    assert.ok(ok(table, 'alice', 'secret'));
    assert.throws(
      () => parsePasswordFile('bob:hunter2\n', 'pw'),
      (err: Error) => !err.message.includes('hunter2'),
    );
  });
});

describe('lenient parsing reproduces Mosquitto 2.0.11 (each line was run against it)', () => {
  const rng = new SeededRng('lenient');
  const h = (pw: string) => hashPassword(pw, { rng });
  const text = [
    'nocolon',
    `dup:${h('p1')}`,
    `dup:${h('p2')}`,
    `  spaced  :${h('p1')}`,
    'plain:hello',
    `nodollar:${h('p1').slice(1)}`,
    `iters:${h('p5').replace('$101$', '$101abc$')}`,
    `trail:${h('p1')}:extra:more`,
    `:${h('p1')}`,
    'emptyhash:',
    '',
  ].join('\n');
  const problems: PasswordFileProblem[] = [];
  const table = parsePasswordFile(text, 'pwx', { lenient: true, onProblem: (p) => problems.push(p) });

  test('who can log in', () => {
    assert.ok(ok(table, 'dup', 'p2') && !ok(table, 'dup', 'p1'), 'the last line of a duplicate wins');
    assert.ok(ok(table, 'spaced', 'p1'), 'user names are trimmed');
    assert.ok(ok(table, 'nodollar', 'p1'), 'the leading $ is optional (strtok)');
    assert.ok(ok(table, 'iters', 'p5'), 'iterations are read with atoi');
    assert.ok(ok(table, 'trail', 'p1'), 'fields after the hash are ignored');
    assert.deepEqual([...table.keys()].sort(), ['dup', 'iters', 'nodollar', 'spaced', 'trail']);
  });

  test("Mosquitto's messages, on the right lines", () => {
    assert.deepEqual(
      problems.map((p) => `${p.line} ${p.message.replace(/\$7\$.*/, '…')}`),
      [
        '5 Error: Invalid password hash type for user plain, removing entry.',
        "9 Warning: Invalid line in password file 'pwx': :…",
        '10 Error: Invalid password hash for user emptyhash, removing entry.',
      ],
    );
  });
});

describe('editing a file as mosquitto_passwd does', () => {
  const rng = new SeededRng('edits');
  const alice = passwordLine('alice', 'a-pw', { rng });
  const bob = passwordLine('bob', 'b-pw', { rng });
  const badLine = (line: number) => (err: unknown) =>
    isLabError(err, 'ERR_BROKER_PASSWORD_FILE') && err.details.line === line;

  test('a new user is appended; comments, blank lines and other users stay byte for byte', () => {
    const before = `# lab users\n${alice}\n\n${bob}\n`;
    const r = setPasswordUser(before, 'pw', 'carol', 'c-pw', { rng });
    assert.equal(r.added, true);
    assert.ok(r.text.startsWith(before));
    assert.match(r.text.slice(before.length), /^carol:\$7\$101\$[^\n]+\n$/);
    assert.ok(ok(parsePasswordFile(r.text, 'pw'), 'carol', 'c-pw'));
  });

  test('an existing user is replaced where it stands, with -H and -I honoured', () => {
    const r = setPasswordUser(`${alice}\n${bob}\n`, 'pw', 'alice', 'new', { rng, iterations: 500 });
    assert.equal(r.added, false);
    const lines = r.text.split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[1], bob);
    const table = parsePasswordFile(r.text, 'pw');
    assert.equal(table.get('alice')!.line, 1);
    assert.equal(table.get('alice')!.iterations, 500);
    assert.ok(ok(table, 'alice', 'new') && !ok(table, 'alice', 'a-pw'));
    const six = setPasswordUser(r.text, 'pw', 'bob', 'six', { rng, kind: 'sha512' }).text;
    assert.equal(parsePasswordFile(six, 'pw').get('bob')!.kind, 'sha512');
  });

  test('a CRLF line keeps its CR; a last line without newline gets one before the new user', () => {
    const crlf = setPasswordUser(`${alice}\r\n${bob}\r\n`, 'pw', 'alice', 'x', { rng }).text;
    assert.match(crlf, /^alice:[^\r\n]+\r\nbob:/);
    const appended = setPasswordUser(alice, 'pw', 'bob', 'x', { rng }).text;
    assert.match(appended, /^alice:[^\n]+\nbob:[^\n]+\n$/);
    assert.match(setPasswordUser('', 'pw', 'bob', 'x', { rng }).text, /^bob:[^\n]+\n$/);
  });

  test('delete removes one line and nothing else; an absent user is undefined', () => {
    assert.equal(deletePasswordUser(`# c\n${alice}\n${bob}\n`, 'pw', 'alice'), `# c\n${bob}\n`);
    assert.equal(deletePasswordUser(`${alice}\n${bob}`, 'pw', 'bob'), alice);
    assert.equal(deletePasswordUser(`${alice}\n`, 'pw', 'nobody'), undefined);
  });

  test('a malformed file is refused before any change, naming the line', () => {
    const text = `${alice}\nbob:plaintext\n`;
    assert.throws(() => setPasswordUser(text, 'pw', 'carol', 'x', { rng }), badLine(2));
    assert.throws(() => deletePasswordUser(text, 'pw', 'alice'), badLine(2));
  });

  test('usernames: mosquitto_passwd rules, plus no empty name and no blanks around it', () => {
    assert.equal(usernameProblem('m5go-01'), undefined);
    assert.equal(usernameProblem('élève'), undefined);
    assert.equal(usernameProblem('a:b'), "Username must not contain the ':' character.");
    assert.equal(usernameProblem('a\tb'), 'Username must not contain control characters.');
    assert.equal(usernameProblem('x'.repeat(65536)), 'Username must be less than 65536 characters long.');
    assert.ok(usernameProblem('') !== undefined && usernameProblem(' bob') !== undefined);
  });

  test('non-UTF-8 bytes are refused with their line, since other lines are written back as read', () => {
    const bytes = Buffer.concat([Buffer.from(`${alice}\nb`), Buffer.from([0xff]), Buffer.from('b:x\n')]);
    assert.throws(() => decodePasswordFile(bytes, 'pw'), badLine(2));
    assert.equal(decodePasswordFile(Buffer.from(`\ufeff${alice}`), 'pw'), `\ufeff${alice}`);
  });
});

describe('-U: hashing a plain-text file', () => {
  const rng = new SeededRng('upgrade');

  test('names and passwords are trimmed as mosquitto_passwd reads them; comments stay', () => {
    const out = hashPlainPasswordFile('# plain\nu1:first password\n  u2 : second \r\n\n', 'pw', { rng });
    const lines = out.split('\n');
    assert.equal(lines[0], '# plain');
    assert.match(lines[2]!, /\r$/);
    assert.equal(lines[3], '');
    const table = parsePasswordFile(out, 'pw');
    assert.ok(ok(table, 'u1', 'first password') && ok(table, 'u2', 'second'));
    const six = hashPlainPasswordFile('u:p\n', 'pw', { rng, kind: 'sha512' });
    assert.equal(parsePasswordFile(six, 'pw').get('u')!.kind, 'sha512');
  });

  const refused: readonly [string, string, number][] = [
    ['a password containing ":"', 'u1:ok\nu2:pa:ss\n', 2],
    ['a line without ":"', 'u1\n', 1],
    ['an empty password', 'u1:ok\nu2:  \n', 2],
    ['an empty name', ':pw\n', 1],
    ['a user listed twice', 'u1:a\nu1:b\n', 2],
    ['a line already hashed', `u1:x\n${passwordLine('u2', 'p', { rng })}\n`, 2],
  ];
  for (const [name, text, line] of refused) {
    test(`${name} → ERR_BROKER_PASSWORD_FILE at line ${line}, password not in the message`, () => {
      assert.throws(
        () => hashPlainPasswordFile(text, 'pw', { rng }),
        (err) =>
          isLabError(err, 'ERR_BROKER_PASSWORD_FILE') &&
          err.details.line === line &&
          !/pa:ss|\$7\$/.test(err.message),
      );
    });
  }
});

describe('compatibility with the real mosquitto_passwd and broker', () => {
  test('files written by mosquitto_passwd verify with our code', (t) => {
    const passwd = tool('mosquitto_passwd');
    const dir = tempDir(t);
    const file = join(dir, 'pw');
    assert.equal(run(passwd, ['-c', '-b', file, 'alice', 'secret']).status, 0);
    assert.equal(run(passwd, ['-H', 'sha512', '-b', file, 'carol', 'pass6']).status, 0);
    const table = parsePasswordFile(readFileSync(file, 'utf8'), file);
    assert.equal(table.get('alice')!.kind, 'sha512-pbkdf2');
    assert.equal(table.get('alice')!.iterations, 101);
    assert.ok(ok(table, 'alice', 'secret') && !ok(table, 'alice', 'secreT'));
    assert.equal(table.get('carol')!.kind, 'sha512');
    assert.ok(ok(table, 'carol', 'pass6'));
  });

  test('mosquitto_passwd -U hashes a plaintext file we can then verify', (t) => {
    const passwd = tool('mosquitto_passwd');
    const file = join(tempDir(t), 'plain');
    writeFileSync(file, 'u1:first password\nu2:second\n');
    assert.equal(run(passwd, ['-U', file]).status, 0);
    const table = parsePasswordFile(readFileSync(file, 'utf8'), file);
    assert.ok(
      ok(table, 'u1', 'first password') && ok(table, 'u2', 'second') && !ok(table, 'u2', 'first password'),
    );
  });

  test('Mosquitto accepts the lines we write (mosquitto + mosquitto_pub -u -P)', async (t) => {
    const [mosquitto, pub] = [tool('mosquitto'), tool('mosquitto_pub')];
    const dir = tempDir(t);
    const rng = new SeededRng('broker-check');
    const pw = join(dir, 'pw');
    writeFileSync(
      pw,
      `${passwordLine('alice', 'secret', { rng })}\n${passwordLine('carol', 'x6', { rng, kind: 'sha512' })}\n`,
      {
        mode: 0o644,
      },
    );
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\npassword_file ${pw}\n`);
    const broker = start(t, dir, ['-c', conf], mosquitto);
    await listening(port, () => broker.child.exitCode !== null, broker.stderr);
    const publish = (user: string, password: string) =>
      run(pub, ['-h', '127.0.0.1', '-p', String(port), '-u', user, '-P', password, '-t', 't', '-m', 'x']);
    assert.equal(publish('alice', 'secret').status, 0, 'alice/secret');
    assert.equal(publish('carol', 'x6').status, 0, 'carol/x6 ($6$)');
    const refused = publish('alice', 'wrong');
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /not authori[sz]ed/i);
  });
});
