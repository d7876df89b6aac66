/**
 * Hand-built findings for the assessment tests. `fullRun()` follows the outcome table of
 * DESIGN.md §4 (what the lab must reproduce), so the report tests read like a real run.
 */
import type { Evidence, Finding, Outcome, StepNumber, StrideCategory } from '../core/findings.js';
import type { LabRunResult, StepRun } from './types.js';

type Stride = [StrideCategory, ...StrideCategory[]];

const FR: Record<Outcome, string> = {
  succeeded: 'réussie',
  blocked: 'bloquée',
  'not-applicable': 'sans objet',
};

/** A finding whose step and attack come from its id (`attack/case@step`). */
export function finding(id: string, outcome: Outcome, stride: Stride, over: Partial<Finding> = {}): Finding {
  const step = Number(id.slice(id.lastIndexOf('@') + 1)) as StepNumber;
  return {
    id,
    attack: id.slice(0, id.indexOf('/')),
    step,
    stride,
    title: { en: `Title of ${id}`, fr: `Intitulé de ${id}` },
    attempted: { en: `Tried ${id}`, fr: `Essai de ${id}` },
    outcome,
    result: { en: `It ${outcome} (${id}).`, fr: `Issue : ${FR[outcome]} (${id}).` },
    evidence: [],
    ...over,
  };
}

export function stepRun(step: StepNumber, over: Partial<StepRun> = {}): StepRun {
  return {
    step,
    ran: true,
    broker: 'embedded',
    listener: step === 1 ? '127.0.0.1:41883' : '127.0.0.1:48883',
    keySource: (['none', 'flash', 'se-slot8', 'se-slot0'] as const)[step - 1]!,
    ...(step > 1 && { tlsVersion: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
    readings: { published: 3, received: 3 },
    captureFile: `captures/step${step}.pcapng`,
    durationMs: 1234 * step,
    notes: [],
    ...over,
  };
}

export function labRun(
  findings: readonly Finding[],
  steps: readonly StepRun[] = [1, 2, 3, 4].map((s) => stepRun(s as StepNumber)),
): LabRunResult {
  return {
    tool: 'mqtts-lab 0.1.0',
    seed: 'fixture-seed',
    broker: 'embedded',
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 98765,
    steps,
    findings,
  };
}

const capture = (step: number, packets: number[]): Evidence => ({
  kind: 'capture',
  label: { en: 'Packets on the wire', fr: 'Paquets sur le réseau' },
  data: `${packets[0]} 10.0.0.2 → 10.0.0.1 TLSv1.2 Application Data`,
  file: `captures/step${step}.pcapng`,
  packets,
});

/** Attacker-controlled bytes, as a bus read or a log line could carry them. */
export const HOSTILE = '<script>alert("x")</script> | ``` `a` & </pre> <img src=x onerror=alert(1)>';

export function fullRunFindings(): Finding[] {
  const s = 'succeeded' as const;
  const b = 'blocked' as const;
  const na = 'not-applicable' as const;
  return [
    finding('sniff/payload@1', s, ['I'], { evidence: [capture(1, [4, 6])] }),
    finding('cert/no-certificate@1', s, ['S', 'E']),
    finding('tamper/record@1', s, ['T']),
    finding('flash-dump/key@1', na, ['S', 'I']),
    finding('repudiation/forged-reading@1', s, ['R']),
    finding('sniff/payload@2', b, ['I'], { evidence: [capture(2, [9])] }),
    finding('sniff/identity@2', s, ['I']),
    finding('sniff/traffic-analysis@2', s, ['I']),
    finding('cert/no-certificate@2', b, ['S', 'E']),
    finding('tamper/record@2', b, ['T']),
    finding('flash-dump/key@2', s, ['S', 'I', 'E'], {
      mitigation: { en: 'Own mitigation of the flash finding.', fr: 'Parade propre au constat flash.' },
    }),
    finding('ram/key-after-boot@2', s, ['I', 'S']),
    finding('repudiation/forged-reading@2', s, ['R']),
    finding('i2c/read-slot8@2', na, ['S', 'I']),
    finding('sniff/payload@3', b, ['I']),
    finding('sniff/identity@3', s, ['I']),
    finding('cert/no-certificate@3', b, ['S', 'E']),
    finding('tamper/record@3', b, ['T']),
    finding('flash-dump/key@3', b, ['S', 'I', 'E']),
    finding('i2c/read-slot8@3', s, ['S', 'I'], {
      evidence: [
        {
          kind: 'bus',
          label: { en: 'I2C transactions', fr: 'Transactions I2C' },
          data: HOSTILE,
          file: 'bus/step3.vcd',
        },
      ],
    }),
    finding('i2c/sniff-boot@3', s, ['I', 'S']),
    finding('i2c/overwrite-slot8@3', s, ['T', 'D']),
    finding('se/wrong@3', b, ['S']),
    finding('se/unplugged@3', b, ['D']),
    finding('ram/key-after-boot@3', s, ['I', 'S']),
    finding('repudiation/forged-reading@3', s, ['R']),
    finding('sniff/identity@4', s, ['I']),
    finding('i2c/read-slot8@4', b, ['S', 'I']),
    finding('i2c/sniff-boot@4', b, ['I', 'S']),
    finding('i2c/overwrite-slot8@4', b, ['T', 'D']),
    finding('ram/key-after-boot@4', b, ['I', 'S']),
    finding('flash-dump/key@4', b, ['S', 'I', 'E']),
    finding('repudiation/forged-reading@4', b, ['R']),
  ];
}

export function fullRun(): LabRunResult {
  return labRun(fullRunFindings());
}
