import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../core/findings.js';
import { finding, fullRun, labRun, stepRun } from './fixtures.case.js';
import { renderJson } from './report-json.js';
import { renderMarkdown } from './report-md.js';
import type { LabRunResult } from './types.js';

const evidence = {
  kind: 'capture' as const,
  label: { en: 'Packets', fr: 'Paquets' },
  data: '9 TLSv1.2 Application Data',
  file: 'captures/step2.pcapng',
  packets: [9],
};

test('round trip: the JSON parses back to the run plus matrix, comparisons, claims and risks', () => {
  const f = finding('flash-dump/key@2', 'succeeded', ['S', 'E'], { evidence: [evidence] });
  const run = labRun([f], [stepRun(2, { captureFile: undefined, notes: [{ en: 'n', fr: 'n' }] })]);
  const cellNone = { status: 'not-tested', findingIds: [] };
  const cellF = { status: 'exposed', findingIds: ['flash-dump/key@2'] };
  const json = JSON.parse(renderJson(run));
  assert.deepEqual(Object.keys(json), [
    'schema',
    'tool',
    'seed',
    'broker',
    'startedAt',
    'durationMs',
    'steps',
    'findings',
    'matrix',
    'comparisons',
    'claims',
    'risks',
  ]);
  const { claims, risks, ...rest } = json;
  assert.deepEqual(rest, {
    schema: 'mqtts-lab/report@1',
    tool: 'mqtts-lab 0.1.0',
    seed: 'fixture-seed',
    broker: 'embedded',
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 98765,
    steps: [
      {
        step: 2,
        ran: true,
        broker: 'embedded',
        listener: '127.0.0.1:48883',
        keySource: 'flash',
        tlsVersion: 'TLSv1.2',
        cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256',
        readings: { published: 3, received: 3 },
        durationMs: 2468,
        notes: [{ en: 'n', fr: 'n' }],
      },
    ],
    findings: [
      {
        id: 'flash-dump/key@2',
        attack: 'flash-dump',
        step: 2,
        stride: ['S', 'E'],
        title: f.title,
        attempted: f.attempted,
        outcome: 'succeeded',
        result: f.result,
        evidence: [evidence],
      },
    ],
    matrix: {
      rows: [
        {
          step: 2,
          counts: { succeeded: 1, blocked: 0, notApplicable: 0 },
          cells: { S: cellF, T: cellNone, R: cellNone, I: cellNone, D: cellNone, E: cellF },
        },
      ],
    },
    comparisons: [],
  });
  assert.equal(claims.length, 8);
  assert.deepEqual(
    claims.find((c: { id: string }) => c.id === 'step2-flash'),
    {
      id: 'step2-flash',
      source: {
        file: '000_6d254ff295d2c054.txt',
        where: { en: 'Step 2, STRIDE, Spoofing', fr: 'Étape 2, STRIDE, Usurpation' },
        quote: "Si extraite physiquement, un attaquant peut cloner l'identité du dispositif",
      },
      claim: {
        en: 'The key compiled into flash can be dumped and the device identity cloned.',
        fr: 'La clé compilée en flash peut être extraite et l’identité du dispositif clonée.',
      },
      verdict: 'holds',
      because: {
        en: 'Confirmed by the flash dump. flash-dump/key@2 — It succeeded (flash-dump/key@2).',
        fr: 'Confirmé par le dump de la flash. flash-dump/key@2 — Issue : réussie (flash-dump/key@2).',
      },
      findingIds: ['flash-dump/key@2'],
    },
  );
  assert.deepEqual(risks, [
    {
      case: 'flash-dump/key',
      title: f.title,
      stride: ['S', 'E'],
      steps: [2],
      findingIds: ['flash-dump/key@2'],
      inLastStep: true,
      mitigation: risks[0].mitigation,
      mitigationSource: 'catalog',
    },
  ]);
});

test('key order comes from the report, not from how a finding object was built; data is never cut', () => {
  const a = finding('x/y@3', 'blocked', ['D'], { evidence: [{ ...evidence, data: 'd'.repeat(9000) }] });
  const shuffled = Object.fromEntries(Object.entries(a).reverse()) as unknown as Finding;
  const one = renderJson(labRun([a], [stepRun(3)]));
  assert.equal(renderJson(labRun([shuffled], [stepRun(3)])), one);
  assert.ok(one.includes('d'.repeat(9000)));
  assert.ok(one.endsWith('}\n'));
});

test('a full run: every finding carries step, stride, outcome and evidence; comparisons 1→2, 2→3, 3→4', () => {
  const json = JSON.parse(renderJson(fullRun()));
  assert.equal(json.findings.length, 33);
  for (const f of json.findings)
    for (const k of ['step', 'stride', 'outcome', 'evidence']) assert.ok(k in f, k);
  assert.deepEqual(
    json.comparisons.map((c: { from: number; to: number }) => `${c.from}→${c.to}`),
    ['1→2', '2→3', '3→4'],
  );
});

test('the run read back from report.json renders the same reports again', () => {
  const run = fullRun();
  const { tool, seed, broker, startedAt, durationMs, steps, findings } = JSON.parse(renderJson(run));
  const back: LabRunResult = { tool, seed, broker, startedAt, durationMs, steps, findings };
  assert.equal(renderJson(back), renderJson(run));
  assert.equal(renderMarkdown(back, 'fr'), renderMarkdown(run, 'fr'));
});
