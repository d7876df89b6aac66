import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostAllowed, isLoopbackHost } from './security.js';

test('isLoopbackHost: 127/8, ::1 and localhost only', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])
    assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.168.1.10', 'localhost.evil.example', '128.0.0.1']) {
    assert.equal(isLoopbackHost(h), false, h);
  }
});

test('hostAllowed: a loopback bind accepts loopback names on its port only (DNS rebinding)', () => {
  const p = { bindHost: '127.0.0.1', port: 8080 };
  for (const h of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) assert.ok(hostAllowed(h, p), h);
  for (const h of [
    undefined,
    '',
    'evil.example:8080',
    '127.0.0.1:8081',
    '127.0.0.1',
    '127.0.0.1:8080:1',
    'a b:8080',
  ]) {
    assert.equal(hostAllowed(h, p), false, String(h));
  }
});

test('hostAllowed: a wildcard bind accepts IP literals, never a host name', () => {
  const p = { bindHost: '0.0.0.0', port: 8080 };
  assert.ok(hostAllowed('192.168.1.10:8080', p));
  assert.ok(hostAllowed('localhost:8080', p));
  assert.equal(hostAllowed('rebind.evil.example:8080', p), false);
  const named = { bindHost: '192.168.1.10', port: 8080 };
  assert.ok(hostAllowed('192.168.1.10:8080', named));
  assert.equal(hostAllowed('10.0.0.1:8080', named), false);
});
