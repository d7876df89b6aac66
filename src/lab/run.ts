/**
 * The main job: bring each step up, run every attack against it, save the captures and the
 * evidence, and hand the findings to the assessment, which writes the report. Findings are
 * results, not failures: the run succeeds when the lab ran.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, systemClock } from '../core/clock.js';
import { isLabError, LabError } from '../core/errors.js';
import { type Finding, STEPS, type StepNumber, type Text } from '../core/findings.js';
import { writeFileAtomic } from '../core/fs.js';
import { SeededRng } from '../core/rng.js';
import type { Attack } from '../attacks/target.js';
import { LAB_ATTACKS } from '../attacks/index.js';
import type { LabRunResult, StepRun } from '../assess/index.js';
import { KeyLogFile } from '../wire/tls/keylog-file.js';
import type { BrokerKind } from './broker.js';
import { createLabPki } from './pki.js';
import { type RunningStep, STEP_KEY_SOURCE, STEP_SIGNED_READINGS, startStep } from './step.js';

export type LabProgress =
  | { readonly kind: 'pki'; readonly ms: number }
  | { readonly kind: 'step-up'; readonly step: StepNumber; readonly ms: number; readonly listener: string }
  | {
      readonly kind: 'attack';
      readonly step: StepNumber;
      readonly attack: string;
      readonly findings: readonly Finding[];
      readonly ms: number;
    }
  | {
      readonly kind: 'attack-error';
      readonly step: StepNumber;
      readonly attack: string;
      readonly error: string;
    }
  | { readonly kind: 'step-done'; readonly step: StepNumber; readonly ms: number; readonly capture: string };

export interface LabRunOptions {
  readonly out: string;
  readonly broker?: BrokerKind;
  /** Steps to run (default all four). */
  readonly steps?: readonly StepNumber[];
  readonly seed?: string;
  readonly clock?: Clock;
  readonly attacks?: readonly Attack[];
  readonly onProgress?: (event: LabProgress) => void;
  /** Tool name and version, for the report header. */
  readonly tool?: string;
  /**
   * Teaching mode, unsafe: the embedded broker writes each TLS step's session secrets to
   * `stepN.keys` (NSS key log, 0600) beside `stepN.pcap`, so Wireshark or `capture analyze
   * --keylog` decrypts the capture. The attacks never read these files.
   */
  readonly keyLog?: boolean;
}

export async function runLab(o: LabRunOptions): Promise<LabRunResult> {
  const started = Date.now();
  const clock = o.clock ?? systemClock;
  const startedAt = clock.now().toISOString();
  const broker = o.broker ?? 'embedded';
  if (o.keyLog && broker !== 'embedded') {
    throw new LabError('ERR_LAB_SETUP', 'a TLS key log needs the embedded broker: Mosquitto writes none', {
      details: { broker },
    });
  }
  const seed = o.seed ?? 'mqtts-lab';
  const selected = new Set(o.steps ?? STEPS);
  const attacks = o.attacks ?? LAB_ATTACKS;
  const progress = o.onProgress ?? (() => undefined);
  mkdirSync(o.out, { recursive: true });
  const t0 = Date.now();
  const pki = await createLabPki({ dir: join(o.out, 'pki'), rng: new SeededRng(`${seed}/pki`), clock });
  progress({ kind: 'pki', ms: Date.now() - t0 });

  const findings: Finding[] = [];
  const steps: StepRun[] = [];
  for (const step of STEPS) {
    if (!selected.has(step)) {
      steps.push(skipped(step, broker));
      continue;
    }
    const keys = o.keyLog && step > 1 ? freshKeyLog(join(o.out, `step${step}.keys`)) : undefined;
    const s = await startStep({
      step,
      broker,
      dir: o.out,
      seed,
      pki,
      clock,
      ...(keys && { keyLog: (line: Buffer) => keys.write(line) }),
    });
    const notes: Text[] = [];
    const listener = `127.0.0.1:${s.broker.port} ${step === 1 ? 'plain MQTT' : 'mTLS (tls_version tlsv1.2)'}`;
    progress({ kind: 'step-up', step, ms: Date.now() - s.startedAt, listener });
    try {
      for (const attack of attacks) {
        const ta = Date.now();
        try {
          const got = await attack.run(s.target);
          findings.push(...got);
          progress({ kind: 'attack', step, attack: attack.name, findings: got, ms: Date.now() - ta });
        } catch (err) {
          // An attack that could not run is reported as such, never turned into a verdict.
          const error = isLabError(err) ? `${err.code}: ${err.message}` : String(err);
          notes.push({
            en: `Attack ${attack.name} could not run: ${error}`,
            fr: `L’attaque ${attack.name} n’a pas pu s’exécuter : ${error}`,
          });
          progress({ kind: 'attack-error', step, attack: attack.name, error });
        }
      }
    } finally {
      const summary = stepSummary(s, broker, listener, notes);
      const pcap = await s.stop();
      const captureFile = `step${step}.pcap`;
      writeFileAtomic(join(o.out, captureFile), pcap, { mode: 0o644, overwrite: true });
      saveLogs(s);
      steps.push({ ...summary, captureFile, durationMs: Date.now() - s.startedAt });
      progress({ kind: 'step-done', step, ms: Date.now() - s.startedAt, capture: captureFile });
    }
  }
  return {
    tool: o.tool ?? 'mqtts-lab',
    seed,
    broker,
    startedAt,
    durationMs: Date.now() - started,
    steps,
    findings,
  };
}

function stepSummary(
  s: RunningStep,
  broker: BrokerKind,
  listener: string,
  notes: Text[],
): Omit<StepRun, 'durationMs'> {
  const pub = s.target.publisher;
  const stats = pub.link?.stats;
  if (s.step === 4) {
    notes.push({
      en: "The publisher's TLS 1.2 client signs its CertificateVerify with the secure element's Sign command on slot 0; no key bytes exist in the device.",
      fr: 'Le client TLS 1.2 du publieur signe son CertificateVerify avec la commande Sign de l’élément sécurisé sur le slot 0 ; aucun octet de clé n’existe dans l’appareil.',
    });
  }
  if (STEP_SIGNED_READINGS[s.step]) {
    notes.push({
      en: 'Each reading is signed in the secure element (slot 0) and the M5Stack verifies it against the publisher certificate it was flashed with: a reading without a valid signature is flagged, not displayed as the device’s (beyond the seeds).',
      fr: 'Chaque mesure est signée dans l’élément sécurisé (slot 0) et le M5Stack la vérifie avec le certificat du publieur flashé avec lui : une mesure sans signature valide est signalée, pas affichée comme celle de l’appareil (au-delà des documents).',
    });
  }
  return {
    step: s.step,
    ran: true,
    broker,
    listener,
    keySource: STEP_KEY_SOURCE[s.step],
    ...(stats?.tlsVersion ? { tlsVersion: stats.tlsVersion } : {}),
    ...(stats?.cipher ? { cipher: stats.cipher } : {}),
    readings: {
      published: pub.publisher?.state.published ?? 0,
      received: s.target.subscriber.subscriber?.state.received ?? 0,
    },
    notes,
  };
}

function skipped(step: StepNumber, broker: BrokerKind): StepRun {
  return {
    step,
    ran: false,
    broker,
    listener: '',
    keySource: STEP_KEY_SOURCE[step],
    readings: { published: 0, received: 0 },
    durationMs: 0,
    notes: [],
  };
}

/** The broker's log and the devices' consoles, beside the report. */
function saveLogs(s: RunningStep): void {
  const put = (name: string, text: string) => s.target.saveArtifact(name, text);
  put(`step${s.step}-broker.log`, s.broker.log());
  put(`step${s.step}-m5go.console.txt`, s.target.publisher.console.text());
  put(`step${s.step}-m5stack.console.txt`, s.target.subscriber.console.text());
}

/** A key log of this run only: the previous run's secrets in the same directory are removed. */
function freshKeyLog(path: string): KeyLogFile {
  rmSync(path, { force: true });
  return KeyLogFile.open(path);
}
