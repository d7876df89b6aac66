import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLabError } from './errors.js';
import { readFileChecked, writeFileAtomic } from './fs.js';

const dir = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'mqtts-lab-fs-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

test('writes with the requested mode and leaves no temporary file', (t) => {
  const d = dir(t);
  writeFileAtomic(join(d, 'ca.key'), 'secret', { mode: 0o600 });
  assert.equal(statSync(join(d, 'ca.key')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(d), ['ca.key']);
});

test('refuses to replace an existing file unless asked, and keeps the old content', (t) => {
  const d = dir(t);
  const p = join(d, 'k');
  writeFileSync(p, 'old');
  assert.throws(
    () => writeFileAtomic(p, 'new'),
    (e) => isLabError(e, 'ERR_FS_EXISTS'),
  );
  assert.equal(readFileSync(p, 'utf8'), 'old');
  assert.deepEqual(readdirSync(d), ['k']);
  writeFileAtomic(p, 'new', { overwrite: true });
  assert.equal(readFileSync(p, 'utf8'), 'new');
});

test('a missing directory is ERR_FS_NOT_FOUND; a missing file to read too', () => {
  assert.throws(
    () => writeFileAtomic('/nonexistent-dir/x', 'a'),
    (e) => isLabError(e, 'ERR_FS_NOT_FOUND'),
  );
  assert.throws(
    () => readFileChecked('/nonexistent-file'),
    (e) => isLabError(e, 'ERR_FS_NOT_FOUND'),
  );
});
