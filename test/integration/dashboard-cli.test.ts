import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { raw } from '../browser/dashboard-rig.js';

test('dashboard --host beyond loopback without --allow-remote: coded refusal, nothing started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-dash-cli-'));
  try {
    for (const args of [
      ['dashboard', '--host', '0.0.0.0', '--out', dir],
      ['lab', 'run', '--ui', '--host', '192.0.2.1', '--out', dir],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, /ERR_WEB_REMOTE_BIND/);
    }
    const port = await cli(['dashboard', '--port', '70000', '--out', dir]);
    assert.equal(port.code, 1);
    assert.match(port.stderr, /ERR_OPTIONS_INVALID: --port/);
    const missing = await cli([
      'dashboard',
      '--port',
      '0',
      '--out',
      dir,
      '--capture',
      join(dir, 'none.pcap'),
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ERR_FS_NOT_FOUND: .*none\.pcap/);
    const lone = await cli(['dashboard', '--port', '0', '--out', dir, '--keylog', 'x.keys']);
    assert.equal(lone.code, 2);
    assert.match(lone.stderr, /ERR_CLI_USAGE: --keylog FILE follows the --capture FILE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'mqtts-lab dashboard prints its loopback URL, serves the API, stops on SIGTERM',
  { timeout: 90_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-dash-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, 'not a capture');
    const child = spawn(
      process.execPath,
      [
        'bin/mqtts-lab.js',
        'dashboard',
        '--step',
        '2',
        '--port',
        '0',
        '--out',
        dir,
        '--capture',
        'test/golden/wire/mosquitto-pub-tls13.pcap',
        '--keylog',
        'test/golden/wire/mosquitto-pub-tls13.keys',
        '--capture',
        bad,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('close', () => reject(new Error(`exited early: ${out}${err}`)));
    });
    const port = Number(new URL(url).port);
    const state = (await raw(port, 'GET', '/api/state')).json<{ step: number; up: boolean }>();
    assert.deepEqual([state.step, state.up], [2, true]);
    // The malformed --capture was printed with the reader's code, and the page gets the same.
    assert.match(err, /--capture .*bad\.pcap: ERR_PCAP_MALFORMED: /);
    const captures = (await raw(port, 'GET', '/api/captures')).json<{
      captures: { id: string; keyLog: boolean; error?: { code: string } }[];
    }>().captures;
    assert.deepEqual(
      captures.map((c) => [c.id, c.keyLog, c.error?.code]),
      [
        ['live', false, undefined],
        ['file-1', true, undefined],
        ['file-2', false, 'ERR_PCAP_MALFORMED'],
      ],
    );
    const seq = await raw(port, 'GET', '/api/sequence?capture=file-2');
    assert.equal(seq.status, 422);
    const exited = new Promise<number | null>((r) => child.once('close', r));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /Stopping the dashboard and the lab/);
  },
);
