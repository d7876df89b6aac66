import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import { readableByBroker, startBroker } from '../helpers/brokers.js';
import { cli } from '../helpers/cli.js';
import { join, tempDir } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';
import { makeTlsFixtures } from '../helpers/tls-fixtures.js';

/** Our broker on a free loopback port with the lab sheet's mutual-TLS listener and fresh fixtures. */
async function mtlsBroker(t: TestContext) {
  const dir = tempDir(t);
  const f = await makeTlsFixtures(dir);
  readableByBroker(dir);
  const port = await freePort();
  const conf = [
    `listener ${port} 127.0.0.1`,
    `cafile ${f.cafile}`,
    `certfile ${f.server.cert}`,
    `keyfile ${f.server.key}`,
    'require_certificate true',
    'use_identity_as_username true',
    '',
  ].join('\n');
  const broker = await startBroker(t, 'mqtts-lab', dir, conf, port);
  return { dir, f, port, broker };
}

test('device flash: step 2 puts the PEM key in the image (0600, with a warning); step 3 does not', async (t) => {
  const dir = tempDir(t);
  const f = await makeTlsFixtures(dir);
  const tls = ['--cafile', f.cafile, '--cert', f.client.cert];
  const step2 = join(dir, 'm5go-step2.bin');
  const r2 = await cli([
    'device',
    'flash',
    'm5go',
    '--step',
    '2',
    ...tls,
    '--key',
    f.client.key,
    '-o',
    step2,
    '--json',
  ]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stderr, /holds the private key in clear/);
  assert.equal(statSync(step2).mode & 0o777, 0o600);
  assert.equal(statSync(step2).size, 4 * 1024 * 1024);
  assert.ok(readFileSync(step2).includes(readFileSync(f.client.key)));
  const step3 = join(dir, 'm5go-step3.bin');
  assert.equal((await cli(['device', 'flash', 'm5go', '--step', '3', ...tls, '-o', step3])).code, 0);
  assert.ok(!readFileSync(step3).includes('PRIVATE KEY'));
  const again = await cli(['device', 'flash', 'm5go', '--step', '3', ...tls, '-o', step3, '--json']);
  assert.equal(again.json<{ error: { code: string } }>().error.code, 'ERR_FS_EXISTS');
  const keyIn3 = await cli([
    'device',
    'flash',
    'm5go',
    '--step',
    '3',
    ...tls,
    '--key',
    f.client.key,
    '-o',
    join(dir, 'x.bin'),
    '--json',
  ]);
  assert.equal(keyIn3.json<{ error: { code: string } }>().error.code, 'ERR_OPTIONS_INVALID');
});

test('device run: step 3 publisher and subscriber through the broker; no secure element halts with exit 1', async (t) => {
  const { dir, f, port } = await mtlsBroker(t);
  const part = join(dir, 'm5go.se');
  assert.equal((await cli(['se', 'create', part])).code, 0);
  assert.equal((await cli(['se', 'provision', part, '--slot', '8', '--key', f.client.key])).code, 0);
  const common = [
    '--step',
    '3',
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '--servername',
    'localhost',
    '--cafile',
    f.cafile,
  ];

  const halted = await cli(['device', 'run', 'm5go', ...common, '--cert', f.client.cert, '--count', '1']);
  assert.equal(halted.code, 1);
  assert.match(halted.stdout, /secure element not found at 0x35\. Halting\./);
  assert.match(halted.stderr, /ERR_SE_NO_DEVICE/);

  const sub = cli([
    'device',
    'run',
    'm5stack',
    ...common,
    '--cert',
    f.client.cert,
    '--se',
    part,
    '-i',
    'm5stack-01',
    '-C',
    '3',
    '--json',
  ]);
  await new Promise((r) => setTimeout(r, 800));
  const pub = await cli([
    'device',
    'run',
    'm5go',
    ...common,
    '--cert',
    f.client.cert,
    '--se',
    part,
    '--count',
    '3',
    '--interval',
    '50',
    '--seed',
    'lab',
  ]);
  assert.equal(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, /\] ATECC608 detected at 0x35\.\n/);
  assert.match(pub.stdout, /\] Key buffers zeroed\.\n/);
  assert.match(pub.stdout, /\] Published #3 to m5go\/env: /);
  const got = await sub;
  assert.equal(got.code, 0, got.stderr);
  const readings = got.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; deviceId: string });
  assert.deepEqual(
    readings.map((r) => r.seq),
    [1, 2, 3],
  );
  assert.ok(readings.every((r) => r.deviceId === 'm5go-01'));
});

test('device run --signed-readings: step 4 readings signed in the chip, verified by the m5stack; misuse refused', async (t) => {
  const { dir, f, port } = await mtlsBroker(t);
  // Step 4: each device's certificate is issued for a CSR its chip signed with slot 0.
  const chip = async (name: string, cn: string) => {
    const part = join(dir, `${name}.se`);
    const csr = join(dir, `${name}.csr`);
    assert.equal((await cli(['se', 'create', part])).code, 0);
    assert.equal((await cli(['se', 'csr', part, '--slot', '0', '--cn', cn, '--out', csr])).code, 0);
    return { part, cert: await f.issueFromCsr(name, readFileSync(csr)) };
  };
  const m5go = await chip('m5go', 'm5go-01');
  const m5stack = await chip('m5stack', 'm5stack-01');
  const common = ['--step', '4', '-h', '127.0.0.1', '-p', String(port), '--servername', 'localhost'];
  const certs = (c: { cert: string }) => ['--cafile', f.cafile, '--cert', c.cert];
  const tls = (c: { part: string; cert: string }) => [...certs(c), '--se', c.part];

  const refused = async (args: string[], option: string) => {
    const r = await cli([...args, '--json']);
    const error = r.json<{ error: { code: string; details: { option: string } } }>().error;
    assert.deepEqual([error.code, error.details.option], ['ERR_OPTIONS_INVALID', option], args.join(' '));
  };
  const out = join(dir, 'x.bin');
  await refused(
    [
      'device',
      'flash',
      'm5go',
      '--step',
      '3',
      '--cafile',
      f.cafile,
      '--cert',
      f.client.cert,
      '--signed-readings',
      '-o',
      out,
    ],
    'signed-readings',
  );
  await refused(
    ['device', 'flash', 'm5stack', '--step', '4', ...certs(m5stack), '--signed-readings', '-o', out],
    'publisher-cert',
  );
  await refused(
    [
      'device',
      'flash',
      'm5stack',
      '--step',
      '4',
      ...certs(m5stack),
      '--publisher-cert',
      m5go.cert,
      '-o',
      out,
    ],
    'publisher-cert',
  );
  const help = await cli(['device', 'run', '--help']);
  assert.match(help.stdout, /--signed-readings/);
  assert.match(help.stdout, /--publisher-cert <file>/);

  const sub = cli([
    'device',
    'run',
    'm5stack',
    ...common,
    ...tls(m5stack),
    '-i',
    'm5stack-01',
    '--signed-readings',
    '--publisher-cert',
    m5go.cert,
    '-C',
    '3',
    '--json',
  ]);
  await new Promise((r) => setTimeout(r, 800));
  const pub = await cli([
    'device',
    'run',
    'm5go',
    ...common,
    ...tls(m5go),
    '--signed-readings',
    '--count',
    '3',
    '--interval',
    '50',
  ]);
  assert.equal(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, /\] Readings signed by the secure element \(slot 0\)\.\n/);
  assert.match(pub.stdout, /\] Published #3 to m5go\/env: .*, signed by the secure element in \d+\.\d ms\n/);
  const got = await sub;
  assert.equal(got.code, 0, got.stderr);
  const readings = got.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; sig?: string; flagged?: string });
  assert.deepEqual(
    readings.map((r) => r.seq),
    [1, 2, 3],
  );
  assert.ok(readings.every((r) => r.sig?.length === 86 && r.flagged === undefined));
});

test('device run --step 4 --tls-version 1.3 --se-wait poll: our TLS 1.3 client, the chip signs; a bad --se-wait is refused', async (t) => {
  const { dir, f, port, broker } = await mtlsBroker(t);
  const part = join(dir, 'm5go.se');
  const csr = join(dir, 'm5go.csr');
  assert.equal((await cli(['se', 'create', part])).code, 0);
  assert.equal((await cli(['se', 'csr', part, '--slot', '0', '--cn', 'm5go-01', '--out', csr])).code, 0);
  const cert = await f.issueFromCsr('m5go-s4', readFileSync(csr));
  const args = [
    'device',
    'run',
    'm5go',
    '--step',
    '4',
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '--servername',
    'localhost',
    '--cafile',
    f.cafile,
    '--cert',
    cert,
    '--se',
    part,
    '--tls-version',
    '1.3',
  ];

  const bad = await cli([...args, '--se-wait', 'sometimes', '--json']);
  assert.equal(bad.code, 1);
  const error = bad.json<{ error: { code: string; details: { option: string } } }>().error;
  assert.deepEqual([error.code, error.details.option], ['ERR_OPTIONS_INVALID', 'se-wait']);

  const pub = await cli([...args, '--se-wait', 'poll', '--count', '2', '--interval', '50']);
  assert.equal(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, /signatures by the secure element, slot 0/);
  assert.match(pub.stdout, /\] TLS handshake OK: TLSv1\.3, TLS_AES_/);
  assert.match(pub.stdout, /\] Published #2 to m5go\/env: /);
  assert.match(broker.log(), /New client connected from \S+ as m5go-01 /);
});
