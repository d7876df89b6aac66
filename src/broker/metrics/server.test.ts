import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';
import { serveMetrics } from './server.js';
import { httpCall as call } from '../../../test/helpers/http.js';

test('GET /metrics serves the text with its content type; HEAD the same headers and no body', async (t) => {
  let renders = 0;
  const endpoint = await serveMetrics({ host: '127.0.0.1', port: 0 }, () => `m ${++renders}\n`);
  t.after(() => endpoint.close());
  const get = await call(endpoint.port, 'GET', '/metrics');
  assert.equal(get.status, 200);
  assert.equal(get.headers['content-type'], EXPOSITION_CONTENT_TYPE);
  assert.equal(get.body, 'm 1\n');
  const withQuery = await call(endpoint.port, 'GET', '/metrics?name[]=m');
  assert.equal(withQuery.body, 'm 2\n');
  const head = await call(endpoint.port, 'HEAD', '/metrics');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '4');
  assert.equal(head.body, '');
});

test('other paths are 404, other methods 405 with Allow: GET, HEAD', async (t) => {
  const endpoint = await serveMetrics({ host: '127.0.0.1', port: 0 }, () => 'm 1\n');
  t.after(() => endpoint.close());
  for (const path of ['/', '/metric', '/metrics/', '/favicon.ico', '/../metrics']) {
    assert.equal((await call(endpoint.port, 'GET', path)).status, 404, path);
  }
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const r = await call(endpoint.port, method, '/metrics');
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});

test('a port in use fails with ERR_BROKER_LISTEN', async (t) => {
  const first = await serveMetrics({ host: '127.0.0.1', port: 0 }, () => '');
  t.after(() => first.close());
  await assert.rejects(
    serveMetrics({ host: '127.0.0.1', port: first.port }, () => ''),
    {
      code: 'ERR_BROKER_LISTEN',
    },
  );
});
