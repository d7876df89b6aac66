import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { KEYLOG_HEADER, parseKeyLog } from './keylog.js';
import { KeyLogFile } from './keylog-file.js';

const R1 = 'ab'.repeat(32);
const R2 = '0c'.repeat(32);
const MS = '11'.repeat(48);
const S32 = '22'.repeat(32);
const S48 = '33'.repeat(48);

describe('parseKeyLog', () => {
  test('sessions by client random; comments, blank lines, CRLF and unused labels are fine', () => {
    const log = parseKeyLog(
      [
        '# a comment',
        '',
        `CLIENT_RANDOM ${R1} ${MS}`,
        `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${R2} ${S32}`,
        `SERVER_HANDSHAKE_TRAFFIC_SECRET ${R2} ${S48}\r`,
        `CLIENT_TRAFFIC_SECRET_0 ${R2.toUpperCase()} ${S32}`,
        `EXPORTER_SECRET ${R2} ${S32}`,
        '   ',
      ].join('\n'),
    );
    assert.equal(log.size, 2);
    assert.deepEqual(log.get(R1.toUpperCase())?.masterSecret, Buffer.from(MS, 'hex'));
    const s = log.get(R2)!;
    assert.deepEqual(s.clientHandshake, Buffer.from(S32, 'hex'));
    assert.deepEqual(s.serverHandshake, Buffer.from(S48, 'hex'));
    assert.deepEqual(s.clientTraffic0, Buffer.from(S32, 'hex'));
    assert.equal(s.serverTraffic0, undefined);
    assert.equal(log.get('00'.repeat(32)), undefined);
  });

  const bad: [string, string, RegExp][] = [
    ['two fields', `CLIENT_RANDOM ${R1}`, /line 2: expected "LABEL CLIENT_RANDOM SECRET", found 2 fields/],
    ['unknown label', `SERVER_RANDOM ${R1} ${MS}`, /line 2: unknown label "SERVER_RANDOM"/],
    ['short random', `CLIENT_RANDOM ${R1.slice(2)} ${MS}`, /client random is not 32 bytes/],
    ['random not hex', `CLIENT_RANDOM ${'zz'.repeat(32)} ${MS}`, /client random is not 32 bytes/],
    ['odd secret', `CLIENT_TRAFFIC_SECRET_0 ${R1} ${S32}0`, /secret is not 32, 48 or 64 bytes/],
    ['20-byte secret', `CLIENT_TRAFFIC_SECRET_0 ${R1} ${'44'.repeat(20)}`, /secret is not 32, 48 or 64/],
    // RFC 5246 §8.1: the master secret is 48 bytes, whatever the hash.
    ['32-byte master secret', `CLIENT_RANDOM ${R1} ${S32}`, /master secret is 48 bytes/],
  ];
  for (const [what, line, message] of bad) {
    test(`refused whole with ERR_KEYLOG_MALFORMED and the line number: ${what}`, () => {
      assert.throws(
        () => parseKeyLog(`# header\n${line}\nCLIENT_RANDOM ${R2} ${MS}\n`, 'k.txt'),
        (e: unknown) =>
          isLabError(e, 'ERR_KEYLOG_MALFORMED') &&
          message.test(e.message) &&
          e.message.startsWith('k.txt line 2') &&
          (e.details as { line: number }).line === 2,
      );
    });
  }
});

describe('KeyLogFile', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'mqtts-lab-keylog-'));

  test('a new file is 0600 and starts with the warning; lines are appended whole', (t) => {
    const d = dir();
    t.after(() => rmSync(d, { recursive: true, force: true }));
    const path = join(d, 'lab.keys');
    const f = KeyLogFile.open(path);
    f.write(Buffer.from(`CLIENT_RANDOM ${R1} ${MS}\n`));
    f.write(`CLIENT_RANDOM ${R2} ${MS}`);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.equal(text, `${KEYLOG_HEADER}\nCLIENT_RANDOM ${R1} ${MS}\nCLIENT_RANDOM ${R2} ${MS}\n`);
    assert.equal(parseKeyLog(text).size, 2, 'what it writes, parseKeyLog reads');
  });

  test('an existing file is narrowed to 0600 and appended to, its lines kept', (t) => {
    const d = dir();
    t.after(() => rmSync(d, { recursive: true, force: true }));
    const path = join(d, 'shared.keys');
    writeFileSync(path, `CLIENT_RANDOM ${R1} ${MS}\n`);
    chmodSync(path, 0o644);
    KeyLogFile.open(path).write(`CLIENT_RANDOM ${R2} ${MS}\n`);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(path, 'utf8'), `CLIENT_RANDOM ${R1} ${MS}\nCLIENT_RANDOM ${R2} ${MS}\n`);
  });

  test('a path that cannot be written is ERR_FS_IO, naming it', () => {
    assert.throws(
      () => KeyLogFile.open('/nonexistent-dir/lab.keys'),
      (e: unknown) => isLabError(e, 'ERR_FS_IO') && /\/nonexistent-dir\/lab\.keys/.test(e.message),
    );
  });
});
