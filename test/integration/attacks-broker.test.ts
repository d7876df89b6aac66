// The broker-facing attacks (certificates, downgrade, acl, flood, repudiation) against a real
// running step of the lab — broker, capture relay, M5Stack subscriber and M5Go publisher on
// emulated hardware — on our embedded broker and on Mosquitto 2.0.11. The same attack must end
// the same way on both; the evidence must come from the run (alert names, log lines, frames of
// the saved pcap, the subscriber's state), whatever the two brokers' wordings.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { aclAttack } from '../../src/attacks/acl.js';
import { certificatesAttack } from '../../src/attacks/certificates.js';
import { downgradeAttack } from '../../src/attacks/downgrade.js';
import { floodAttack } from '../../src/attacks/flood.js';
import { repudiationAttack } from '../../src/attacks/repudiation.js';
import type { Attack } from '../../src/attacks/target.js';
import type { Finding, Outcome, StepNumber } from '../../src/core/findings.js';
import { SeededRng } from '../../src/core/rng.js';
import { createLabPki, type LabPki, startStep } from '../../src/lab/index.js';
import { MOSQUITTO, requireTool } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';

const ATTACKS: readonly Attack[] = [
  certificatesAttack,
  downgradeAttack,
  aclAttack,
  floodAttack,
  repudiationAttack,
];
const CERT_CASES = ['no-certificate', 'other-ca', 'fake-root', 'expired', 'not-yet-valid', 'revoked'];
/** Each attack finishes well inside this (the flood holds two floods ~1 s each). */
const ATTACK_BUDGET_MS = 8_000;

function expected(step: StepNumber): Map<string, Outcome> {
  const tls = step > 1;
  return new Map<string, Outcome>([
    ...CERT_CASES.map((c): [string, Outcome] => [
      `cert/${c}@${step}`,
      tls ? 'blocked' : c === 'no-certificate' ? 'succeeded' : 'not-applicable',
    ]),
    [`tls/downgrade@${step}`, tls ? 'blocked' : 'not-applicable'],
    [`acl/publish-outside-grant@${step}`, tls ? 'blocked' : 'succeeded'],
    [`dos/connection-flood@${step}`, 'blocked'],
    [`dos/slow-handshake@${step}`, 'blocked'],
    [`repudiation/forged-reading@${step}`, 'succeeded'],
  ]);
}

/** Mosquitto's alert for each refused certificate (TLS 1.2, as the devices); ours sends none but the first. */
const MOSQUITTO_ALERTS: Readonly<Record<string, string>> = {
  'no-certificate': 'handshake_failure',
  'other-ca': 'unknown_ca',
  'fake-root': 'unknown_ca',
  expired: 'certificate_expired',
  'not-yet-valid': 'bad_certificate',
  revoked: 'certificate_revoked',
};

// One PKI for every step and broker: it is the slow part (an RSA-2048 broker key).
let pki: LabPki;
const pkiDir = mkdtempSync(join(tmpdir(), 'mqtts-lab-attacks-'));
before(async () => {
  requireTool(MOSQUITTO);
  pki = await createLabPki({ dir: join(pkiDir, 'pki'), rng: new SeededRng('attacks-broker') });
});
after(() => rmSync(pkiDir, { recursive: true, force: true }));

const data = (f: Finding, kind: string) =>
  f.evidence
    .filter((e) => e.kind === kind)
    .map((e) => e.data)
    .join('\n');

interface Run {
  readonly findings: Map<string, Finding>;
  readonly dir: string;
  readonly receivedAfter: number;
  readonly receivedBefore: number;
}

async function runAll(
  t: { after(fn: () => unknown): void },
  step: StepNumber,
  broker: 'embedded' | 'mosquitto',
): Promise<Run> {
  const dir = tempDir(t);
  const running = await startStep({ step, broker, dir, seed: `attacks-${broker}`, pki });
  t.after(() => running.stop());
  const findings = new Map<string, Finding>();
  for (const attack of ATTACKS) {
    const started = Date.now();
    for (const f of await attack.run(running.target)) findings.set(f.id, f);
    const ms = Date.now() - started;
    assert.ok(ms < ATTACK_BUDGET_MS, `${attack.name} took ${ms} ms`);
  }
  // The attacks left the devices running: readings still reach the M5Stack.
  const app = running.target.subscriber.subscriber!;
  const receivedBefore = app.state.received;
  for (let waited = 0; app.state.received === receivedBefore && waited < 3_000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  return { findings, dir, receivedBefore, receivedAfter: app.state.received };
}

function checkCommon(run: Run, step: StepNumber): void {
  const want = expected(step);
  const got = new Map([...run.findings].map(([id, f]) => [id, f.outcome]));
  assert.deepEqual(got, want);
  for (const f of run.findings.values()) {
    assert.equal(f.step, step);
    assert.ok(f.evidence.length > 0, `${f.id}: no evidence`);
    for (const e of f.evidence) assert.notEqual(e.data.trim(), '', `${f.id}: empty evidence ${e.label.en}`);
    for (const text of [f.title, f.attempted, f.result])
      assert.ok(text.en && text.fr, `${f.id}: both languages`);
    assert.equal(
      f.mitigation !== undefined,
      f.outcome === 'succeeded',
      `${f.id}: a mitigation when it succeeded`,
    );
  }
  assert.ok(
    run.receivedAfter > run.receivedBefore,
    'the subscriber still receives readings after the attacks',
  );
  for (const id of [`dos/connection-flood@${step}`, `dos/slow-handshake@${step}`]) {
    const f = run.findings.get(id)!;
    assert.match(data(f, 'measure'), /opened (200|50), connected (200|50)/);
    assert.match(
      data(f, 'connection'),
      /CONNACK return code 0 .*next reading after \d+ ms: \{"deviceId":"m5go-01"/,
    );
  }
  const rep = run.findings.get(`repudiation/forged-reading@${step}`)!;
  assert.match(data(rep, 'device-console'), /Display m5go-01 #\d+: /);
  assert.match(data(rep, 'measure'), /forged reading displayed: \{"deviceId":"m5go-01".*\+00:00/);
}

for (const broker of ['embedded', 'mosquitto'] as const) {
  describe(`broker attacks on ${broker}`, () => {
    test('Step 1 (plain MQTT, anonymous, no ACL): spoofing, forged readings and repudiation succeed', async (t) => {
      const run = await runAll(t, 1, broker);
      checkCommon(run, 1);
      const anon = run.findings.get('cert/no-certificate@1')!;
      assert.match(data(anon, 'connection'), /CONNACK return code 0/);
      assert.match(data(anon, 'connection'), /after \d+ ms: \{"deviceId":"m5go-01","seq":\d+/);
      assert.match(
        data(anon, 'broker-log'),
        /New client connected from 127\.0\.0\.1:\d+ as cert-no-certificate-/,
      );
      assert.match(run.findings.get('cert/revoked@1')!.result.en, /no TLS/);
      const acl = run.findings.get('acl/publish-outside-grant@1')!;
      assert.match(data(acl, 'measure'), /forged reading displayed: \{/);
      assert.match(data(run.findings.get('dos/slow-handshake@1')!, 'broker-log'), /51 "New connection from"/);
    });

    for (const step of broker === 'embedded' ? ([2, 3] as const) : ([2] as const)) {
      test(`Step ${step} (mutual TLS, CRL, ACL): every bad certificate, the downgrade and the ACL breach are refused`, async (t) => {
        const run = await runAll(t, step, broker);
        checkCommon(run, step);
        for (const c of CERT_CASES) {
          const f = run.findings.get(`cert/${c}@${step}`)!;
          const client = data(f, 'connection');
          if (broker === 'mosquitto' || c === 'no-certificate') {
            assert.match(client, new RegExp(`alert ${MOSQUITTO_ALERTS[c]}\\b`), `${c}: ${client}`);
          } else {
            // Node verifies the client certificate after the handshake and drops the socket: no alert.
            assert.match(client, /closed by the broker before any CONNACK, no alert/, `${c}: ${client}`);
          }
          const reason =
            c === 'no-certificate' ? 'peer did not return a certificate' : 'certificate verify failed';
          // Mosquitto logs a handshake that fails at accept() in one line, a later one in two.
          assert.match(
            data(f, 'broker-log'),
            new RegExp(
              `(OpenSSL Error\\[0\\]: |Client connection from 127\\.0\\.0\\.1 failed: )error:[0-9A-F]{8}:SSL routines::${reason}`,
            ),
          );
        }
        const down = run.findings.get(`tls/downgrade@${step}`)!;
        const capture = down.evidence.filter((e) => e.kind === 'capture');
        assert.deepEqual(
          capture.map((e) =>
            /ClientHello, legacy_version (TLS 1\.\d)|Alert fatal (\w+)/.exec(e.data)?.slice(1).join(''),
          ),
          ['TLS 1.0', 'protocol_version', 'TLS 1.1', 'protocol_version'],
        );
        for (const e of capture) {
          assert.equal(e.file, join('evidence', `step${step}-downgrade.pcap`));
          assert.ok(existsSync(join(run.dir, e.file!)));
          assert.equal(e.packets?.length, 1);
          assert.match(e.data, new RegExp(`^frame ${e.packets![0]}:`));
        }
        assert.match(
          data(down, 'broker-log'),
          /(OpenSSL Error\[0\]: |Client connection from 127\.0\.0\.1 failed: )error:0A000102:SSL routines::unsupported protocol/,
        );
        const acl = run.findings.get(`acl/publish-outside-grant@${step}`)!;
        assert.match(
          data(acl, 'connection'),
          /PUBLISH m5go\/env \(QoS 1\)[\s\S]*→ PUBACK, message id \d+, no reason code/,
        );
        assert.match(data(acl, 'connection'), /devices\/m5go-99\/x: the operator received it/);
        assert.match(data(acl, 'measure'), /forged reading displayed: no/);
        // The denial in each broker's words: Mosquitto's at debug level, ours at notice.
        assert.match(
          data(acl, 'broker-log'),
          broker === 'mosquitto'
            ? /Denied PUBLISH from acl-\w+ .*'m5go\/env'/
            : /ACL denied publish on 'm5go\/env' for client acl-\w+ \(u'm5go-99'\)/,
        );
        const rep = run.findings.get(`repudiation/forged-reading@${step}`)!;
        assert.match(data(rep, 'broker-log'), /u'lab-operator'/);
        // The stalled handshakes made the broker answer each ClientHello (its certificate and more).
        assert.match(
          data(run.findings.get(`dos/slow-handshake@${step}`)!, 'measure'),
          /bytes sent back by the broker on them: [1-9]\d{3,}/,
        );
      });
    }
  });
}
