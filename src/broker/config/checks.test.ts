import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type ErrorCode, isLabError } from '../../core/errors.js';
import { REFUSED_OPTIONS, SUPPORTED_OPTIONS } from './options-table.js';
import { parseMosquittoConf } from './parse.js';
import type { BrokerConfig } from './types.js';

const conf = (text: string): BrokerConfig => parseMosquittoConf(text, { file: 'm.conf', baseDir: '/base' });

function rejects(text: string, code: ErrorCode, pattern?: RegExp): void {
  assert.throws(
    () => conf(text),
    (err) => isLabError(err, code) && (pattern === undefined || pattern.test(err.message)),
    `${code} expected for ${JSON.stringify(text)}`,
  );
}

const TLS = 'certfile /c/srv.crt\nkeyfile /c/srv.key\n';

describe('listener scope and the default listener', () => {
  test('listener options attach to the latest listener', () => {
    const c = conf(
      `listener 1883\nlistener 8883\n${TLS}cafile /c/ca.crt\nmax_connections 5\nmount_point lab/\n`,
    );
    assert.equal(c.listeners[0]!.tls, undefined);
    assert.equal(c.listeners[1]!.tls?.cafile, '/c/ca.crt');
    assert.equal(c.listeners[1]!.maxConnections, 5);
    assert.equal(c.listeners[1]!.mountPoint, 'lab/');
  });

  test('options before the first listener build a default listener (port, else 1883)', () => {
    const c = conf('port 1884\nlistener 8883\n');
    assert.deepEqual(
      c.listeners.map((l) => [l.port, l.origin]),
      [
        [8883, 'listener'],
        [1884, 'default'],
      ],
    );
    assert.match(c.warnings.join('\n'), /m\.conf:1: 'port' is deprecated/);
    assert.deepEqual(
      conf('socket_domain ipv4\nlistener 8883\n').listeners.map((l) => l.port),
      [8883, 1883],
    );
    const bound = conf('bind_address 127.0.0.1\n');
    assert.equal(bound.localOnly, false);
    assert.deepEqual(
      bound.listeners.map((l) => [l.bindAddress, l.port, l.security.allowAnonymous]),
      [['127.0.0.1', 1883, false]],
    );
  });

  test('tls_version alone does not create the default listener: ignored, with a warning', () => {
    const c = conf('tls_version tlsv1.2\nlistener 8883\n');
    assert.deepEqual(
      c.listeners.map((l) => l.port),
      [8883],
    );
    assert.match(c.warnings.join('\n'), /tls_version before the first listener/);
  });

  test('mount_point needs a listener and refuses wildcards; string options only once', () => {
    rejects('mount_point lab/\nlistener 1883\n', 'ERR_BROKER_CONFIG_INVALID', /needs a 'listener'/);
    rejects('listener 1883\nmount_point lab/#\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects(`listener 8883\n${TLS}cafile /a\ncafile /b\n`, 'ERR_BROKER_CONFIG_INVALID', /duplicate/);
    rejects('listener 1883\nlistener 1883\n', 'ERR_BROKER_CONFIG_INVALID', /same port/);
    assert.equal(conf('listener 1883 127.0.0.1\nlistener 1883 ::1\n').listeners.length, 2);
  });
});

describe('security scope (per_listener_settings)', () => {
  test('false: security options are global wherever they appear', () => {
    const c = conf('listener 1883\nlistener 1884\nallow_anonymous true\npassword_file pw\n');
    for (const l of c.listeners) {
      assert.equal(l.security.allowAnonymous, true);
      assert.equal(l.security.passwordFile, '/base/pw');
    }
    assert.equal(c.perListenerSettings, false);
  });

  test('true: each listener has its own, unset allow_anonymous is false', () => {
    const c = conf(
      'per_listener_settings true\nlistener 1883\nallow_anonymous true\nlistener 1884\npassword_file pw\n',
    );
    assert.deepEqual(
      c.listeners.map((l) => [l.port, l.security.allowAnonymous, l.security.passwordFile]),
      [
        [1883, true, undefined],
        [1884, false, '/base/pw'],
      ],
    );
  });

  test('true: a password_file before any listener creates the default listener with it', () => {
    const c = conf('per_listener_settings true\npassword_file pw\nlistener 8883\n');
    assert.deepEqual(
      c.listeners.map((l) => [l.port, l.security.passwordFile]),
      [
        [8883, undefined],
        [1883, '/base/pw'],
      ],
    );
  });

  test('true + password_file and no listener line: default listener on all interfaces, anonymous allowed', () => {
    // Observed on 2.0.11: local-only mode's allow_anonymous default reaches this listener.
    const c = conf('per_listener_settings true\npassword_file pw\n');
    assert.deepEqual(
      c.listeners.map((l) => [l.bindAddress, l.port, l.origin, l.security.allowAnonymous]),
      [[undefined, 1883, 'default', true]],
    );
    assert.match(c.warnings.join('\n'), /listens on all interfaces/);
  });

  test('must come before every security option (check_retain_source counts, as in conf.c)', () => {
    rejects(
      'allow_anonymous true\nper_listener_settings true\n',
      'ERR_BROKER_CONFIG_INVALID',
      /before any other/,
    );
    rejects('check_retain_source true\nper_listener_settings true\n', 'ERR_BROKER_CONFIG_INVALID');
    assert.equal(conf('allow_anonymous true\nper_listener_settings false\n').perListenerSettings, false);
  });
});

describe('cross-checks Mosquitto does not make (it would run plain TCP silently)', () => {
  test('certfile without keyfile, and the reverse', () => {
    rejects(
      'listener 8883\ncertfile /c/srv.crt\n',
      'ERR_BROKER_CONFIG_INVALID',
      /certfile without keyfile.*WITHOUT TLS/,
    );
    rejects('listener 8883\nkeyfile /c/srv.key\n', 'ERR_BROKER_CONFIG_INVALID', /keyfile without certfile/);
  });

  test('TLS options on a listener without certificate', () => {
    assert.throws(
      () => conf('listener 8883\ncafile /c/ca.crt\nrequire_certificate true\n'),
      (e) =>
        isLabError(e, 'ERR_BROKER_CONFIG_INVALID') &&
        /cafile, require_certificate without certfile/.test(e.message) &&
        e.details.listener === 'listener 8883 (m.conf:1)',
    );
    rejects('listener 8883\nuse_identity_as_username true\n', 'ERR_BROKER_CONFIG_INVALID');
    rejects('listener 8883\ntls_version tlsv1.2\n', 'ERR_BROKER_CONFIG_INVALID');
  });

  test('require_certificate without a CA to verify against', () => {
    rejects(
      `listener 8883\n${TLS}require_certificate true\n`,
      'ERR_BROKER_CONFIG_INVALID',
      /without cafile or capath/,
    );
    assert.ok(conf(`listener 8883\n${TLS}capath /c/certs\nrequire_certificate true\n`).listeners[0]!.tls);
  });

  test('tls_version is one of tlsv1.3, tlsv1.2, tlsv1.1 (a trailing comment is part of it)', () => {
    rejects(`listener 8883\n${TLS}tls_version tlsv1\n`, 'ERR_BROKER_CONFIG_INVALID');
    rejects(`listener 8883\n${TLS}tls_version tlsv1.2 # min\n`, 'ERR_BROKER_CONFIG_INVALID');
  });

  test('use_identity_as_username without require_certificate locks everyone out: a warning', () => {
    const c = conf(`listener 8883\n${TLS}use_identity_as_username true\n`);
    assert.match(c.warnings.join('\n'), /never asks for a client certificate/);
  });
});

describe('Mosquitto options we refuse', () => {
  const refused = [
    'connection bridge1',
    'address 10.0.0.1:1883',
    'auth_plugin /usr/lib/x.so',
    'plugin /usr/lib/x.so',
    'auth_opt_backend mysql',
    'plugin_opt_x y',
    'psk_hint lab',
    'psk_file /etc/psk',
    'http_dir /var/www',
    'websockets_log_level 1',
    'max_qos 1',
    'use_username_as_clientid true',
    'bind_interface eth0',
    'clientid_prefixes lab-',
    'tls_engine pkcs11',
    'dhparamfile /etc/dh.pem',
    'memory_limit 1000000',
    'log_facility 1',
    'autosave_on_changes true',
  ];
  for (const line of refused) {
    test(line, () => {
      assert.throws(
        () => conf(`listener 1883\n${line}\n`),
        (e) => isLabError(e, 'ERR_BROKER_CONFIG_UNSUPPORTED') && e.details.line === 2,
      );
    });
  }
  test('deprecated but harmless options are accepted with a warning', () => {
    const c = conf(
      'listener 1883\nretry_interval 20\nallow_duplicate_messages true\nmessage_size_limit 1000\n',
    );
    assert.equal(c.warnings.length, 3);
    assert.equal(c.messageSizeLimit, 1000);
  });
});

test('docs/broker-config.md lists every supported and every refused option', () => {
  const doc = readFileSync(new URL('../../../docs/broker-config.md', import.meta.url), 'utf8');
  const missing = [...SUPPORTED_OPTIONS, ...Object.values(REFUSED_OPTIONS).flat()].filter(
    (name) => !doc.includes(`\`${name}\``) && !doc.includes(`\`${name} `) && !doc.includes(`(\`${name}\`)`),
  );
  assert.deepEqual(missing, []);
});
