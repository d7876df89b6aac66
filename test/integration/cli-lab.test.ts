import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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
