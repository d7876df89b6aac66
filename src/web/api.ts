/**
 * The shapes the dashboard's JSON API answers with, shared by the server (which builds them)
 * and the browser code (which draws them). Types only, importing nothing the browser lacks.
 */
import type { StepNumber } from '../core/findings.js';

export interface SlotView {
  readonly slot: number;
  readonly size: number;
  readonly slotConfig: Readonly<Record<string, number | boolean | string>>;
  readonly keyConfig: Readonly<Record<string, number | boolean | string>>;
  readonly locked: boolean;
  readonly privateKey: boolean;
  readonly readable: boolean;
  /** Why Read is refused, as the policy names the deciding bit. */
  readonly readRefusal?: string;
  readonly write: string;
  readonly sign: boolean;
  readonly ecdh: boolean;
  /** Hex of the slot's bytes, only when Read in clear is allowed. */
  readonly contentHex?: string;
  /** The slot holds only zero bytes. */
  readonly blank?: boolean;
}

export type ClientCertificateView =
  | { readonly visibility: 'clear'; readonly subject?: string }
  | { readonly visibility: 'encrypted'; readonly evidence: string }
  | { readonly visibility: 'none'; readonly evidence: string }
  | { readonly visibility: 'unknown'; readonly evidence: string };

export type Visibility = 'clear' | 'encrypted' | 'metadata';

export interface SequenceMessage {
  /** Microseconds since the connection's first segment. */
  readonly atUs: number;
  readonly from: 'client' | 'server';
  readonly label: string;
  readonly visibility: Visibility;
  /** What the observer reads in it (a certificate subject, a topic and payload), when clear. */
  readonly detail?: string;
  /** Consecutive records of the same kind folded into one arrow. */
  readonly count?: number;
  /** TLS 1.3: the handshake messages inside this encrypted flight, which the observer cannot read. */
  readonly hidden?: readonly string[];
}

export interface SequenceConnection {
  readonly index: number;
  readonly client: string;
  readonly server: string;
  readonly protocol: 'tls' | 'mqtt' | 'unknown';
  readonly tlsVersion?: string;
  /** TLS: the client certificate crossed in clear (TLS ≤ 1.2) — the device's identity is exposed. */
  readonly clientCertificateInClear?: boolean;
  /** TLS: the client certificate as the observer sees it (TLS 1.3: inferred from record lengths). */
  readonly clientCertificate?: ClientCertificateView;
  readonly messages: readonly SequenceMessage[];
  /** Messages past the limit: counted, not drawn. */
  readonly omitted: number;
}

export type CaptureSource = 'live' | 'session' | 'run' | 'file';

/** What the page sees of a capture: no path, no bytes. */
export interface CaptureEntry {
  readonly id: string;
  readonly source: CaptureSource;
  readonly name: string;
  readonly step?: StepNumber;
  readonly format?: 'pcap' | 'pcapng';
  readonly bytes?: number;
  /** A key log was given with it: the key holder's view can be shown beside the eavesdropper's. */
  readonly keyLog: boolean;
  readonly error?: { readonly code: string; readonly message: string };
}
