/** The JSON the server sends (src/web/state.ts, slots.ts, sequence.ts), as the page reads it. */
import type { CaptureEntry, SequenceConnection, SlotView } from '../api.js';

export type {
  CaptureEntry,
  ClientCertificateView,
  SequenceConnection,
  SequenceMessage,
  SlotView,
} from '../api.js';

export type Lang = 'en' | 'fr';
export interface Text {
  readonly en: string;
  readonly fr: string;
}

export interface DeviceState {
  readonly role: 'm5go' | 'm5stack';
  readonly clientId: string;
  readonly keySource: string;
  readonly status: 'running' | 'halted';
  readonly connected: boolean;
  readonly haltReason?: string;
  readonly tlsVersion?: string;
  readonly cipher?: string;
  readonly connects: number;
  readonly failures: number;
  readonly lastError?: string;
  readonly published: number;
  readonly received: number;
  readonly flagged: number;
  readonly secureElement: {
    readonly present: boolean;
    readonly address?: string;
    readonly profile?: string;
    readonly locks?: { readonly config: boolean; readonly data: boolean };
  };
}

export interface LabState {
  readonly step: 1 | 2 | 3 | 4;
  readonly up: boolean;
  readonly activeAttack: string | null;
  readonly steps: readonly { step: number; title: Text; keySource: string; signedReadings: boolean }[];
  readonly attacks: readonly { name: string; label: Text }[];
  readonly broker?: {
    readonly kind: string;
    readonly host: string;
    readonly port: number;
    readonly tls: boolean;
    readonly listener: string;
    readonly relayPort: number;
    readonly relayConnections: number;
  };
  readonly devices?: readonly DeviceState[];
  readonly topic?: string;
}

export interface Reading {
  readonly deviceId: string;
  readonly seq: number;
  readonly timestamp: string;
  readonly temperature: number;
  readonly humidity: number;
  readonly pressure: number;
}

export interface ConsoleLine {
  readonly ms: number;
  readonly text: string;
}

export interface SecurityEvent {
  readonly type: string;
  readonly at: string;
  readonly clientId?: string;
  readonly reason?: string;
  readonly topic?: string;
  readonly certificateSubject?: string;
}

export interface Evidence {
  readonly kind: string;
  readonly label: Text;
  readonly data: string;
  readonly file?: string;
  readonly packets?: readonly number[];
}

export interface Finding {
  readonly id: string;
  readonly attack: string;
  readonly step: number;
  readonly stride: readonly string[];
  readonly title: Text;
  readonly attempted: Text;
  readonly outcome: 'succeeded' | 'blocked' | 'not-applicable';
  readonly result: Text;
  readonly evidence: readonly Evidence[];
  readonly mitigation?: Text;
}

export interface AttackRun {
  readonly attack: string;
  readonly step: number;
  readonly findings: readonly Finding[];
  readonly ms: number;
  readonly error?: string;
}

export interface SlotMap {
  readonly step: number;
  readonly present: boolean;
  readonly profile?: string;
  readonly i2cAddress?: string;
  readonly serial?: string;
  readonly locks?: { readonly config: boolean; readonly data: boolean };
  readonly slots: readonly SlotView[];
}

export interface Sequence {
  readonly step: number;
  readonly capture: CaptureEntry;
  readonly connections: readonly SequenceConnection[];
  readonly totalConnections: number;
}

export interface KeyHolderConnection {
  readonly index: number;
  readonly status: string;
  readonly detail: string;
  readonly clientCertificate?: string;
  readonly clientId?: string;
  readonly username?: string;
  readonly publishes: readonly { topic: string; payload: string }[];
}

export interface Eavesdropper {
  readonly step: number;
  readonly capture: CaptureEntry;
  readonly keyHolder?: {
    readonly sessions: number;
    readonly decryptedConnections: number;
    readonly connections: readonly KeyHolderConnection[];
  };
  readonly packets: number;
  readonly totalConnections: number;
  readonly connections: readonly {
    readonly index: number;
    readonly client: string;
    readonly server: string;
    readonly protocol: string;
    readonly bytes: { readonly c2s: number; readonly s2c: number };
    readonly verdict: { readonly payload: string; readonly identity: string; readonly metadata: string };
    readonly observations: readonly { item: string; verdict: string; value?: string; detail: string }[];
  }[];
}

export type CellStatus = 'exposed' | 'mitigated' | 'not-tested';
export interface Matrix {
  readonly categories: readonly string[];
  readonly rows: readonly {
    readonly step: number;
    readonly cells: Readonly<Record<string, { status: CellStatus; findingIds: readonly string[] }>>;
    readonly counts: { succeeded: number; blocked: number; notApplicable: number };
  }[];
  readonly findings: readonly Finding[];
}
