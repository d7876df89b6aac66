/**
 * What a lab run hands to the assessment: the steps it brought up and the findings its attacks
 * returned. The assessment reads only this, so a report can be rebuilt from a saved run
 * (report.json) without running anything again.
 */
import type { Finding, StepNumber, Text } from '../core/findings.js';

export type BrokerKind = 'embedded' | 'mosquitto';

/** Where the device's TLS private key lives (DESIGN.md §4: the four steps differ by this). */
export type KeySource = 'none' | 'flash' | 'se-slot8' | 'se-slot0';

export interface StepRun {
  readonly step: StepNumber;
  /** False when --step selected another step: its row is absent from the matrix, not "safe". */
  readonly ran: boolean;
  readonly broker: BrokerKind;
  /** e.g. "127.0.0.1:41883 plain MQTT" / "127.0.0.1:48883 mTLS (TLS 1.2)". */
  readonly listener: string;
  readonly keySource: KeySource;
  /** Negotiated by the publisher, e.g. "TLSv1.2". */
  readonly tlsVersion?: string;
  readonly cipher?: string;
  readonly readings: { readonly published: number; readonly received: number };
  /** Relative path of the step's pcap in the output directory. */
  readonly captureFile?: string;
  readonly durationMs: number;
  /** e.g. Step 4: which TLS client signs in the chip. */
  readonly notes: readonly Text[];
}

export interface LabRunResult {
  /** e.g. "mqtts-lab 0.1.0". */
  readonly tool: string;
  readonly seed: string;
  readonly broker: BrokerKind;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly steps: readonly StepRun[];
  readonly findings: readonly Finding[];
}

/** The steps whose row the report shows, in step order. */
export function stepsThatRan(result: LabRunResult): StepRun[] {
  return result.steps.filter((s) => s.ran).sort((a, b) => a.step - b.step);
}

/** `flash-dump/key@2` → `flash-dump/key`: the attack case, the same across steps. */
export function caseOf(findingId: string): string {
  const at = findingId.lastIndexOf('@');
  return at < 0 ? findingId : findingId.slice(0, at);
}
