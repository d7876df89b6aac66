import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MqttView, TlsView } from './types.js';
import { connectionVerdict } from './verdict.js';

const bytes = { c2s: 10, s2c: 4 };
const e = { direction: 'c2s' as const, timeUs: 0, offset: 0, length: 10 };
const mqtt = (connect?: Partial<NonNullable<MqttView['connect']>>): MqttView => ({
  ...(connect && { connect: { clientId: '', keepalive: 0, cleanSession: true, evidence: e, ...connect } }),
  publishes: [],
  subscriptions: [],
  unsubscriptions: [],
  packets: { c2s: {}, s2c: {} },
  omittedMessages: 0,
});
const tls = (over: Partial<TlsView>): TlsView => ({
  alpnOffered: [],
  serverCertificate: { visible: false, chain: [] },
  clientCertificate: { requested: false, sent: false, visible: false },
  handshake: { status: 'complete', evidence: '', inferred: false },
  alerts: [],
  records: { c2s: 0, s2c: 0 },
  ...over,
});

test('plaintext MQTT: payload always exposed; identity from client id or username', () => {
  const named = connectionVerdict('mqtt', bytes, mqtt({ clientId: 'm5go-01' }), undefined);
  assert.deepEqual([named.payload, named.identity, named.metadata], ['exposed', 'exposed', 'exposed']);
  const user = connectionVerdict('mqtt', bytes, mqtt({ username: 'u' }), undefined);
  assert.equal(user.identity, 'exposed');
  assert.match(user.why.identity, /username "u"/);
  const anonymous = connectionVerdict('mqtt', bytes, mqtt({}), undefined);
  assert.equal(anonymous.identity, 'hidden');
  assert.match(connectionVerdict('mqtt', bytes, mqtt(), undefined).why.identity, /no CONNECT/);
});

test('TLS: identity exposed only by a client certificate in clear; a NULL suite exposes the payload', () => {
  const cert = { subject: 'CN=m5go-01' };
  const v12 = connectionVerdict(
    'tls',
    bytes,
    undefined,
    tls({
      version: '1.2',
      clientCertificate: { requested: true, sent: true, visible: true, certificate: cert },
    }),
  );
  assert.deepEqual([v12.payload, v12.identity], ['hidden', 'exposed']);
  const v13 = connectionVerdict('tls', bytes, undefined, tls({ version: '1.3' }));
  assert.deepEqual([v13.payload, v13.identity], ['hidden', 'hidden']);
  assert.match(v13.why.identity, /TLS 1\.3 encrypts the client certificate/);
  const nul = connectionVerdict(
    'tls',
    bytes,
    undefined,
    tls({ version: '1.2', cipherSuite: 'TLS_RSA_WITH_NULL_SHA' }),
  );
  assert.equal(nul.payload, 'exposed');
});

test('unknown and empty connections', () => {
  assert.equal(connectionVerdict('unknown', bytes, undefined, undefined).payload, 'exposed');
  const empty = connectionVerdict('empty', { c2s: 0, s2c: 0 }, undefined, undefined);
  assert.deepEqual([empty.payload, empty.identity, empty.metadata], ['hidden', 'hidden', 'exposed']);
});
