/**
 * One step of the lab, brought up for real: its broker (embedded or Mosquitto) on loopback, a
 * capture relay in front of it recording every byte the devices exchange, the M5Stack
 * subscriber and the M5Go publisher booted on emulated hardware with the step's key source.
 * The running step is the target the attacks act on.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Clock, systemClock } from '../core/clock.js';
import { LabError } from '../core/errors.js';
import type { StepNumber } from '../core/findings.js';
import { writeFileAtomic } from '../core/fs.js';
import { type Rng, SeededRng } from '../core/rng.js';
import type { TimedSecurityEvent } from '../broker/events.js';
import type { AttackTarget, BootOptions } from '../attacks/target.js';
import { waitFor } from '../attacks/wait.js';
import {
  Atecc608Driver,
  Board,
  bootDevice,
  buildFirmwareFlash,
  type FirmwareSettings,
  type KeySource,
  provisionPart,
  type RunningDevice,
  secureElementSigner,
} from '../device/index.js';
import { Atecc608b } from '../hardware/atecc608b/index.js';
import { Environment } from '../hardware/env2/index.js';
import { buildName, createCsr } from '../pki/index.js';
import { type CaptureRelay, startCaptureRelay, type TamperHook } from '../wire/capture/index.js';
import { type BrokerKind, type LabBroker, startLabBroker } from './broker.js';
import type { LabPki } from './pki.js';

export const TOPIC = 'm5go/env';

export const STEP_KEY_SOURCE: Readonly<Record<StepNumber, KeySource>> = {
  1: 'none',
  2: 'flash',
  3: 'se-slot8',
  4: 'se-slot0',
};

/**
 * Steps whose publisher signs each reading in the secure element and whose subscriber verifies
 * it. Step 4 only: it alone has a key the chip signs with (slot 0); Steps 1–3 are the seeds'
 * systems as they stand, unsigned readings included.
 */
export const STEP_SIGNED_READINGS: Readonly<Record<StepNumber, boolean>> = {
  1: false,
  2: false,
  3: false,
  4: true,
};

export interface StartStepOptions {
  readonly step: StepNumber;
  readonly broker: BrokerKind;
  /** The run's output directory: pcaps and evidence go here. */
  readonly dir: string;
  readonly seed: string;
  readonly pki: LabPki;
  readonly clock?: Clock;
  /** Milliseconds between readings (default 200). */
  readonly intervalMs?: number;
  /** Teaching mode: the broker's TLS session secrets, as NSS key log lines. */
  readonly keyLog?: (line: Buffer) => void;
  /** The embedded broker's security events (auth, ACL, revocation), as they happen. */
  readonly onSecurityEvent?: (event: TimedSecurityEvent) => void;
}

export interface RunningStep {
  readonly step: StepNumber;
  readonly target: AttackTarget;
  readonly broker: LabBroker;
  readonly relay: CaptureRelay;
  readonly startedAt: number;
  /** Stop devices, relay and broker; returns the step's capture (pcap). */
  stop(): Promise<Uint8Array>;
}

const BACKOFF = { initialMs: 100, maxMs: 500 } as const;

export async function startStep(o: StartStepOptions): Promise<RunningStep> {
  const startedAt = Date.now();
  const clock = o.clock ?? systemClock;
  const rng: Rng = new SeededRng(`${o.seed}/step${o.step}`);
  const tls = o.step > 1;
  const keySource = STEP_KEY_SOURCE[o.step];
  const stepDir = join(o.dir, `step${o.step}`);
  mkdirSync(stepDir, { recursive: true, mode: 0o700 });
  mkdirSync(join(o.dir, 'evidence'), { recursive: true });

  const broker = await startLabBroker({
    kind: o.broker,
    dir: stepDir,
    tls,
    pki: o.pki,
    ...(o.keyLog && { keyLog: o.keyLog }),
    ...(o.onSecurityEvent && { onSecurityEvent: o.onSecurityEvent }),
  });
  const devices: RunningDevice[] = [];
  let relay: CaptureRelay | undefined;
  let tamper: TamperHook | undefined;
  const cleanup = async () => {
    for (const d of devices.reverse()) await d.stop().catch(() => undefined);
    await relay?.close().catch(() => undefined);
    await broker.stop().catch(() => undefined);
  };
  try {
    // The devices reach the broker through the relay: the capture is the wire between them. In
    // the file the broker is on the lab sheet's port, so Wireshark dissects MQTT or TLS by port.
    relay = await startCaptureRelay({
      upstreamHost: broker.host,
      upstreamPort: broker.port,
      clock,
      tamper: (chunk, direction, index) => (tamper ? tamper(chunk, direction, index) : chunk),
      capture: { server: { port: tls ? 8883 : 1883 } },
    });
    const base = (role: 'm5go' | 'm5stack', clientId: string): FirmwareSettings => ({
      role,
      keySource,
      mqttHost: '127.0.0.1',
      mqttPort: relay!.port,
      clientId,
      topic: TOPIC,
      ...(tls ? { caCert: o.pki.caCertPem } : {}),
    });
    const sub = await deviceIdentity(o, 'm5stack', rng);
    const pub = await deviceIdentity(o, 'm5go', rng);
    // Signed readings: the M5Stack is flashed with the publisher's certificate next to the CA,
    // and validates it at boot; nothing it receives over MQTT can change whose key it trusts.
    const signed = STEP_SIGNED_READINGS[o.step];
    const subSettings: FirmwareSettings = {
      ...base('m5stack', 'm5stack-01'),
      ...sub.settings,
      ...(signed ? { signedReadings: true, publisherCert: pub.settings.clientCert } : {}),
    };
    const pubSettings: FirmwareSettings = {
      ...base('m5go', 'm5go-01'),
      ...pub.settings,
      ...(signed ? { signedReadings: true } : {}),
    };
    const boot = async (flash: Uint8Array, se: Atecc608b | undefined, extra: { count?: number } = {}) => {
      const d = await bootDevice({
        flash,
        secureElement: se,
        environment: new Environment({ rng: new SeededRng(`${o.seed}/room${o.step}`) }),
        servername: 'localhost',
        rng: new SeededRng(`${o.seed}/link${o.step}/${devices.length}`),
        backoff: BACKOFF,
        intervalMs: o.intervalMs ?? 200,
        clock,
        ...extra,
      });
      devices.push(d);
      return d;
    };
    const subscriber = await boot(buildFirmwareFlash(subSettings), sub.part);
    await until(
      o.step,
      'the subscriber to subscribe',
      10_000,
      () => subscriber.subscriber?.state.subscribed === true,
    );
    const publisherFlash = buildFirmwareFlash(pubSettings);
    const publisher = await boot(publisherFlash, pub.part);
    await until(
      o.step,
      'three readings to reach the subscriber',
      10_000,
      () => (subscriber.subscriber?.state.received ?? 0) >= 3,
    );

    const target: AttackTarget = {
      step: o.step,
      broker: {
        kind: o.broker,
        host: broker.host,
        port: broker.port,
        tls,
        servername: 'localhost',
        log: () => broker.log(),
      },
      caCertPem: o.pki.caCertPem,
      topic: TOPIC,
      publisher,
      subscriber,
      publisherSettings: pubSettings,
      identities: o.pki.attacker,
      capture: () => relay!.toPcap(),
      captureFile: `step${o.step}.pcap`,
      setTamper: (hook) => {
        tamper = hook;
      },
      firmware: (over) => buildFirmwareFlash({ ...pubSettings, ...over }),
      bootDevice: (b: BootOptions) =>
        boot(b.flash ?? publisherFlash, b.secureElement, { count: b.count ?? 1 }),
      saveArtifact: (name, content) => {
        const path = join(o.dir, 'evidence', name);
        writeFileAtomic(path, content, { mode: 0o644, overwrite: true });
        return relative(o.dir, path);
      },
      rng,
      clock,
    };
    const r = relay;
    return {
      step: o.step,
      target,
      broker,
      relay: r,
      startedAt,
      stop: async () => {
        for (const d of devices.reverse()) await d.stop().catch(() => undefined);
        await r.close();
        const pcap = r.toPcap();
        await broker.stop();
        return pcap;
      },
    };
  } catch (err) {
    const log = broker.log();
    await cleanup();
    if (err instanceof LabError) throw err;
    throw new LabError('ERR_LAB_SETUP', `step ${o.step} did not come up: ${(err as Error).message}`, {
      cause: err,
      details: { step: o.step, brokerLog: log.slice(-2000) },
    });
  }
}

/** What a device of this step holds: the certificate in flash, and the key in flash or in its part. */
async function deviceIdentity(
  o: StartStepOptions,
  role: 'm5go' | 'm5stack',
  rng: Rng,
): Promise<{ settings: Partial<FirmwareSettings>; part?: Atecc608b }> {
  const id = role === 'm5go' ? o.pki.publisher : o.pki.subscriber;
  switch (STEP_KEY_SOURCE[o.step]) {
    case 'none':
      return { settings: {} };
    case 'flash':
      return { settings: { clientCert: id.certPem, clientKey: id.keyPem } };
    case 'se-slot8': {
      // The seed's Step 3: the key made off-chip with OpenSSL, written into slot 8, zones locked.
      const part = Atecc608b.create({ rng: new SeededRng(rng.bytes(32)), timing: 'typical' });
      await provisionPart(
        part,
        new Uint8Array(createPrivateKey(id.keyPem).export({ type: 'pkcs8', format: 'der' })),
      );
      return { settings: { clientCert: id.certPem }, part };
    }
    case 'se-slot0': {
      // Step 4: the chip's own slot-0 key; the CSR is signed inside it, only the certificate goes to flash.
      const part = Atecc608b.create({ rng: new SeededRng(rng.bytes(32)), timing: 'typical' });
      const bench = new Board({ flash: new Uint8Array(0), secureElement: part });
      const csr = await createCsr(
        { subject: buildName({ O: 'Ciel Lab', CN: id.cn }) },
        await secureElementSigner(new Atecc608Driver(bench.bus), 0),
      );
      return { settings: { clientCert: await o.pki.issueFromCsr(csr) }, part };
    }
  }
}

async function until(step: StepNumber, what: string, ms: number, check: () => boolean): Promise<void> {
  if (await waitFor(ms, check)) return;
  throw new LabError('ERR_LAB_SETUP', `step ${step}: timed out after ${ms} ms waiting for ${what}`, {
    details: { step, reason: what },
  });
}
