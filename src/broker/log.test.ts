import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { FixedClock } from '../core/clock.js';
import type { LogConfig } from './config/types.js';
import { createBrokerLogger, LOG_TOPICS, strftime, timestampFormatProblem } from './log.js';

// 2023-11-14T22:13:20Z
const clock = new FixedClock(1_700_000_000_000);

function capture() {
  const lines: string[] = [];
  return { lines, writer: { write: (text: string) => void lines.push(text) } };
}

const config = (over: Partial<LogConfig> = {}): LogConfig => ({
  dests: [{ kind: 'stderr' }],
  types: ['error', 'warning', 'notice', 'information'],
  timestamp: true,
  ...over,
});

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'mqtts-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('line format', () => {
  test('Mosquitto default: "<unix seconds>: <message>" on stderr', () => {
    const err = capture();
    const log = createBrokerLogger(config(), { clock, stderr: err.writer });
    log.log('notice', 'mosquitto version 2.0.11 running');
    assert.deepEqual(err.lines, ['1700000000: mosquitto version 2.0.11 running\n']);
  });

  test('log_timestamp false: the bare message', () => {
    const err = capture();
    createBrokerLogger(config({ timestamp: false }), { clock, stderr: err.writer }).log('error', 'x');
    assert.deepEqual(err.lines, ['x\n']);
  });

  test('log_timestamp_format: strftime in local time', () => {
    const err = capture();
    const log = createBrokerLogger(config({ timestampFormat: '%Y-%m-%dT%H:%M:%S' }), {
      clock,
      stderr: err.writer,
    });
    log.log('information', 'hello');
    const d = clock.now();
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    assert.deepEqual(err.lines, [`${local}: hello\n`]);
  });

  test('strftime directives', () => {
    const d = clock.now();
    assert.equal(strftime('%s %%', d), '1700000000 %');
    assert.equal(strftime('%F %T', d), `${strftime('%Y-%m-%d', d)} ${strftime('%H:%M:%S', d)}`);
    assert.match(strftime('%z', d), /^[+-]\d{4}$/);
    assert.equal(timestampFormatProblem('%Y-%m-%d %H:%M:%S%z'), undefined);
    assert.match(timestampFormatProblem('%a %b')!, /"%a"/);
    assert.match(timestampFormatProblem('100%')!, /"%"/);
  });

  test("lines are cut at 999 bytes, as Mosquitto's 1000-byte buffer does", () => {
    const err = capture();
    createBrokerLogger(config(), { clock, stderr: err.writer }).log('error', 'é'.repeat(1000));
    const line = err.lines[0]!.slice(0, -1);
    assert.ok(Buffer.byteLength(line) <= 999 && Buffer.byteLength(line) >= 998);
    assert.ok(!line.includes('\uFFFD'));
  });
});

describe('log_type filter', () => {
  test('enabled() follows the configured types; default excludes debug and subscribe', () => {
    const log = createBrokerLogger(config(), { clock, stderr: capture().writer });
    assert.ok(log.enabled('error') && log.enabled('information'));
    assert.ok(!log.enabled('debug') && !log.enabled('subscribe') && !log.enabled('websockets'));
  });

  test('disabled types are not written', () => {
    const err = capture();
    const log = createBrokerLogger(config({ types: ['subscribe'] }), { clock, stderr: err.writer });
    log.log('error', 'no');
    log.log('subscribe', 'yes');
    assert.deepEqual(err.lines, ['1700000000: yes\n']);
  });

  test('log_dest none: nothing is enabled', () => {
    const log = createBrokerLogger(config({ dests: [] }), { clock });
    assert.ok(!log.enabled('error'));
  });
});

describe('log_dest', () => {
  test('stdout, stderr and topic all receive the line; debug never goes to a topic', () => {
    const [out, err] = [capture(), capture()];
    const published: [string, string][] = [];
    const log = createBrokerLogger(
      config({
        dests: [{ kind: 'stdout' }, { kind: 'stderr' }, { kind: 'topic' }],
        types: ['error', 'warning', 'notice', 'information', 'debug', 'subscribe', 'unsubscribe'],
      }),
      {
        clock,
        stdout: out.writer,
        stderr: err.writer,
        onTopic: (topic, line) => published.push([topic, line]),
      },
    );
    for (const type of [
      'error',
      'warning',
      'notice',
      'information',
      'debug',
      'subscribe',
      'unsubscribe',
    ] as const) {
      log.log(type, type);
    }
    assert.equal(out.lines.length, 7);
    assert.deepEqual(out.lines, err.lines);
    assert.deepEqual(published, [
      ['$SYS/broker/log/E', '1700000000: error'],
      ['$SYS/broker/log/W', '1700000000: warning'],
      ['$SYS/broker/log/N', '1700000000: notice'],
      ['$SYS/broker/log/I', '1700000000: information'],
      ['$SYS/broker/log/M/subscribe', '1700000000: subscribe'],
      ['$SYS/broker/log/M/unsubscribe', '1700000000: unsubscribe'],
    ]);
    assert.equal(LOG_TOPICS.websockets, '$SYS/broker/log/WS');
  });

  test('file: appended, owner-only when created, closed by close()', async (t) => {
    const path = join(tempDir(t), 'mosquitto.log');
    writeFileSync(path, 'earlier\n');
    const log = createBrokerLogger(config({ dests: [{ kind: 'file', path }] }), { clock });
    log.log('warning', 'one');
    log.log('error', 'two');
    await log.close();
    log.log('error', 'after close');
    assert.equal(readFileSync(path, 'utf8'), 'earlier\n1700000000: one\n1700000000: two\n');

    const fresh = join(tempDir(t), 'new.log');
    const second = createBrokerLogger(config({ dests: [{ kind: 'file', path: fresh }] }), { clock });
    second.log('error', 'x');
    await second.close();
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
  });

  test('an unopenable file falls back to stderr and errors only, and says so', () => {
    const err = capture();
    const log = createBrokerLogger(
      config({ dests: [{ kind: 'stdout' }, { kind: 'file', path: '/nonexistent/dir/x.log' }] }),
      { clock, stderr: err.writer, stdout: capture().writer },
    );
    assert.ok(!log.enabled('notice'));
    assert.deepEqual(err.lines, [
      '1700000000: Error: Unable to open log file /nonexistent/dir/x.log for writing.\n',
    ]);
  });
});
