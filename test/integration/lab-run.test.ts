import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Outcome } from '../../src/core/findings.js';
import { type LabRunResult, strideMatrix, writeReport } from '../../src/assess/index.js';
import { runLab } from '../../src/lab/index.js';
import { analyzeCapture } from '../../src/wire/analyze/index.js';
import { requireTool, MOSQUITTO } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';

const S: Outcome = 'succeeded';
const B: Outcome = 'blocked';
const NA: Outcome = 'not-applicable';

/**
 * DESIGN.md §4, as outcomes per step (1, 2, 3, 4). Computed by the attacks from what happened;
 * this table is what the seeds' system must show.
 */
const EXPECTED: Readonly<Record<string, readonly [Outcome, Outcome, Outcome, Outcome]>> = {
  'sniff/payload': [S, B, B, B],
  'sniff/identity': [S, S, S, S], // the client certificate in clear under TLS 1.2
  'sniff/traffic-analysis': [S, S, S, S],
  'cert/no-certificate': [S, B, B, B],
  'cert/other-ca': [NA, B, B, B],
  'cert/fake-root': [NA, B, B, B],
  'cert/expired': [NA, B, B, B],
  'cert/not-yet-valid': [NA, B, B, B],
  'cert/revoked': [NA, B, B, B],
  'tls/downgrade': [NA, B, B, B],
  'acl/publish-outside-grant': [S, B, B, B],
  // Step 4 signs each reading in the chip and the subscriber verifies it (beyond the seeds).
  'repudiation/forged-reading': [S, S, S, B],
  'flash-dump/key': [NA, S, B, B],
  'i2c/read-slot8': [NA, NA, S, B],
  'i2c/sniff-boot': [NA, NA, S, B],
  'i2c/overwrite-slot8': [NA, NA, S, B],
  'se/unplugged': [NA, NA, B, B],
  'se/wrong': [NA, NA, B, B],
  'ram/key-after-boot': [NA, S, S, B],
  'tamper/bit-flip': [S, B, B, B],
  'replay/session': [S, B, B, B],
  'dos/connection-flood': [B, B, B, B],
  'dos/slow-handshake': [B, B, B, B],
};

function outcomes(result: LabRunResult): Map<string, Outcome> {
  return new Map(result.findings.map((f) => [f.id, f.outcome]));
}

function checkExpected(result: LabRunResult): void {
  const got = outcomes(result);
  const wrong: string[] = [];
  for (const [id, row] of Object.entries(EXPECTED)) {
    row.forEach((want, i) => {
      const key = `${id}@${i + 1}`;
      if (got.get(key) !== want) wrong.push(`${key}: expected ${want}, got ${got.get(key) ?? 'nothing'}`);
    });
  }
  assert.deepEqual(wrong, [], wrong.join('\n'));
  const unknown = [...got.keys()].filter((k) => !(k.split('@')[0]! in EXPECTED));
  assert.deepEqual(unknown, [], 'every finding is in the table');
}

describe('lab run: every step, every attack, the report', () => {
  let embedded: LabRunResult | undefined;

  test('on the embedded broker: the outcomes of DESIGN §4, evidence from the run, a report in both languages', async (t) => {
    const out = tempDir(t);
    const events: string[] = [];
    const result = await runLab({ out, seed: 'ci', onProgress: (e) => events.push(e.kind) });
    embedded = result;
    t.diagnostic(`embedded: ${result.findings.length} findings in ${result.durationMs} ms`);
    checkExpected(result);
    for (const f of result.findings) {
      if (f.outcome !== 'not-applicable') assert.ok(f.evidence.length > 0, `${f.id} has evidence`);
      assert.ok(f.title.fr.length > 0 && f.result.fr.length > 0, `${f.id} speaks French`);
    }
    assert.ok(events.includes('step-up') && events.includes('attack') && events.includes('step-done'));
    assert.ok(!events.includes('attack-error'), 'every attack ran');

    // Readings flowed in every step; Step 4's TLS is the device's own client signing in the chip.
    for (const s of result.steps) {
      assert.equal(s.ran, true);
      assert.ok(s.readings.published >= 3 && s.readings.received >= 3, `step ${s.step} readings`);
      if (s.step > 1) assert.equal(s.tlsVersion, 'TLSv1.2');
    }

    // The pcaps are real captures: the eavesdropper's view reads Step 1's readings, not Step 2's.
    const step1 = analyzeCapture(readFileSync(join(out, 'step1.pcap')));
    assert.ok(step1.connections.some((c) => c.mqtt?.publishes.some((p) => p.topic === 'm5go/env')));
    const step2 = analyzeCapture(readFileSync(join(out, 'step2.pcap')));
    assert.ok(step2.connections.every((c) => c.protocol === 'tls'));
    assert.ok(step2.connections.every((c) => (c.mqtt?.publishes.length ?? 0) === 0));

    // Private keys the run wrote are 0600.
    for (const f of ['broker.key', 'm5go-01.key', 'm5stack-01.key']) {
      assert.equal(statSync(join(out, 'pki', f)).mode & 0o777, 0o600, f);
    }

    const { files } = writeReport(result, { dir: out, lang: 'fr' });
    const md = readFileSync(files[0]!, 'utf8');
    assert.match(md, /Usurpation/);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { findings: unknown[] };
    assert.equal(json.findings.length, result.findings.length);
    // The seeds' "complete coverage" for Step 3 is checked, and fails: slot 8 is readable on the bus.
    const matrix = strideMatrix(result);
    const step3 = matrix.rows.find((r) => r.step === 3)!;
    assert.equal(step3.cells.I.status, 'exposed');
    assert.ok(step3.cells.I.findingIds.some((id) => id.startsWith('i2c/')));
    const step4 = matrix.rows.find((r) => r.step === 4)!;
    assert.equal(step4.cells.S.status, 'mitigated');
    // Signed readings: the forgery is flagged on the M5Stack, so Step 4 is no longer exposed in R.
    assert.equal(step4.cells.R.status, 'mitigated');
    assert.equal(step3.cells.R.status, 'exposed');
    const forged = result.findings.find((f) => f.id === 'repudiation/forged-reading@4')!;
    const console4 = forged.evidence.find((e) => e.kind === 'device-console')!.data;
    assert.match(console4, /FLAGGED m5go-01 #\d+ \(unsigned\): .* not accepted as m5go-01's\./);
    const s4 = result.steps.find((s) => s.step === 4)!;
    assert.ok(s4.readings.received >= 3, 'the signed readings verified and were accepted');
  });

  test('on the real Mosquitto: the same findings', async (t) => {
    requireTool(MOSQUITTO);
    const out = tempDir(t);
    const result = await runLab({ out, seed: 'ci', broker: 'mosquitto' });
    t.diagnostic(`mosquitto: ${result.findings.length} findings in ${result.durationMs} ms`);
    checkExpected(result);
    if (embedded) assert.deepEqual(outcomes(result), outcomes(embedded));
    assert.match(readFileSync(join(out, 'evidence', 'step2-broker.log'), 'utf8'), /mosquitto version/);
  });
});
