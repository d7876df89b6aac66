import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { loadMosquittoConf, mosquittoOrder } from './load.js';
import { parseMosquittoConf } from './parse.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'mqtts-conf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

describe('include_dir', () => {
  test("files load in Mosquitto's order: case-insensitive, upper before lower", () => {
    const names = ['b.conf', 'A.conf', '01.conf', 'a.conf', 'B.conf', '00.conf', '_x.conf', 'Z.conf'];
    assert.deepEqual(names.sort(mosquittoOrder), [
      '00.conf',
      '01.conf',
      'A.conf',
      'a.conf',
      'B.conf',
      'b.conf',
      'Z.conf',
      '_x.conf',
    ]);
  });

  test('relative to the base directory; only *.conf; each file restarts on the default listener', async (t) => {
    const dir = tempDir(t);
    write(dir, {
      'mosquitto.conf': 'listener 18000\ninclude_dir conf.d\nallow_anonymous true\n',
      'conf.d/b.conf': 'listener 18002\n',
      'conf.d/A.conf': 'listener 18001\n',
      'conf.d/notes.txt': 'listener 18009\n',
      'conf.d/.conf': 'listener 18008\n',
      // At the top of an included file, listener options go to the default listener (1883).
      'conf.d/c.conf': 'socket_domain ipv4\ninclude_dir elsewhere\n',
    });
    const c = await loadMosquittoConf('mosquitto.conf', { baseDir: dir });
    assert.deepEqual(
      c.listeners.map((l) => [l.port, l.origin, l.where?.file.slice(dir.length)]),
      [
        [18000, 'listener', '/mosquitto.conf'],
        [18001, 'listener', '/conf.d/A.conf'],
        [18002, 'listener', '/conf.d/b.conf'],
        [1883, 'default', undefined],
      ],
    );
    assert.equal(c.security.allowAnonymous, true);
    assert.match(c.warnings.join('\n'), /c\.conf:2: include_dir in an included file is ignored/);
  });

  test('a missing include_dir is an error at its line; a missing file is ERR_FS_NOT_FOUND', async (t) => {
    const dir = tempDir(t);
    write(dir, { 'm.conf': 'listener 1883\ninclude_dir nope.d\n' });
    await assert.rejects(
      loadMosquittoConf(join(dir, 'm.conf')),
      (e) => isLabError(e, 'ERR_BROKER_CONFIG_INVALID') && e.details.line === 2,
    );
    await assert.rejects(loadMosquittoConf(join(dir, 'absent.conf')), (e) =>
      isLabError(e, 'ERR_FS_NOT_FOUND'),
    );
  });

  test('parseMosquittoConf without file access refuses include_dir', () => {
    assert.throws(
      () => parseMosquittoConf('include_dir /etc/mosquitto/conf.d\n', { file: 'm', baseDir: '/' }),
      (e) => isLabError(e, 'ERR_BROKER_CONFIG_INVALID') && /loadMosquittoConf/.test(e.message),
    );
  });
});

/**
 * The real broker as the oracle for the syntax rules: each configuration is refused by
 * Mosquitto 2.0.11 (it exits before listening) and by us. Refusals Mosquitto does not make
 * (TLS cross-checks) are covered in checks.test.ts.
 */
describe('Mosquitto 2.0.11 refuses what we refuse', () => {
  const mosquitto = '/usr/sbin/mosquitto';
  const cases: Readonly<Record<string, string>> = {
    'indented comment': 'listener 18831 127.0.0.1\n  # comment\n',
    'tab separator': 'listener\t18831\n',
    'True is not a boolean': 'listener 18831 127.0.0.1\nallow_anonymous True\n',
    'per_listener_settings after a security option': 'allow_anonymous true\nper_listener_settings true\n',
    'duplicate cafile': 'listener 18831 127.0.0.1\ncafile /a\ncafile /b\n',
    'mount_point before a listener': 'mount_point lab/\nlistener 18831 127.0.0.1\n',
    'port out of range': 'listener 70000\n',
    'max_keepalive below 10': 'max_keepalive 5\nlistener 18831 127.0.0.1\n',
    'unknown option': 'listener 18831 127.0.0.1\nallow_anonymus true\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    test(name, (t) => {
      if (!existsSync(mosquitto)) {
        throw new Error(
          `${mosquitto} is not installed: install the Debian package mosquitto (scripts/setup-system.sh)`,
        );
      }
      const file = join(tempDir(t), 'm.conf');
      writeFileSync(file, text);
      const r = spawnSync(mosquitto, ['-c', file], { encoding: 'utf8', timeout: 5000 });
      assert.equal(r.status, 3, `mosquitto should refuse it: ${r.stderr}`);
      assert.throws(
        () => parseMosquittoConf(text, { file, baseDir: '/' }),
        (e) => isLabError(e),
      );
    });
  }
});
