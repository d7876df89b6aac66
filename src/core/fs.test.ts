import assert from 'node:assert/strict';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLabError } from './errors.js';
import { readFileChecked, readFileStepwise, writeFileAtomic } from './fs.js';

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

test('readFileStepwise: the whole file, its progress growing step by step to the end in file order', async (t) => {
  const d = dir(t);
  const p = join(d, 'f');
  const data = Buffer.from(Array.from({ length: 10_007 }, (_, i) => (i * 7 + 3) & 0xff));
  writeFileSync(p, data);
  for (const step of [1_000, 4_096, 10_007, 65_536]) {
    const seen: number[] = [];
    let prefixOk = true;
    const got = await readFileStepwise(
      p,
      (bytes, filled) => {
        seen.push(filled);
        // What is reported filled is final: the file's bytes, already there.
        prefixOk &&= bytes.subarray(0, filled).equals(data.subarray(0, filled));
      },
      step,
    );
    assert.deepEqual(got, data);
    assert.ok(prefixOk, `step ${step}`);
    const expected = Array.from({ length: Math.ceil(data.length / step) }, (_, i) =>
      Math.min((i + 1) * step, data.length),
    );
    assert.deepEqual(seen, expected, `step ${step}`);
  }
});

test('readFileStepwise: an empty file and a missing one; a directory is ERR_FS_IO', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'empty'), '');
  const seen: number[] = [];
  assert.equal((await readFileStepwise(join(d, 'empty'), (_b, filled) => seen.push(filled))).length, 0);
  assert.deepEqual(seen, [0]);
  await assert.rejects(
    readFileStepwise(join(d, 'none'), () => {}),
    (e) => isLabError(e, 'ERR_FS_NOT_FOUND'),
  );
  await assert.rejects(
    readFileStepwise(d, () => {}),
    (e) => isLabError(e, 'ERR_FS_IO'),
  );
});

test('readFileStepwise: what progress throws ends the read and comes out as it is', async (t) => {
  const d = dir(t);
  const p = join(d, 'f');
  writeFileSync(p, Buffer.alloc(50_000, 1));
  const mine = new Error('stop here');
  let calls = 0;
  await assert.rejects(
    readFileStepwise(
      p,
      () => {
        if (++calls === 2) throw mine;
      },
      1_000,
    ),
    (e) => e === mine,
  );
  assert.equal(calls, 2); // no step after the one that threw
});

test('readFileStepwise: a file that shrinks while it is read comes back as far as it was read', async (t) => {
  const d = dir(t);
  const p = join(d, 'f');
  writeFileSync(p, Buffer.alloc(20_000, 2));
  const seen: number[] = [];
  const got = await readFileStepwise(
    p,
    (_bytes, filled) => {
      // After the first step at most two reads are under way (bytes up to 3,000): cut at 5,500.
      if (seen.push(filled) === 1) truncateSync(p, 5_500);
    },
    1_000,
  );
  assert.equal(got.length, 5_500);
  assert.deepEqual(seen, [1_000, 2_000, 3_000, 4_000, 5_000, 5_500]);
});
