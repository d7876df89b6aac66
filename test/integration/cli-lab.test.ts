import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/openssl.js';

test('lab run --step 1 --json: progress on stderr, the summary on stdout, the report in --out, French from LANG', async (t) => {
  const out = tempDir(t);
  const r = await cli(['lab', 'run', '--step', '1', '--out', out, '--seed', 'cli', '--json'], {
    LANG: 'fr_FR.UTF-8',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Step 1: up in \d+ ms/);
  assert.match(r.stderr, /sniff .* sniff\/payload SUCCEEDED/);
  const j = r.json<{
    report: string[];
    steps: { step: number; stride: Record<string, string>; succeeded: number }[];
  }>();
  assert.deepEqual(
    j.report.map((f) => f.slice(out.length + 1)),
    ['report.md', 'report.html', 'report.json'],
  );
  assert.equal(j.steps.length, 1);
  assert.equal(j.steps[0]!.stride.I, 'exposed');
  assert.ok(j.steps[0]!.succeeded > 0);
  assert.ok(existsSync(join(out, 'step1.pcap')));
  assert.ok(!existsSync(join(out, 'step2.pcap')), 'only the step asked for');
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /<html lang="fr"/);
});

test('lab run: a step that does not exist is refused (ERR_OPTIONS_INVALID) before anything runs', async (t) => {
  const out = tempDir(t);
  const r = await cli(['lab', 'run', '--step', '2,7', '--out', out]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ERR_OPTIONS_INVALID: --step takes 1, 2, 3, 4/);
  assert.ok(!existsSync(join(out, 'report.md')));
});

test('lab run --keylog: stepN.keys (0600) beside the capture; capture analyze --keylog reads the readings the eavesdropper could not', async (t) => {
  const out = tempDir(t);
  const r = await cli(['lab', 'run', '--step', '2', '--out', out, '--seed', 'keylog', '--keylog']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WARNING: writing TLS session secrets to .*stepN\.keys/);
  const keys = join(out, 'step2.keys');
  assert.equal(statSync(keys).mode & 0o777, 0o600);
  assert.match(
    readFileSync(keys, 'utf8'),
    /^# mqtts-lab TLS key log[\s\S]*\nCLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n/,
  );
  const pcap = join(out, 'step2.pcap');
  type Analysis = {
    keyLog?: { decryptedConnections: number };
    connections: {
      verdict: { payload: string };
      decrypted?: {
        status: string;
        mqtt?: { connect?: { clientId: string }; publishes: { topic: string }[] };
      };
    }[];
  };
  const blind = (await cli(['capture', 'analyze', pcap, '--json'])).json<Analysis>();
  assert.ok(blind.connections.every((c) => c.verdict.payload === 'hidden' && c.decrypted === undefined));
  const a = await cli(['capture', 'analyze', pcap, '--keylog', keys, '--json']);
  assert.equal(a.code, 0, a.stderr);
  const j = a.json<Analysis>();
  assert.equal(j.keyLog?.decryptedConnections, j.connections.length);
  const publisher = j.connections.find((c) => c.decrypted?.mqtt?.connect?.clientId === 'm5go-01');
  assert.ok(publisher, 'the publisher connection, decrypted');
  assert.ok(publisher.decrypted!.mqtt!.publishes.length > 0);
  assert.ok(publisher.decrypted!.mqtt!.publishes.every((p) => p.topic === 'm5go/env'));
  // Decrypting changes what the key holder sees, not the eavesdropper's verdict.
  assert.equal(publisher.verdict.payload, 'hidden');
});

test('lab run --keylog with --broker mosquitto is refused before anything runs: Mosquitto writes no key log', async (t) => {
  const out = tempDir(t);
  const r = await cli(['lab', 'run', '--broker', 'mosquitto', '--keylog', '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--keylog needs --broker embedded/);
  assert.ok(!existsSync(join(out, 'report.md')));
});
