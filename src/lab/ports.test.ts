import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort } from './ports.js';

test('freePort gives a bindable loopback port below the ephemeral range', async () => {
  const port = await freePort();
  const range = '/proc/sys/net/ipv4/ip_local_port_range';
  const low = existsSync(range) ? Number(readFileSync(range, 'utf8').trim().split(/\s+/)[0]) : 32_768;
  if (low > 11_000) assert.ok(port >= 10_000 && port < low, `${port} is below ${low}`);
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => srv.close(() => resolve()));
});
