/**
 * A live lab session: the PKI made once, one step brought up and kept running, switched on
 * request, attacked one attack at a time on demand. It is what the dashboard drives; `runLab`
 * is the batch job over the same pieces (createLabPki, startStep, the attacks), and neither
 * changes the other. Everything the session observes — readings, console lines, the broker's
 * security events, step and attack changes — is offered to listeners as typed events.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { type Clock, systemClock } from '../core/clock.js';
import { isLabError, LabError } from '../core/errors.js';
import type { Finding, StepNumber } from '../core/findings.js';
import { writeFileAtomic } from '../core/fs.js';
import { SeededRng } from '../core/rng.js';
import { LAB_ATTACKS } from '../attacks/index.js';
import type { Attack } from '../attacks/target.js';
import type { LabRunResult, StepRun } from '../assess/index.js';
import type { TimedSecurityEvent } from '../broker/events.js';
import type { ConsoleLine, Reading } from '../device/index.js';
import type { BrokerKind } from './broker.js';
import { createLabPki, type LabPki } from './pki.js';
import { type RunningStep, STEP_KEY_SOURCE, startStep } from './step.js';

export type DeviceRole = 'm5go' | 'm5stack';

export type SessionEvent =
  | { readonly type: 'reading'; readonly step: StepNumber; readonly reading: Reading }
  | {
      readonly type: 'console';
      readonly step: StepNumber;
      readonly device: DeviceRole;
      readonly line: ConsoleLine;
    }
  | { readonly type: 'security'; readonly step: StepNumber; readonly event: TimedSecurityEvent }
  | {
      readonly type: 'step';
      readonly step: StepNumber;
      readonly state: 'starting' | 'up' | 'stopped' | 'failed';
    }
  | {
      readonly type: 'attack';
      readonly step: StepNumber;
      readonly attack: string;
      readonly state: 'running' | 'done' | 'failed';
    };

export interface AttackRun {
  readonly attack: string;
  readonly step: StepNumber;
  readonly findings: readonly Finding[];
  readonly ms: number;
  /** Set when the attack could not run: an error, never a verdict. */
  readonly error?: string;
}

export interface LabSessionOptions {
  /** Output directory: the PKI, the step's files, captures saved on switch, evidence. */
  readonly out: string;
  /** The step brought up first (default 3, the seeds' design). */
  readonly step?: StepNumber;
  readonly broker?: BrokerKind;
  readonly seed?: string;
  readonly clock?: Clock;
  readonly attacks?: readonly Attack[];
  /** Milliseconds between readings (default 1000: a chart a person can follow). */
  readonly intervalMs?: number;
  /** A finished run whose findings fill the matrix until an attack is run again here. */
  readonly baseline?: LabRunResult;
}

/** Readings kept per step for the chart. */
const KEEP_READINGS = 600;

export class LabSession {
  readonly out: string;
  readonly broker: BrokerKind;
  readonly seed: string;
  readonly attacks: readonly Attack[];
  readonly #pki: LabPki;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #baseline: LabRunResult | undefined;
  readonly #listeners = new Set<(e: SessionEvent) => void>();
  readonly #findings = new Map<string, Finding>();
  readonly #readings: Reading[] = [];
  readonly #security: TimedSecurityEvent[] = [];
  readonly #ran = new Set<StepNumber>();
  #running: RunningStep | undefined;
  #step: StepNumber;
  #busy: Promise<unknown> = Promise.resolve();
  #unhook: (() => void)[] = [];
  #closed = false;
  #activeAttack: string | undefined;

  private constructor(o: LabSessionOptions, pki: LabPki) {
    this.out = o.out;
    this.broker = o.broker ?? 'embedded';
    this.seed = o.seed ?? 'mqtts-lab';
    this.attacks = o.attacks ?? LAB_ATTACKS;
    this.#pki = pki;
    this.#clock = o.clock ?? systemClock;
    this.#intervalMs = o.intervalMs ?? 1000;
    this.#baseline = o.baseline;
    this.#step = o.step ?? 3;
  }

  /** Make the PKI and bring up the first step. */
  static async start(o: LabSessionOptions): Promise<LabSession> {
    const seed = o.seed ?? 'mqtts-lab';
    const clock = o.clock ?? systemClock;
    mkdirSync(o.out, { recursive: true });
    const pki = await createLabPki({ dir: join(o.out, 'pki'), rng: new SeededRng(`${seed}/pki`), clock });
    const session = new LabSession(o, pki);
    await session.#bringUp(session.#step);
    return session;
  }

  get step(): StepNumber {
    return this.#step;
  }

  /** The running step, or undefined while switching or after a failed start. */
  get running(): RunningStep | undefined {
    return this.#running;
  }

  get pkiDir(): string {
    return this.#pki.dir;
  }

  /** The attack in progress, if any. */
  get activeAttack(): string | undefined {
    return this.#activeAttack;
  }

  subscribe(listener: (e: SessionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Readings of the current step, oldest first. */
  readings(): readonly Reading[] {
    return this.#readings.slice();
  }

  securityEvents(): readonly TimedSecurityEvent[] {
    return this.#security.slice();
  }

  /** Stop the current step (its capture saved as stepN.pcap) and bring up another. */
  switchStep(step: StepNumber): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) throw closedError();
      await this.#takeDown();
      await this.#bringUp(step);
    });
  }

  /** Run one attack, by name, against the running step; its findings replace that attack's earlier ones there. */
  runAttack(name: string): Promise<AttackRun> {
    const attack = this.attacks.find((a) => a.name === name);
    if (attack === undefined) {
      return Promise.reject(
        new LabError('ERR_OPTIONS_INVALID', `no attack named "${name}"`, {
          details: { option: 'attack', known: this.attacks.map((a) => a.name).join(', ') },
        }),
      );
    }
    return this.#serial(async () => {
      const s = this.#running;
      if (this.#closed) throw closedError();
      if (s === undefined) {
        throw new LabError('ERR_LAB_SETUP', `step ${this.#step} is not running`, {
          details: { step: this.#step },
        });
      }
      const t0 = Date.now();
      this.#activeAttack = attack.name;
      this.#emit({ type: 'attack', step: s.step, attack: attack.name, state: 'running' });
      try {
        const findings = await attack.run(s.target);
        for (const [id, f] of this.#findings)
          if (f.attack === attack.name && f.step === s.step) this.#findings.delete(id);
        for (const f of findings) this.#findings.set(f.id, f);
        this.#ran.add(s.step);
        this.#emit({ type: 'attack', step: s.step, attack: attack.name, state: 'done' });
        return { attack: attack.name, step: s.step, findings, ms: Date.now() - t0 };
      } catch (err) {
        // As in runLab: an attack that could not run is reported as such, never turned into a verdict.
        const error = isLabError(err) ? `${err.code}: ${err.message}` : String(err);
        this.#emit({ type: 'attack', step: s.step, attack: attack.name, state: 'failed' });
        return { attack: attack.name, step: s.step, findings: [], ms: Date.now() - t0, error };
      } finally {
        this.#activeAttack = undefined;
      }
    });
  }

  /** Findings of this session, each replacing the baseline's finding of the same id. */
  findings(): readonly Finding[] {
    const own = [...this.#findings.values()];
    const replaced = new Set(own.map((f) => `${f.attack}@${f.step}`));
    const base = (this.#baseline?.findings ?? []).filter((f) => !replaced.has(`${f.attack}@${f.step}`));
    return [...base, ...own];
  }

  /** The finding came from an attack run in this session (not from the baseline run). */
  isOwn(f: Finding): boolean {
    return this.#findings.get(f.id) === f;
  }

  /** What the assessment reads: the baseline's steps and every step attacked here. */
  result(): LabRunResult {
    const steps: StepRun[] = [];
    for (const step of [1, 2, 3, 4] as const) {
      const base = this.#baseline?.steps.find((s) => s.step === step && s.ran);
      if (base) steps.push(base);
      else if (this.#ran.has(step)) steps.push(this.#stepRun(step));
    }
    return {
      tool: this.#baseline?.tool ?? 'mqtts-lab',
      seed: this.seed,
      broker: this.broker,
      startedAt: this.#baseline?.startedAt ?? this.#clock.now().toISOString(),
      durationMs: this.#baseline?.durationMs ?? 0,
      steps,
      findings: this.findings(),
    };
  }

  async close(): Promise<void> {
    await this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      await this.#takeDown();
    });
    this.#listeners.clear();
  }

  #stepRun(step: StepNumber): StepRun {
    const s = this.#running?.step === step ? this.#running : undefined;
    const pub = s?.target.publisher;
    return {
      step,
      ran: true,
      broker: this.broker,
      listener: s ? listenerOf(s) : '',
      keySource: STEP_KEY_SOURCE[step],
      ...(pub?.link?.stats.tlsVersion ? { tlsVersion: pub.link.stats.tlsVersion } : {}),
      readings: {
        published: pub?.publisher?.state.published ?? 0,
        received: s?.target.subscriber.subscriber?.state.received ?? 0,
      },
      captureFile: `step${step}.pcap`,
      durationMs: s ? Date.now() - s.startedAt : 0,
      notes: [],
    };
  }

  async #bringUp(step: StepNumber): Promise<void> {
    this.#step = step;
    this.#readings.length = 0;
    this.#security.length = 0;
    this.#emit({ type: 'step', step, state: 'starting' });
    let s: RunningStep;
    try {
      s = await startStep({
        step,
        broker: this.broker,
        dir: this.out,
        seed: this.seed,
        pki: this.#pki,
        clock: this.#clock,
        intervalMs: this.#intervalMs,
        onSecurityEvent: (event) => {
          this.#security.push(event);
          if (this.#security.length > KEEP_READINGS) this.#security.shift();
          this.#emit({ type: 'security', step, event });
        },
      });
    } catch (err) {
      this.#emit({ type: 'step', step, state: 'failed' });
      throw err;
    }
    this.#running = s;
    const sub = s.target.subscriber;
    this.#readings.push(...(sub.subscriber?.state.readings ?? []).slice(-KEEP_READINGS));
    const unReading = sub.subscriber?.onReading((reading, status) => {
      if (status.kind === 'flagged') return;
      this.#readings.push(reading);
      if (this.#readings.length > KEEP_READINGS) this.#readings.shift();
      this.#emit({ type: 'reading', step, reading });
    });
    this.#unhook = [
      ...(unReading ? [unReading] : []),
      s.target.publisher.console.onLine((line) =>
        this.#emit({ type: 'console', step, device: 'm5go', line }),
      ),
      sub.console.onLine((line) => this.#emit({ type: 'console', step, device: 'm5stack', line })),
    ];
    this.#emit({ type: 'step', step, state: 'up' });
  }

  async #takeDown(): Promise<void> {
    const s = this.#running;
    if (s === undefined) return;
    for (const u of this.#unhook) u();
    this.#unhook = [];
    this.#running = undefined;
    const pcap = await s.stop();
    writeFileAtomic(join(this.out, `step${s.step}.pcap`), pcap, { mode: 0o644, overwrite: true });
    this.#emit({ type: 'step', step: s.step, state: 'stopped' });
  }

  /** One operation at a time: an attack never runs while the step is switching. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#busy.then(op, op);
    this.#busy = next.catch(() => undefined);
    return next;
  }

  #emit(e: SessionEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure (a closed HTTP stream) must not stop the lab.
      }
    }
  }
}

/** As `lab run` words it. */
export function listenerOf(s: RunningStep): string {
  return `127.0.0.1:${s.broker.port} ${s.step === 1 ? 'plain MQTT' : 'mTLS (tls_version tlsv1.2)'}`;
}

function closedError(): LabError {
  return new LabError('ERR_LAB_SETUP', 'the lab session is closed', { details: { reason: 'closed' } });
}
