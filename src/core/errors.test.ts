import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES, isLabError, LabError } from './errors.js';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...docs.matchAll(/^### (ERR_[A-Z0-9_]+)\s*$/gm)].map((m) => m[1]));

test('every error code follows ERR_<AREA>_<WHAT>', () => {
  for (const code of Object.keys(ERROR_CODES)) assert.match(code, /^ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
});

test('every error code is documented in docs/errors.md', () => {
  const missing = Object.keys(ERROR_CODES).filter((c) => !documented.has(c));
  assert.deepEqual(missing, []);
});

test('docs/errors.md documents no code that does not exist', () => {
  const stale = [...documented].filter((c) => !((c as string) in ERROR_CODES));
  assert.deepEqual(stale, []);
});

test('LabError carries code, cause and frozen details', () => {
  const cause = new Error('root');
  const err = new LabError('ERR_FS_NOT_FOUND', 'no such file: x', { cause, details: { path: 'x' } });
  assert.equal(err.code, 'ERR_FS_NOT_FOUND');
  assert.equal(err.cause, cause);
  assert.equal(err.details.path, 'x');
  assert.ok(Object.isFrozen(err.details));
  assert.ok(isLabError(err, 'ERR_FS_NOT_FOUND'));
  assert.ok(!isLabError(err, 'ERR_FS_EXISTS'));
  assert.ok(!isLabError(new Error('x')));
  assert.deepEqual(JSON.parse(JSON.stringify(err)).code, 'ERR_FS_NOT_FOUND');
});
