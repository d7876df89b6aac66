import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Finding } from '../../src/core/findings.js';
import { isLabError } from '../../src/core/errors.js';
import type { LabSession } from '../../src/lab/session.js';
import { loadCaptureFiles } from '../../src/web/captures.js';
import { startDashboard } from '../../src/web/server.js';
import { action, raw, type Rig, startRig } from '../browser/dashboard-rig.js';

interface Slot {
  slot: number;
  privateKey: boolean;
  readable: boolean;
  contentHex?: string;
  readRefusal?: string;
  slotConfig: Record<string, unknown>;
}

/** Reads the SSE stream until an event of this type arrives; resolves with its data. */
function nextEvent(port: number, type: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/events', headers: { host: `127.0.0.1:${port}` } },
      (res) => {
        let buf = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          buf += d;
          for (const frame of buf.split('\n\n').slice(0, -1)) {
            const ev = /^event: (.+)$/m.exec(frame)?.[1];
            const data = /^data: (.+)$/m.exec(frame)?.[1];
            if (ev === type && data) {
              clearTimeout(timer);
              req.destroy();
              resolve(JSON.parse(data) as Record<string, unknown>);
              return;
            }
          }
          buf = buf.slice(buf.lastIndexOf('\n\n') + 2);
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no ${type} event in ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', () => undefined);
    req.end();
  });
}

const GOLDEN = 'test/golden/wire';

interface CaptureEntry {
  id: string;
  source: string;
  name: string;
  step?: number;
  format?: string;
  keyLog: boolean;
  error?: { code: string; message: string };
}

describe('dashboard over a live Step 3', { timeout: 180_000 }, () => {
  let rig: Rig;
  let malformed: string;
  before(async () => {
    malformed = join(mkdtempSync(join(tmpdir(), 'mqtts-lab-bad-capture-')), 'truncated.pcap');
    // A pcap global header cut short: the reader's coded error, not a crash.
    writeFileSync(malformed, Buffer.from('d4c3b2a1020004000000', 'hex'));
    const captures = loadCaptureFiles([
      {
        path: join(GOLDEN, 'mosquitto-pub-tls13.pcap'),
        keyLogPath: join(GOLDEN, 'mosquitto-pub-tls13.keys'),
      },
      { path: join(GOLDEN, 'mosquitto-pub-tls12.pcap') },
      { path: join(GOLDEN, 'mosquitto-pub-v5-plain.pcapng') },
      { path: malformed },
    ]);
    rig = await startRig(3, { captures });
  });
  after(async () => {
    await rig?.close();
    if (malformed) rmSync(join(malformed, '..'), { recursive: true, force: true });
  });

  test('binds to 127.0.0.1 and serves security headers', async () => {
    assert.equal(rig.dashboard.host, '127.0.0.1');
    assert.match(rig.dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await raw(rig.dashboard.port, 'GET', '/api/state');
    assert.equal(r.status, 200);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });

  test('state: the running system, read from the step', async () => {
    const s = (await raw(rig.dashboard.port, 'GET', '/api/state')).json<{
      step: number;
      up: boolean;
      broker: { tls: boolean; port: number; listener: string };
      devices: { role: string; keySource: string; secureElement: { present: boolean; address?: string } }[];
      attacks: { name: string; label: { en: string; fr: string } }[];
    }>();
    assert.equal(s.step, 3);
    assert.equal(s.up, true);
    assert.equal(s.broker.tls, true);
    assert.equal(s.broker.port, rig.session.running!.broker.port);
    assert.deepEqual(
      s.devices.map((d) => [d.role, d.keySource, d.secureElement.present, d.secureElement.address]),
      [
        ['m5go', 'se-slot8', true, '0x35'],
        ['m5stack', 'se-slot8', true, '0x35'],
      ],
    );
    assert.ok(s.attacks.some((a) => a.name === 'i2c-read' && a.label.fr.length > 0));
  });

  test('SSE: live readings arrive', async () => {
    const e = await nextEvent(rig.dashboard.port, 'reading');
    const reading = e.reading as { deviceId: string; temperature: number };
    assert.equal(e.step, 3);
    assert.equal(reading.deviceId, 'm5go-01');
    assert.equal(typeof reading.temperature, 'number');
    const all = (await raw(rig.dashboard.port, 'GET', '/api/readings')).json<{ readings: unknown[] }>();
    assert.ok(all.readings.length >= 3);
  });

  test('consoles: both devices, as they printed', async () => {
    const c = (await raw(rig.dashboard.port, 'GET', '/api/consoles')).json<{
      m5go: { text: string }[];
      m5stack: { text: string }[];
    }>();
    assert.ok(c.m5go.some((l) => /key source se-slot8/.test(l.text)));
    assert.ok(c.m5stack.some((l) => /Subscribed to m5go\/env/.test(l.text)));
  });

  test('slot map: slot 0 never shows content, slot 8 shows its bytes in hex', async () => {
    const m = (await raw(rig.dashboard.port, 'GET', '/api/slots')).json<{
      present: boolean;
      slots: Slot[];
    }>();
    assert.equal(m.present, true);
    const s0 = m.slots[0]!;
    const s8 = m.slots[8]!;
    assert.equal(s0.privateKey, true);
    assert.equal(s0.readable, false);
    assert.equal(s0.contentHex, undefined);
    assert.match(s0.readRefusal ?? '', /KeyConfig\.Private/);
    assert.equal(s8.readable, true);
    assert.equal(s8.slotConfig.raw, '0x0F0F');
    // The seed's layout: a 2-byte big-endian length, then PKCS#8 DER (a SEQUENCE, 0x30).
    assert.match(s8.contentHex ?? '', /^00[0-9a-f]{2}30/);
  });

  test('sequence diagram from the capture: TLS 1.2, client certificate in clear', async () => {
    const q = (await raw(rig.dashboard.port, 'GET', '/api/sequence')).json<{
      connections: {
        protocol: string;
        tlsVersion?: string;
        clientCertificateInClear?: boolean;
        messages: { label: string; from: string; visibility: string; detail?: string }[];
      }[];
    }>();
    const tls = q.connections.find(
      (c) => c.protocol === 'tls' && c.messages.some((m) => m.label === 'ClientHello'),
    );
    assert.ok(tls, 'a TLS connection with a ClientHello');
    assert.equal(tls.tlsVersion, 'TLS 1.2');
    assert.equal(tls.clientCertificateInClear, true);
    const certs = tls.messages.filter((m) => m.label === 'Certificate');
    assert.ok(
      certs.some((m) => m.from === 'client' && m.visibility === 'clear' && /CN=m5/.test(m.detail ?? '')),
    );
    assert.ok(
      tls.messages.some((m) => m.label.startsWith('Application data') && m.visibility === 'encrypted'),
    );
  });

  test('eavesdropper view: payload hidden, identity exposed (TLS 1.2)', async () => {
    const e = (await raw(rig.dashboard.port, 'GET', '/api/eavesdropper')).json<{
      connections: { protocol: string; verdict: { payload: string; identity: string } }[];
    }>();
    const tls = e.connections.filter((c) => c.protocol === 'tls');
    assert.ok(tls.length >= 2);
    for (const c of tls) assert.equal(c.verdict.payload, 'hidden');
    assert.ok(tls.some((c) => c.verdict.identity === 'exposed'));
    const pcap = await raw(rig.dashboard.port, 'GET', '/api/capture.pcap');
    assert.equal(pcap.status, 200);
    assert.equal(pcap.body.readUInt32LE(0), 0xa1b2c3d4);
  });

  test('CSRF: an action without the token, with a wrong token or a foreign Origin is refused', async () => {
    const port = rig.dashboard.port;
    const body = JSON.stringify({ attack: 'i2c-read' });
    const origin = `http://127.0.0.1:${port}`;
    const json = { 'content-type': 'application/json' };
    const cases: [string, Record<string, string>][] = [
      ['no token', { ...json, origin }],
      ['wrong token', { ...json, origin, 'x-csrf-token': 'x'.repeat(43) }],
      ['foreign origin', { ...json, origin: 'http://evil.example', 'x-csrf-token': rig.dashboard.csrfToken }],
      ['no origin', { ...json, 'x-csrf-token': rig.dashboard.csrfToken }],
      [
        'cross-site fetch',
        { ...json, origin, 'x-csrf-token': rig.dashboard.csrfToken, 'sec-fetch-site': 'cross-site' },
      ],
    ];
    for (const [name, headers] of cases) {
      const r = await raw(port, 'POST', '/api/attack', headers, body);
      assert.equal(r.status, 403, name);
    }
    const form = await raw(
      port,
      'POST',
      '/api/attack',
      {
        origin,
        'x-csrf-token': rig.dashboard.csrfToken,
        'content-type': 'application/x-www-form-urlencoded',
      },
      'attack=i2c-read',
    );
    assert.equal(form.status, 415);
    assert.equal(rig.session.findings().length, 0, 'no refused request ran an attack');
    const page = await raw(port, 'GET', '/');
    if (page.status === 200) assert.ok(page.body.toString('utf8').includes(rig.dashboard.csrfToken));
  });

  test('DNS rebinding: a foreign Host header is refused', async () => {
    const r = await raw(rig.dashboard.port, 'GET', '/api/state', {
      host: `evil.example:${rig.dashboard.port}`,
    });
    assert.equal(r.status, 421);
    const ok = await raw(rig.dashboard.port, 'GET', '/api/state', {
      host: `localhost:${rig.dashboard.port}`,
    });
    assert.equal(ok.status, 200);
  });

  test('files: certificates and captures by the allow-list; never a private key, traversal or not', async () => {
    const port = rig.dashboard.port;
    assert.equal((await raw(port, 'GET', '/files/pki/ca.crt')).status, 200);
    mkdirSync(join(rig.dir, 'evidence'), { recursive: true });
    symlinkSync(join(rig.dir, 'pki', 'm5go-01.key'), join(rig.dir, 'evidence', 'link.txt'));
    writeFileSync(
      join(rig.dir, 'evidence', 'leak.txt'),
      '-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n',
    );
    for (const path of [
      '/files/pki/m5go-01.key',
      '/files/pki/broker.key',
      '/files/pki/../pki/broker.key',
      '/files/pki/%2e%2e/pki/broker.key',
      '/files/evidence/..%2fpki%2fbroker.key',
      '/files/%2fetc%2fpasswd',
      '/files/..%2f..%2fetc%2fpasswd',
      '/files/evidence%5c..%5cpki%5cbroker.key',
      '/files/evidence/link.txt',
      '/files/evidence/leak.txt',
      '/files/step3/mosquitto.conf',
      '/files/step3/acl',
    ]) {
      const r = await raw(port, 'GET', path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body.toString('latin1'), /PRIVATE KEY/, path);
    }
  });

  test('attack on demand: I2C read of slot 8 succeeds, evidence and matrix follow', async () => {
    const r = await action(rig.dashboard, '/api/attack', { attack: 'i2c-read' });
    assert.equal(r.status, 200);
    const run = r.json<{ attack: string; step: number; findings: Finding[] }>();
    const f = run.findings.find((x) => x.id === 'i2c/read-slot8@3');
    assert.ok(f);
    assert.equal(f.outcome, 'succeeded');
    const file = f.evidence.find((e) => e.file)?.file;
    assert.ok(file);
    const served = await raw(rig.dashboard.port, 'GET', `/files/${file}`);
    assert.equal(served.status, 200);
    const m = (await raw(rig.dashboard.port, 'GET', '/api/matrix')).json<{
      rows: { step: number; cells: Record<string, { status: string; findingIds: string[] }> }[];
    }>();
    const row = m.rows.find((x) => x.step === 3);
    assert.equal(row?.cells.I?.status, 'exposed');
    assert.ok(row?.cells.I?.findingIds.includes('i2c/read-slot8@3'));
    const unknown = await action(rig.dashboard, '/api/attack', { attack: 'nope' });
    assert.equal(unknown.status, 400);
  });

  test('switching to Step 1: the diagram shows MQTT in clear', async () => {
    const r = await action(rig.dashboard, '/api/step', { step: 1 });
    assert.equal(r.status, 200);
    assert.equal(r.json<{ step: number }>().step, 1);
    const bad = await action(rig.dashboard, '/api/step', { step: 7 });
    assert.equal(bad.status, 400);
    const q = (await raw(rig.dashboard.port, 'GET', '/api/sequence')).json<{
      connections: { protocol: string; messages: { label: string; visibility: string; detail?: string }[] }[];
    }>();
    const mqtt = q.connections.filter((c) => c.protocol === 'mqtt');
    assert.ok(mqtt.some((c) => c.messages.some((m) => m.label === 'CONNECT' && m.visibility === 'clear')));
    assert.ok(
      mqtt.some((c) =>
        c.messages.some((m) => m.label === 'PUBLISH' && /m5go\/env .*temperature/.test(m.detail ?? '')),
      ),
    );
    const slots = (await raw(rig.dashboard.port, 'GET', '/api/slots')).json<{ present: boolean }>();
    assert.equal(slots.present, false);
  });

  test('captures: listed by id (live, saved on switch, --capture files), never by path', async () => {
    const port = rig.dashboard.port;
    const list = (await raw(port, 'GET', '/api/captures')).json<{ captures: CaptureEntry[] }>().captures;
    assert.deepEqual(
      list.map((c) => [c.id, c.source, c.name]),
      [
        ['live', 'live', 'step1-live.pcap'],
        ['session-step3', 'session', 'step3.pcap'],
        ['file-1', 'file', 'mosquitto-pub-tls13.pcap'],
        ['file-2', 'file', 'mosquitto-pub-tls12.pcap'],
        ['file-3', 'file', 'mosquitto-pub-v5-plain.pcapng'],
        ['file-4', 'file', 'truncated.pcap'],
      ],
    );
    const text = JSON.stringify(list);
    assert.ok(!text.includes('/'), 'no path in the list');
    assert.deepEqual(
      list.map((c) => c.keyLog),
      [false, false, true, false, false, false],
    );
    assert.equal(list.find((c) => c.id === 'file-3')?.format, 'pcapng');
    assert.equal(list.find((c) => c.id === 'file-4')?.error?.code, 'ERR_PCAP_MALFORMED');
  });

  test('captures: the download of each is its bytes, with the right type', async () => {
    const port = rig.dashboard.port;
    const files: Record<string, string> = {
      'file-1': join(GOLDEN, 'mosquitto-pub-tls13.pcap'),
      'file-2': join(GOLDEN, 'mosquitto-pub-tls12.pcap'),
      'file-3': join(GOLDEN, 'mosquitto-pub-v5-plain.pcapng'),
      'file-4': malformed,
      'session-step3': join(rig.dir, 'step3.pcap'),
    };
    for (const [id, path] of Object.entries(files)) {
      const r = await raw(port, 'GET', `/api/capture.pcap?capture=${id}`);
      assert.equal(r.status, 200, id);
      assert.deepEqual(r.body, readFileSync(path), id);
      assert.match(String(r.headers['content-type']), id === 'file-3' ? /pcapng/ : /tcpdump\.pcap/, id);
      assert.match(String(r.headers['content-disposition']), /^attachment; filename="[A-Za-z0-9._-]+"$/, id);
    }
    const live = await raw(port, 'GET', '/api/capture.pcap?capture=live');
    assert.equal(live.body.readUInt32LE(0), 0xa1b2c3d4);
    for (const id of [
      '../pki/ca.key',
      'pki/m5go-01.key',
      'file-9',
      'session-step2',
      'run-step3',
      '%2e%2e',
      'x'.repeat(200),
    ]) {
      for (const api of ['/api/capture.pcap', '/api/sequence', '/api/eavesdropper']) {
        const r = await raw(port, 'GET', `${api}?capture=${encodeURIComponent(id)}`);
        assert.equal(r.status, 404, `${api} ${id}`);
        assert.equal(r.json<{ error: { code: string } }>().error.code, 'ERR_NOT_FOUND');
      }
    }
  });

  test("captures: a malformed file answers the pcap reader's coded error", async () => {
    for (const api of ['/api/sequence', '/api/eavesdropper']) {
      const r = await raw(rig.dashboard.port, 'GET', `${api}?capture=file-4`);
      assert.equal(r.status, 422, api);
      assert.equal(r.json<{ error: { code: string } }>().error.code, 'ERR_PCAP_MALFORMED');
    }
    const state = await raw(rig.dashboard.port, 'GET', '/api/state');
    assert.equal(state.status, 200, 'the dashboard is still up');
  });

  test('sequence per TLS version: TLS 1.3 encrypts the client certificate, TLS 1.2 shows it', async () => {
    type Seq = {
      capture: CaptureEntry;
      connections: {
        tlsVersion?: string;
        clientCertificateInClear?: boolean;
        clientCertificate?: { visibility: string; subject?: string };
        messages: { label: string; from: string; visibility: string; detail?: string; hidden?: string[] }[];
      }[];
    };
    const tls13 = (await raw(rig.dashboard.port, 'GET', '/api/sequence?capture=file-1')).json<Seq>();
    assert.equal(tls13.capture.id, 'file-1');
    const c13 = tls13.connections[0]!;
    assert.equal(c13.tlsVersion, 'TLS 1.3');
    assert.equal(c13.clientCertificateInClear, false);
    assert.equal(c13.clientCertificate?.visibility, 'encrypted');
    assert.ok(!c13.messages.some((m) => m.label === 'Certificate' && m.visibility === 'clear'));
    const clientFlight = c13.messages.find((m) => m.from === 'client' && m.hidden !== undefined);
    assert.equal(clientFlight?.visibility, 'encrypted');
    assert.deepEqual(clientFlight?.hidden, ['Certificate', 'CertificateVerify', 'Finished']);
    const tls12 = (await raw(rig.dashboard.port, 'GET', '/api/sequence?capture=file-2')).json<Seq>();
    const c12 = tls12.connections[0]!;
    assert.equal(c12.tlsVersion, 'TLS 1.2');
    assert.equal(c12.clientCertificate?.visibility, 'clear');
    assert.ok(
      c12.messages.some(
        (m) =>
          m.from === 'client' &&
          m.label === 'Certificate' &&
          m.visibility === 'clear' &&
          /CN=m5go-01/.test(m.detail ?? ''),
      ),
    );
    const v5 = (await raw(rig.dashboard.port, 'GET', '/api/sequence?capture=file-3')).json<Seq>();
    assert.ok(v5.connections[0]!.messages.some((m) => m.label === 'PUBLISH' && m.visibility === 'clear'));
  });

  test("eavesdropper per capture; the key holder's view only with a key log, apart", async () => {
    type Eaves = {
      connections: { verdict: { payload: string; identity: string } }[];
      keyHolder?: {
        decryptedConnections: number;
        connections: { clientCertificate?: string; publishes: { topic: string }[] }[];
      };
    };
    const e13 = (await raw(rig.dashboard.port, 'GET', '/api/eavesdropper?capture=file-1')).json<Eaves>();
    assert.deepEqual(e13.connections[0]?.verdict.payload, 'hidden');
    assert.deepEqual(e13.connections[0]?.verdict.identity, 'hidden');
    assert.equal(e13.keyHolder?.decryptedConnections, 1);
    assert.match(e13.keyHolder?.connections[0]?.clientCertificate ?? '', /CN=m5go-01/);
    assert.equal(e13.keyHolder?.connections[0]?.publishes[0]?.topic, 'm5go/env');
    const e12 = (await raw(rig.dashboard.port, 'GET', '/api/eavesdropper?capture=file-2')).json<Eaves>();
    assert.equal(e12.connections[0]?.verdict.identity, 'exposed');
    assert.equal(e12.keyHolder, undefined);
  });
});

test('a bind beyond loopback is refused without allowRemote, before listening', async () => {
  const session = { isOwn: () => false, subscribe: () => () => undefined } as unknown as LabSession;
  await assert.rejects(startDashboard({ session, root: '/nonexistent', host: '0.0.0.0' }), (e: unknown) =>
    isLabError(e, 'ERR_WEB_REMOTE_BIND'),
  );
  await assert.rejects(startDashboard({ session, root: '/nonexistent', host: '192.0.2.1' }), (e: unknown) =>
    isLabError(e, 'ERR_WEB_REMOTE_BIND'),
  );
});
