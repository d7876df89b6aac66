/**
 * The findings model: what an attack or probe returns, and what the assessment turns into a
 * STRIDE matrix. A finding is the record of something that ran — what was attempted, what
 * happened, and the evidence (capture packets, log lines, bytes read on a bus, a key
 * fingerprint) — never a statement written in advance.
 */

/** The lab's steps: 1 plain MQTT, 2 mTLS + key in flash, 3 key in SE slot 8, 4 key in SE slot 0. */
export type StepNumber = 1 | 2 | 3 | 4;
export const STEPS: readonly StepNumber[] = [1, 2, 3, 4];

/** STRIDE (Microsoft's threat categories), by initial. */
export type StrideCategory = 'S' | 'T' | 'R' | 'I' | 'D' | 'E';
export const STRIDE_CATEGORIES: readonly StrideCategory[] = ['S', 'T', 'R', 'I', 'D', 'E'];

/** Every sentence a report shows exists in both of the lab's languages. */
export interface Text {
  readonly en: string;
  readonly fr: string;
}
export type Lang = keyof Text;

export const STRIDE_NAMES: Readonly<Record<StrideCategory, Text>> = {
  S: { en: 'Spoofing', fr: 'Usurpation' },
  T: { en: 'Tampering', fr: 'Falsification' },
  R: { en: 'Repudiation', fr: 'Répudiation' },
  I: { en: 'Information disclosure', fr: 'Divulgation d’information' },
  D: { en: 'Denial of service', fr: 'Déni de service' },
  E: { en: 'Elevation of privilege', fr: 'Élévation de privilèges' },
};

/**
 * succeeded: the attack did what it tried (a risk is real); blocked: the system stopped it;
 * not-applicable: the step has nothing to attack there (e.g. no secure element in Step 2).
 */
export type Outcome = 'succeeded' | 'blocked' | 'not-applicable';

export type EvidenceKind =
  | 'capture' // packets of a pcap file
  | 'broker-log' // lines the broker wrote
  | 'device-console' // the device's serial output
  | 'bus' // I2C transactions (what a logic analyser sees)
  | 'key' // a recovered key: its fingerprint, never the key itself
  | 'flash' // offsets in a flash image
  | 'connection' // what a client saw: CONNACK, alert, error code
  | 'measure'; // a count or a time

export interface Evidence {
  readonly kind: EvidenceKind;
  readonly label: Text;
  /** The observed data, verbatim (log lines, hex, packet summaries). Language-neutral. */
  readonly data: string;
  /** A file written beside the report (pcap, bus trace), relative to the output directory. */
  readonly file?: string;
  /** Packet numbers in `file` (1-based, as Wireshark numbers them). */
  readonly packets?: readonly number[];
}

export interface Finding {
  /** Stable across runs: `<attack>/<case>@<step>`, e.g. `flash-dump/pem-key@2`. */
  readonly id: string;
  /** The attack or probe that produced it (its module name). */
  readonly attack: string;
  readonly step: StepNumber;
  /** The categories the outcome speaks to; the first is the primary one. */
  readonly stride: readonly [StrideCategory, ...StrideCategory[]];
  readonly title: Text;
  readonly attempted: Text;
  readonly outcome: Outcome;
  /** What happened, in one or two sentences drawn from the evidence. */
  readonly result: Text;
  readonly evidence: readonly Evidence[];
  /** A mitigation, when the attack succeeded. */
  readonly mitigation?: Text;
}

/** Both languages of a sentence that reads the same in each (a number, a name). */
export function same(text: string): Text {
  return { en: text, fr: text };
}
