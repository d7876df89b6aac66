import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertLoopback, isLoopback } from './loopback.js';

test('loopback addresses are accepted, others refused with ERR_LAB_NOT_LOOPBACK', () => {
  for (const h of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', 'localhost']) {
    assert.equal(isLoopback(h), true, h);
    assert.doesNotThrow(() => assertLoopback(h));
  }
  for (const h of ['10.0.0.1', '192.168.1.20', '::2', 'example.org', '0.0.0.0', '128.0.0.1']) {
    assert.equal(isLoopback(h), false, h);
    assert.throws(() => assertLoopback(h), { code: 'ERR_LAB_NOT_LOOPBACK' });
  }
  assert.doesNotThrow(() => assertLoopback('192.168.1.20', true));
});
