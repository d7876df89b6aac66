import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLabError } from '../core/errors.js';
import { fullRun } from './fixtures.case.js';
import { writeReport, type WriteReportOptions } from './report.js';

const tempDir = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'mqtts-lab-report-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

test('writes report.md, report.html and report.json, and replaces them on the next run', (t) => {
  const dir = tempDir(t);
  const { files } = writeReport(fullRun(), { dir, lang: 'fr' });
  assert.deepEqual(
    files,
    ['report.md', 'report.html', 'report.json'].map((f) => join(dir, f)),
  );
  assert.deepEqual(readdirSync(dir).sort(), ['report.html', 'report.json', 'report.md']);
  assert.match(readFileSync(files[0]!, 'utf8'), /^# Rapport mqtts-lab\n/);
  assert.match(readFileSync(files[1]!, 'utf8'), /<html lang="fr">/);
  assert.equal(JSON.parse(readFileSync(files[2]!, 'utf8')).schema, 'mqtts-lab/report@1');
  writeReport(fullRun(), { dir, lang: 'en' });
  assert.match(readFileSync(files[0]!, 'utf8'), /^# mqtts-lab report\n/);
  assert.deepEqual(
    readdirSync(dir).sort(),
    ['report.html', 'report.json', 'report.md'],
    'no temporary file left',
  );
});

test('options are checked: unknown key, bad language, missing directory', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => writeReport(fullRun(), { dir, lang: 'fr', langue: 'fr' } as WriteReportOptions),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
  assert.throws(
    () => writeReport(fullRun(), { dir, lang: 'de' } as unknown as WriteReportOptions),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => writeReport(fullRun(), { dir: join(dir, 'missing'), lang: 'en' }),
    (e) => isLabError(e, 'ERR_FS_NOT_FOUND'),
  );
});
