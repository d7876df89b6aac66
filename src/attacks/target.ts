/**
 * What an attack acts on: one running step of the lab (its broker, its devices, the identities
 * an attacker may hold), as the lab layer brings it up. Attacks depend on this interface, not
 * on the lab, so the dependency points down (DESIGN.md §3) and a test can build a target of
 * its own.
 */
import type { Clock } from '../core/clock.js';
import type { Finding, StepNumber } from '../core/findings.js';
import type { Rng } from '../core/rng.js';
import type { FirmwareSettings, RunningDevice } from '../device/index.js';
import type { Atecc608b } from '../hardware/atecc608b/index.js';
import type { TamperHook } from '../wire/capture/index.js';

/** A certificate and its unencrypted private key, in PEM. */
export interface PemIdentity {
  readonly name: string;
  readonly cn: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Identities an attacker may hold, made when the step is set up. None of them is the
 * publisher's: stealing that one is what the flash and bus attacks try.
 */
export interface AttackerIdentities {
  /** Issued by an unrelated CA, with the publisher's CN. */
  readonly otherCa: PemIdentity;
  /** Issued by a self-made root whose subject is byte-for-byte the lab CA's. */
  readonly fakeRoot: PemIdentity;
  /** Lab CA, validity ended yesterday. */
  readonly expired: PemIdentity;
  /** Lab CA, validity starts tomorrow. */
  readonly notYetValid: PemIdentity;
  /** Lab CA, listed in the CRL the broker loads. */
  readonly revoked: PemIdentity;
  /** Lab CA, a valid device (m5go-99) whose ACL grant does not include the readings topic. */
  readonly intruder: PemIdentity;
  /** Lab CA, the broker operator's identity: the ACL lets it write every topic (stands for a compromised broker). */
  readonly operator: PemIdentity;
}

export interface BrokerEndpoint {
  readonly kind: 'embedded' | 'mosquitto';
  /** Always a loopback address. */
  readonly host: string;
  /** The step's listener, reached directly (not through the capture relay). */
  readonly port: number;
  /** Mutual TLS (steps 2–4) or plain MQTT (step 1). */
  readonly tls: boolean;
  /** The name in the broker's certificate. */
  readonly servername: string;
  /** Everything the broker has logged so far. */
  log(): string;
}

export interface BootOptions {
  /** Shown in consoles and evidence, e.g. "clone from flash dump". */
  readonly label: string;
  /** Firmware to boot; default: the publisher's. */
  readonly flash?: Uint8Array;
  readonly secureElement?: Atecc608b;
  /** Publisher readings before it stops (default 1). */
  readonly count?: number;
}

export interface AttackTarget {
  readonly step: StepNumber;
  readonly broker: BrokerEndpoint;
  readonly caCertPem: string;
  /** The readings topic, m5go/env. */
  readonly topic: string;
  readonly publisher: RunningDevice;
  readonly subscriber: RunningDevice;
  /** The publisher's firmware constants (its key source says which step it is built for). */
  readonly publisherSettings: FirmwareSettings;
  readonly identities: AttackerIdentities;
  /** The step's capture so far (pcap): every byte the devices exchanged with the broker. */
  capture(): Uint8Array;
  /** Where the step's capture is saved, relative to the output directory (e.g. step2.pcap). */
  readonly captureFile: string;
  /**
   * An active attacker on the devices' path: the hook sees (and may change) every chunk the
   * capture relay forwards until it is disarmed with undefined.
   */
  setTamper(hook: TamperHook | undefined): void;
  /** A flash image for this step's broker with these constants changed. */
  firmware(over: Partial<FirmwareSettings>): Uint8Array;
  /** Boot another device against this step's broker; it is stopped when the step ends. */
  bootDevice(options: BootOptions): Promise<RunningDevice>;
  /** Write an evidence file beside the report; returns its path relative to the output directory. */
  saveArtifact(name: string, content: Uint8Array | string): string;
  readonly rng: Rng;
  readonly clock: Clock;
}

/** An attack or probe: runs against one step and returns its findings (not-applicable ones too). */
export interface Attack {
  readonly name: string;
  run(target: AttackTarget): Promise<Finding[]>;
}
