// The eavesdropper's view on real traffic: mutual TLS 1.2 and 1.3 (Node's TLS, i.e. OpenSSL) and
// plaintext MQTT through the capture relay, written as pcap and analysed by `mqtts-lab capture
// analyze --json` in process. tshark reads the same files as the independent oracle: the
// application-data record lengths under TLS, the exposed MQTT fields in clear.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { run } from '../../src/cli/program.js';
import type { CaptureAnalysis, ConnectionAnalysis } from '../../src/wire/analyze/index.js';
import { readCapture, tcpSegments } from '../../src/wire/pcap/index.js';
import { reassembleTcp } from '../../src/wire/tcp/index.js';
import { cli } from '../helpers/cli.js';
import { makeTlsFixtures } from '../helpers/tls-fixtures.js';
import {
  echoServer,
  INTERVAL_MS,
  join,
  plaintextSession,
  READING,
  STEP1,
  tlsSession,
  WRITE_SIZE,
  WRITES,
} from './capture-analyze/sessions.js';
import { fields, requireWiresharkTools } from './pcap/tshark.js';

let dir = '';
const files = { tls12: '', tls13: '', plain: '' };

before(async () => {
  requireWiresharkTools();
  dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-capture-analyze-'));
  const fx = await makeTlsFixtures(dir);
  files.tls12 = join(dir, 'tls12.pcap');
  files.tls13 = join(dir, 'tls13.pcap');
  files.plain = join(dir, 'step1.pcap');
  await tlsSession(fx, 'TLSv1.2', files.tls12);
  await tlsSession(fx, 'TLSv1.3', files.tls13);
  await plaintextSession(files.plain);
});
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

async function analyze(file: string): Promise<ConnectionAnalysis> {
  const r = await cli(['capture', 'analyze', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const a = r.json<CaptureAnalysis>();
  assert.equal(a.kind, 'mqtts-lab.capture-analysis');
  assert.equal(a.connections.length, 1);
  return a.connections[0]!;
}
const item = (c: ConnectionAnalysis, name: string) => {
  const found = c.observations.filter((o) => o.item === name);
  assert.equal(found.length, 1, `${name}: ${JSON.stringify(found)}`);
  return found[0]!;
};
const list = (cell: string | undefined) => (cell ?? '').split(',').filter((x) => x !== '');

/**
 * tshark's application-data record lengths per direction. With -E occurrence=a a frame's records
 * come as lists; TLS 1.3 protected records have an opaque_type (23) and no content_type, and in a
 * frame they follow every plaintext record (nothing is sent in clear after the keys change).
 */
function tsharkAppData(file: string): { c2s: number[]; s2c: number[] } {
  const out = { c2s: [] as number[], s2c: [] as number[] };
  const rows = fields(file, [
    'tcp.dstport',
    'tls.record.length',
    'tls.record.content_type',
    'tls.record.opaque_type',
  ]);
  for (const [dstport, lengths, types, opaque] of rows) {
    const lens = list(lengths).map(Number);
    const kinds = [...list(types), ...list(opaque)].map(Number);
    assert.equal(kinds.length, lens.length, `one type per record: ${lengths} / ${types} / ${opaque}`);
    lens.forEach((len, i) => {
      if (kinds[i] === 23) out[dstport === '8883' ? 'c2s' : 's2c'].push(len);
    });
  }
  return out;
}

function assertPeriodic(c: ConnectionAnalysis, recordLength: number): void {
  const g = c.traffic?.groups.find((x) => x.direction === 'c2s' && x.periodic);
  assert.ok(g, `a periodic c2s group: ${JSON.stringify(c.traffic?.groups)}`);
  assert.equal(g.count, WRITES);
  assert.deepEqual([g.recordLength.min, g.recordLength.max], [recordLength, recordLength]);
  assert.equal(g.plaintextLength?.median, WRITE_SIZE, 'a 64-byte reading is still visibly a 64-byte reading');
  const interval = g.intervalUs!.median / 1000;
  assert.ok(
    Math.abs(interval - INTERVAL_MS) <= INTERVAL_MS * 0.25,
    `interval ${interval} ms, written every ${INTERVAL_MS}`,
  );
  assert.match(g.inference, /consistent with a periodic telemetry PUBLISH.*inference/);
}

describe('capture analyze on real mutual TLS', () => {
  test('TLS 1.2: the client certificate CN is exposed, the payload hidden, the 64-byte period found', async () => {
    const c = await analyze(files.tls12);
    assert.equal(c.protocol, 'tls');
    assert.equal(c.tls?.version, '1.2');
    assert.deepEqual(
      [c.verdict.payload, c.verdict.identity, c.verdict.metadata],
      ['hidden', 'exposed', 'exposed'],
    );
    const cert = item(c, 'tls.client-certificate');
    assert.equal(cert.verdict, 'exposed');
    assert.match(cert.value ?? '', /CN=m5go-01/);
    assert.equal(c.tls?.clientCertificate.certificate?.subjectCn, 'm5go-01');
    assert.equal(item(c, 'tls.server-certificate').verdict, 'exposed');
    assert.equal(item(c, 'tls.application-data').verdict, 'hidden');
    assert.equal(c.tls?.handshake.status, 'complete');
    assert.deepEqual(c.notes, []);
    assertPeriodic(c, WRITE_SIZE + 24); // RFC 5288 §3: 8-byte explicit nonce + 16-byte tag
  });

  test('TLS 1.3: the client certificate is hidden, the same period still shows', async () => {
    const c = await analyze(files.tls13);
    assert.equal(c.tls?.version, '1.3');
    assert.deepEqual([c.verdict.payload, c.verdict.identity], ['hidden', 'hidden']);
    assert.equal(item(c, 'tls.client-certificate').verdict, 'hidden');
    assert.equal(c.tls?.clientCertificate.certificate, undefined);
    assert.equal(item(c, 'tls.server-certificate').verdict, 'hidden');
    assert.deepEqual(c.notes, []);
    assertPeriodic(c, WRITE_SIZE + 17); // RFC 8446 §5.2: content type byte + 16-byte tag
  });

  for (const version of ['tls12', 'tls13'] as const) {
    test(`${version}: tshark finds the same application-data record lengths, in order, per direction`, async () => {
      const c = await analyze(files[version]);
      const ours = {
        c2s: c.traffic!.records.c2s.map((r) => r.recordLength),
        s2c: c.traffic!.records.s2c.map((r) => r.recordLength),
      };
      assert.deepEqual(ours, tsharkAppData(files[version]));
    });
  }
});

describe('capture analyze on plaintext MQTT', () => {
  test('client id, username, password, topic and payload are exposed, and tshark reads the same', async () => {
    const c = await analyze(files.plain);
    assert.equal(c.protocol, 'mqtt');
    assert.deepEqual([c.verdict.payload, c.verdict.identity], ['exposed', 'exposed']);
    assert.equal(item(c, 'mqtt.client-id').value, STEP1.clientId);
    assert.equal(item(c, 'mqtt.username').value, STEP1.username);
    assert.equal(item(c, 'mqtt.password').value, STEP1.password);
    const publishes = c.mqtt!.publishes;
    assert.deepEqual(
      publishes.map((p) => [p.topic, p.payload.text]),
      Array(3).fill([STEP1.topic, READING]),
    );
    // The oracle: Wireshark's MQTT dissector on the same file.
    const rows = fields(
      files.plain,
      ['mqtt.clientid', 'mqtt.username', 'mqtt.passwd', 'mqtt.topic', 'mqtt.msg'],
      'mqtt',
    );
    const column = (k: number) => rows.flatMap((r) => list(r[k]));
    assert.deepEqual(column(0), [c.mqtt!.connect!.clientId]);
    assert.deepEqual(column(1), [c.mqtt!.connect!.username]);
    assert.deepEqual(column(2), [c.mqtt!.connect!.password!.text]);
    assert.deepEqual(
      column(3),
      publishes.map((p) => p.topic),
    );
    assert.deepEqual(
      column(4).map((hex) => Buffer.from(hex, 'hex').toString('utf8')),
      publishes.map((p) => p.payload.text),
    );
  });

  test('the text report names the password as exposed', async () => {
    const r = await cli(['capture', 'analyze', files.plain]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}exposed {2}password +s3cret!$/m);
    assert.match(r.stdout, /verdict: payload EXPOSED, identity EXPOSED, metadata EXPOSED/);
  });

  test('a file that is not a capture: ERR_PCAP_MALFORMED, exit 1', async () => {
    const r = await cli(['capture', 'analyze', join(dir, 'ca.crt'), '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.json<{ error: { code: string } }>().error.code, 'ERR_PCAP_MALFORMED');
  });
});

describe('capture record', () => {
  test('relays to an echo server, stops after --count 2 closed connections, the file holds both', async () => {
    const echo = await echoServer();
    const out = join(dir, 'record.pcapng');
    let stdout = '';
    let listening!: (port: number) => void;
    const port = new Promise<number>((resolve) => (listening = resolve));
    const exit = run(
      ['capture', 'record', '--listen', '0', '--to', `127.0.0.1:${echo.port}`, '-o', out, '--count', '2'],
      {
        stdout: (s) => {
          stdout += s;
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
          if (m) listening(Number(m[1]));
        },
        stderr: () => undefined,
        env: {},
        cwd: dir,
      },
    );
    try {
      const relayPort = await port;
      for (const text of ['first', 'second']) await echoOnce(connect(relayPort, '127.0.0.1'), text);
      assert.equal(await exit, 0, stdout);
    } finally {
      await echo.close();
    }
    assert.match(stdout, /record\.pcapng: pcapng, 2 connection\(s\), \d+ packets/);
    const capture = readCapture(readFileSync(out));
    assert.equal(capture.format, 'pcapng');
    const conns = reassembleTcp(tcpSegments(capture.packets));
    assert.equal(conns.length, 2);
    assert.deepEqual(
      conns.map((c) => [
        Buffer.from(c.clientToServer.bytes).toString(),
        Buffer.from(c.serverToClient.bytes).toString(),
      ]),
      [
        ['first', 'first'],
        ['second', 'second'],
      ],
    );
    assert.ok(
      conns.every((c) => c.clientToServer.finSeen && c.serverToClient.finSeen),
      'both closed cleanly',
    );
  });

  test('bad flags are ERR_OPTIONS_INVALID; an existing file is ERR_FS_EXISTS before anything listens', async () => {
    const bad = await cli([
      'capture',
      'record',
      '--listen',
      '0',
      '--to',
      'nowhere',
      '-o',
      'x.pcap',
      '--json',
    ]);
    assert.equal(bad.code, 1);
    assert.equal(bad.json<{ error: { code: string } }>().error.code, 'ERR_OPTIONS_INVALID');
    const exists = await cli([
      'capture',
      'record',
      '--listen',
      '0',
      '--to',
      '127.0.0.1:1',
      '-o',
      files.plain,
      '--json',
    ]);
    assert.equal(exists.json<{ error: { code: string } }>().error.code, 'ERR_FS_EXISTS');
  });
});

describe('capture live', { skip: process.getuid?.() !== 0 && 'capturing on lo needs root' }, () => {
  test('tshark on lo, --count 6 packets: the file holds the loopback conversation', async () => {
    const echo = await echoServer();
    const out = join(dir, 'live.pcapng');
    let stdout = '';
    let capturing = false;
    let onCapturing!: () => void;
    const started = new Promise<void>((resolve) => (onCapturing = resolve));
    const args = ['capture', 'live', '-i', 'lo', '--port', String(echo.port), '-o', out, '--count', '6'];
    const exit = run(args, {
      stdout: (s) => {
        stdout += s;
        if (!capturing && stdout.includes('capturing on lo')) {
          capturing = true;
          onCapturing();
        }
      },
      stderr: (s) => (stdout += s),
      env: {},
      cwd: dir,
    });
    const early = exit.then((code) => {
      if (!capturing) throw new Error(`capture live exited (${code}) before capturing: ${stdout}`);
    });
    try {
      await Promise.race([started, early]);
      await echoOnce(connect(echo.port, '127.0.0.1'), 'ping');
      assert.equal(await exit, 0, stdout);
    } finally {
      await echo.close();
    }
    const capture = readCapture(readFileSync(out));
    assert.equal(capture.packets.length, 6);
    const [conn] = reassembleTcp(tcpSegments(capture.packets));
    assert.equal(conn?.server.port, echo.port);
    assert.equal(Buffer.from(conn!.clientToServer.bytes).toString(), 'ping');
  });
});

test('every capture verb explains itself with examples in --help', async () => {
  for (const verb of ['analyze', 'record', 'live']) {
    const r = await cli(['capture', verb, '--help']);
    assert.equal(r.code, 0, verb);
    assert.match(r.stdout, new RegExp(`\\nExamples:\\n {2}\\$ mqtts-lab capture ${verb} `), verb);
  }
});

/** Send `text`, wait for it to come back, close; resolves when the socket is closed. */
async function echoOnce(socket: Socket, text: string): Promise<void> {
  let got = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got === text) socket.end();
    });
    socket.on('close', () => resolve());
    socket.write(text);
  });
  assert.equal(got, text);
}
