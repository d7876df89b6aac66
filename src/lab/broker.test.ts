import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAcl, parseAclFile } from '../broker/acl.js';
import { parseMosquittoConf } from '../broker/index.js';
import { brokerConf, LAB_ACL } from './broker.js';

const files = {
  cafile: '/l/ca.crt',
  certfile: '/l/broker.crt',
  keyfile: '/l/broker.key',
  crlfile: '/l/crl.pem',
  aclfile: '/l/acl',
};

test("Step 1's configuration: one plain loopback listener, anonymous allowed", () => {
  const c = parseMosquittoConf(brokerConf(false, 41883, files), { file: 'm.conf', baseDir: '/l' });
  assert.equal(c.listeners.length, 1);
  const l = c.listeners[0]!;
  assert.equal(l.port, 41883);
  assert.equal(l.bindAddress, '127.0.0.1');
  assert.equal(l.tls, undefined);
  assert.equal(l.security.allowAnonymous, true);
  assert.equal(l.security.aclFile, undefined);
});

test("Steps 2–4: the lab sheet's mTLS listener, plus the CRL and the ACL", () => {
  const c = parseMosquittoConf(brokerConf(true, 48883, files), { file: 'm.conf', baseDir: '/l' });
  const l = c.listeners[0]!;
  assert.equal(l.port, 48883);
  assert.equal(l.tls?.requireCertificate, true);
  assert.equal(l.tls?.useIdentityAsUsername, true);
  assert.equal(l.tls?.tlsVersion, 'tlsv1.2');
  assert.equal(l.tls?.crlfile, files.crlfile);
  assert.equal(l.security.aclFile, files.aclfile);
  assert.equal(l.security.allowAnonymous, false, 'Mosquitto 2.0 default');
});

test('the ACL grants each identity what its role needs, nothing else', () => {
  const acl = parseAclFile(LAB_ACL, 'acl');
  const can = (user: string, topic: string, access: 'read' | 'write') =>
    checkAcl(acl, { username: user, clientId: user }, access, topic).allowed;
  assert.equal(can('m5go-01', 'm5go/env', 'write'), true);
  assert.equal(can('m5go-01', 'm5go/env', 'read'), false);
  assert.equal(can('m5stack-01', 'm5go/env', 'read'), true);
  assert.equal(can('m5stack-01', 'm5go/env', 'write'), false);
  assert.equal(can('m5go-99', 'm5go/env', 'write'), false);
  assert.equal(can('m5go-99', 'devices/m5go-99/x', 'write'), true);
  assert.equal(can('m5go-99', 'devices/m5go-01/x', 'write'), false);
  assert.equal(can('lab-operator', 'm5go/env', 'write'), true);
});
