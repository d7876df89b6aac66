import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ErrorCode, isLabError } from '../../core/errors.js';
import { defaultBrokerConfig, parseMosquittoConf } from './parse.js';
import type { BrokerConfig } from './types.js';

const conf = (text: string): BrokerConfig => parseMosquittoConf(text, { file: 'm.conf', baseDir: '/base' });

function rejects(text: string, code: ErrorCode, line?: number): void {
  assert.throws(
    () => conf(text),
    (err) => isLabError(err, code) && (line === undefined || err.details.line === line),
    `${code} expected for ${JSON.stringify(text)}`,
  );
}

describe('defaults (Mosquitto 2.0.11)', () => {
  test('no listener: local-only mode, loopback 1883, anonymous allowed', () => {
    const c = conf('');
    assert.equal(c.localOnly, true);
    assert.deepEqual(
      c.listeners.map((l) => [l.bindAddress, l.port, l.origin, l.security.allowAnonymous]),
      [
        ['127.0.0.1', 1883, 'local-only', true],
        ['::1', 1883, 'local-only', true],
      ],
    );
    assert.deepEqual(c.log, {
      dests: [{ kind: 'stderr' }],
      types: ['error', 'warning', 'notice', 'information'],
      timestamp: true,
    });
    assert.equal(c.maxQueuedMessages, 1000);
    assert.equal(c.maxInflightMessages, 20);
    assert.equal(c.maxKeepalive, 65535);
    assert.equal(c.security.autoIdPrefix, 'auto-');
    assert.equal(c.persistence.path, '/base/mosquitto.db');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.listeners[0]!.security));
  });

  test('local-only mode overrides even an explicit allow_anonymous false (observed on 2.0.11)', () => {
    assert.equal(conf('allow_anonymous false\n').security.allowAnonymous, true);
    const c = conf('password_file users.pw\n');
    assert.equal(c.listeners[0]!.security.allowAnonymous, true);
    assert.equal(c.listeners[0]!.security.passwordFile, '/base/users.pw');
  });

  test('any listener makes allow_anonymous default to false', () => {
    const c = conf('listener 1883\n');
    assert.equal(c.localOnly, false);
    assert.equal(c.listeners.length, 1);
    assert.equal(c.listeners[0]!.security.allowAnonymous, false);
    assert.equal(c.listeners[0]!.bindAddress, undefined);
  });

  test('defaultBrokerConfig: the command line alone (-p, -v)', () => {
    const c = defaultBrokerConfig({ ports: [1884, 1885], verbose: true });
    assert.deepEqual(
      c.listeners.map((l) => `${l.bindAddress}:${l.port}`),
      ['127.0.0.1:1884', '::1:1884', '127.0.0.1:1885', '::1:1885'],
    );
    assert.equal(c.log.types.length, 8);
    assert.throws(
      () => defaultBrokerConfig({ ports: [0] }),
      (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
    );
    const ignored = parseMosquittoConf('listener 8883\n', { file: 'm', baseDir: '/' }, { ports: [1884] });
    assert.deepEqual(
      ignored.listeners.map((l) => l.port),
      [8883],
    );
    assert.match(ignored.warnings.join('\n'), /command-line ports are ignored/);
  });
});

describe('the lab sheet configuration', () => {
  test('MQTTS on 8883, client certificates, CN as username', () => {
    const c = conf(
      [
        'listener 8883',
        'cafile /etc/mosquitto/ca_certificates/ca.crt',
        'certfile /etc/mosquitto/certs/broker.crt',
        'keyfile /etc/mosquitto/certs/broker.key',
        'tls_version tlsv1.2',
        'require_certificate true',
        'use_identity_as_username true',
        '',
      ].join('\n'),
    );
    assert.equal(c.listeners.length, 1);
    const [l] = c.listeners;
    assert.deepEqual(l!.tls, {
      cafile: '/etc/mosquitto/ca_certificates/ca.crt',
      certfile: '/etc/mosquitto/certs/broker.crt',
      keyfile: '/etc/mosquitto/certs/broker.key',
      tlsVersion: 'tlsv1.2',
      requireCertificate: true,
      useIdentityAsUsername: true,
      useSubjectAsUsername: false,
    });
    assert.equal(l!.security.allowAnonymous, false);
    assert.deepEqual(l!.where, { file: 'm.conf', line: 1 });
  });
});

describe('line syntax (conf.c)', () => {
  test('comments only at column 1; spaces, CRLF and blank lines are fine', () => {
    const c = conf('# comment\r\n\r\n   \n  listener   1883   127.0.0.1  \r\nallow_anonymous true # yes\n');
    assert.equal(c.listeners[0]!.bindAddress, '127.0.0.1');
    assert.equal(c.security.allowAnonymous, true);
    assert.throws(
      () => conf('listener 1883\n  # indented comment\n'),
      (e) =>
        isLabError(e, 'ERR_BROKER_CONFIG_UNKNOWN') &&
        e.details.line === 2 &&
        /first character/.test(e.message),
    );
  });

  test('tabs do not separate words; typos get a suggestion', () => {
    rejects('listener\t1883\n', 'ERR_BROKER_CONFIG_UNKNOWN', 1);
    assert.throws(
      () => conf('listener 1883\nallow_anonymus true\n'),
      (e) => isLabError(e, 'ERR_BROKER_CONFIG_UNKNOWN') && e.details.suggestion === 'allow_anonymous',
    );
  });

  test('booleans are exactly true/false/1/0; one value only', () => {
    rejects('allow_anonymous True\n', 'ERR_BROKER_CONFIG_INVALID', 1);
    rejects('allow_anonymous yes\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('allow_anonymous\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('allow_anonymous true false\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('allow_anonymous true\t\n', 'ERR_BROKER_CONFIG_INVALID');
    assert.equal(conf('listener 1\nallow_anonymous 1\n').security.allowAnonymous, true);
  });

  test('string values run to the end of the line: # is part of them', () => {
    const c = conf('listener 1883\npassword_file /etc/pw # users\n');
    assert.equal(c.security.passwordFile, '/etc/pw # users');
  });

  test('errors name file, line and option', () => {
    assert.throws(
      () => conf('listener 1883\n\nmax_keepalive 5\n'),
      (e) =>
        isLabError(e, 'ERR_BROKER_CONFIG_INVALID') &&
        e.details.file === 'm.conf' &&
        e.details.line === 3 &&
        e.details.option === 'max_keepalive' &&
        e.message.startsWith('m.conf:3: max_keepalive:'),
    );
  });
});

describe('values', () => {
  test('ports and numbers', () => {
    rejects('listener 70000\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('listener 8883abc\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('listener\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('listener 0\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('listener 0 /run/mqtt.sock\n', 'ERR_BROKER_CONFIG_UNSUPPORTED');
    rejects('max_packet_size 10\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('max_inflight_messages 70000\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('message_size_limit 268435456\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('sys_interval -1\n', 'ERR_BROKER_CONFIG_INVALID');
    assert.equal(conf('listener 1883 # no address\n').listeners[0]!.bindAddress, undefined);
  });

  test("Mosquitto's clamps", () => {
    const c = conf(
      'max_inflight_messages 65535\nmax_queued_messages -5\nautosave_interval -1\nmax_connections -7\nlistener 1\n',
    );
    assert.equal(c.maxInflightMessages, 0);
    assert.equal(c.maxQueuedMessages, 0);
    assert.equal(c.persistence.autosaveInterval, 0);
    assert.equal(conf('listener 1\nmax_connections -7\n').listeners[0]!.maxConnections, -1);
  });

  test('durations, persistence, pid_file, user', () => {
    const c = conf(
      'persistent_client_expiration 2d\npersistence true\npersistence_location /var/lib/m\n' +
        'persistence_file state.db\npid_file run/m.pid\nuser nobody\nlistener 1\n',
    );
    assert.equal(c.persistentClientExpiration, 172800);
    assert.deepEqual(c.persistence, {
      enabled: true,
      location: '/var/lib/m',
      file: 'state.db',
      path: '/var/lib/m/state.db',
      autosaveInterval: 1800,
      fsync: 'always',
      spoolLimit: 64 * 1024 * 1024,
    });
    assert.equal(c.pidFile, '/base/run/m.pid');
    assert.equal(c.user, 'nobody');
    assert.match(c.warnings.join('\n'), /m\.conf:6: 'user' is accepted but ignored/);
    rejects('persistent_client_expiration 5\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('pid_file a\npid_file b\n', 'ERR_BROKER_CONFIG_INVALID', 2);
  });

  test('log_dest and log_type accumulate; none resets', () => {
    const c = conf(
      'log_dest stdout\nlog_dest none\nlog_dest topic\nlog_dest file logs/m.log\nlog_dest stderr\n' +
        'log_type debug\nlog_type none\nlog_type subscribe\nlog_type error\nlog_timestamp false\nlistener 1\n',
    );
    assert.deepEqual(c.log.dests, [
      { kind: 'stderr' },
      { kind: 'file', path: '/base/logs/m.log' },
      { kind: 'topic' },
    ]);
    assert.deepEqual(c.log.types, ['error', 'subscribe']);
    assert.equal(c.log.timestamp, false);
    assert.equal(conf('log_type all\n').log.types.length, 8);
    assert.deepEqual(conf('log_dest none\n').log.dests, []);
    rejects('log_dest file a\nlog_dest file b\n', 'ERR_BROKER_CONFIG_INVALID', 2);
    rejects('log_dest file\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('log_dest syslog\n', 'ERR_BROKER_CONFIG_UNSUPPORTED');
    rejects('log_type verbose\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('log_timestamp_format %a %b\n', 'ERR_BROKER_CONFIG_UNSUPPORTED');
    assert.equal(conf('log_timestamp_format %Y-%m-%dT%H:%M:%S\n').log.timestampFormat, '%Y-%m-%dT%H:%M:%S');
  });

  test('max_spooled_bytes (mqtts-lab): 64 MiB by default, 0 turns the spool off, warns without persistence', () => {
    assert.equal(conf('persistence true\n').persistence.spoolLimit, 64 * 1024 * 1024);
    assert.equal(conf('persistence true\nmax_spooled_bytes 0\n').persistence.spoolLimit, 0);
    assert.deepEqual(conf('persistence true\nmax_spooled_bytes 1048576\n').warnings, []);
    assert.match(conf('max_spooled_bytes 1048576\n').warnings.join('\n'), /no effect without persistence/);
    rejects('max_spooled_bytes -1\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('max_spooled_bytes 1G\n', 'ERR_BROKER_CONFIG_INVALID');
  });

  test('metrics_listener (mqtts-lab): off by default, loopback unless an address is given', () => {
    assert.equal(conf('listener 1\n').metrics, undefined);
    assert.deepEqual(conf('metrics_listener 9234\nlistener 1\n').metrics, { port: 9234, host: '127.0.0.1' });
    const open = conf('metrics_listener 9234 0.0.0.0 # scraped from the LAN\nlistener 1\n');
    assert.deepEqual(open.metrics, { port: 9234, host: '0.0.0.0' });
    assert.match(
      open.warnings.join('\n'),
      /metrics_listener on 0\.0\.0\.0: the endpoint has no authentication/,
    );
    assert.deepEqual(conf('metrics_listener 9234 ::1\n').warnings, []);
    // It is no MQTT listener: the local-only default stays.
    assert.equal(conf('metrics_listener 9234\n').localOnly, true);
    rejects('metrics_listener\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('metrics_listener 0\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('metrics_listener 70000\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('metrics_listener http\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('metrics_listener 1 a b\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('metrics_listener 1\nmetrics_listener 2\n', 'ERR_BROKER_CONFIG_INVALID', 2);
  });
});
