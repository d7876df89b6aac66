/**
 * The eavesdropper's view of a capture, as data. Field names are stable: the CLI prints this
 * object as JSON and docs/capture.md ("The eavesdropper's view") documents every field.
 */
import type { Endpoint } from '../pcap/frames/tcp.js';
import type { CaptureFormat } from '../pcap/packet.js';

export type Direction = 'c2s' | 's2c';

/** exposed: read in clear; hidden: encrypted; partial: some of it, or only inferred. */
export type Verdict = 'exposed' | 'hidden' | 'partial';

/** Where in the capture an observation comes from: one MQTT packet, TLS record or handshake message. */
export interface Evidence {
  readonly direction: Direction;
  /** Capture time of the first byte of the unit, microseconds since the Unix epoch. */
  readonly timeUs: number;
  /** Offset of the unit in its direction's reassembled stream. */
  readonly offset: number;
  /** Bytes of the unit in that stream: [offset, offset + length). Headers included. */
  readonly length: number;
}

/** Stable keys of what an observer can learn (docs/capture.md lists them). */
export type ObservationItem =
  | 'tcp.endpoints'
  | 'tcp.timing'
  | 'tcp.volume'
  | 'mqtt.protocol'
  | 'mqtt.client-id'
  | 'mqtt.username'
  | 'mqtt.password'
  | 'mqtt.will'
  | 'mqtt.connack'
  | 'mqtt.publish'
  | 'mqtt.subscribe'
  | 'mqtt.suback'
  | 'mqtt.unsubscribe'
  | 'mqtt.disconnect'
  | 'mqtt.auth'
  | 'tls.version'
  | 'tls.cipher-suite'
  | 'tls.sni'
  | 'tls.alpn'
  | 'tls.server-certificate'
  | 'tls.client-certificate'
  | 'tls.handshake'
  | 'tls.alert'
  | 'tls.application-data'
  | 'traffic.pattern'
  | 'payload';

export interface Observation {
  readonly item: ObservationItem;
  readonly verdict: Verdict;
  /** What the observer reads, as text; absent when the item is hidden. */
  readonly value?: string;
  /** One sentence on what it means (why it is hidden, what is inferred and how sure). */
  readonly detail: string;
  /** At most MAX_EVIDENCE units, the first ones. */
  readonly evidence: readonly Evidence[];
}

/** Something the analysis could not read; never an exception. */
export interface AnalysisNote {
  readonly direction?: Direction;
  /** Offset in the direction's stream, when the note is about a place in it. */
  readonly offset?: number;
  readonly what: string;
}

export interface ConnectionVerdict {
  /** The application bytes (MQTT topics and payloads). */
  readonly payload: 'exposed' | 'hidden';
  /** Who the client is: MQTT client id / username, or the client certificate's subject. */
  readonly identity: 'exposed' | 'hidden';
  /** Endpoints, sizes and times: no encryption hides them. */
  readonly metadata: 'exposed';
  readonly why: { readonly payload: string; readonly identity: string; readonly metadata: string };
}

/** Bytes as the observer reads them: text when printable UTF-8, otherwise hex. */
export interface BytesView {
  readonly bytes: number;
  readonly text?: string;
  readonly hex?: string;
  /** Only the first PREVIEW_BYTES are kept. */
  readonly truncated: boolean;
}

export interface MqttPublishView {
  readonly direction: Direction;
  readonly topic: string;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
  readonly dup: boolean;
  readonly messageId?: number;
  readonly payload: BytesView;
  readonly evidence: Evidence;
}

export interface MqttView {
  /** 3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0, from the CONNECT; absent when no CONNECT was captured. */
  readonly protocolLevel?: 3 | 4 | 5;
  readonly protocolName?: string;
  readonly connect?: {
    readonly clientId: string;
    readonly username?: string;
    readonly password?: BytesView;
    readonly will?: {
      readonly topic: string;
      readonly payload: BytesView;
      readonly qos: number;
      readonly retain: boolean;
    };
    readonly keepalive: number;
    readonly cleanSession: boolean;
    readonly evidence: Evidence;
  };
  readonly connack?: {
    readonly code: number;
    readonly name: string;
    readonly sessionPresent: boolean;
    readonly evidence: Evidence;
  };
  readonly publishes: readonly MqttPublishView[];
  readonly subscriptions: readonly {
    readonly filter: string;
    readonly qos: number;
    readonly evidence: Evidence;
  }[];
  readonly unsubscriptions: readonly { readonly filter: string; readonly evidence: Evidence }[];
  /** Packets decoded per direction, by mqtt-packet's `cmd` name. */
  readonly packets: {
    readonly c2s: Readonly<Record<string, number>>;
    readonly s2c: Readonly<Record<string, number>>;
  };
  /** PUBLISH packets and subscription filters past `maxMessages`: counted, not listed. */
  readonly omittedMessages: number;
}

export interface CertificateView {
  readonly subject?: string;
  readonly subjectCn?: string;
  readonly issuer?: string;
  readonly serial?: string;
  readonly sha256Fingerprint?: string;
}

export interface TlsView {
  readonly version?: string;
  readonly cipherSuite?: string;
  readonly keyExchangeGroup?: string;
  readonly sni?: string;
  readonly alpnOffered: readonly string[];
  readonly alpnSelected?: string;
  readonly serverCertificate: { readonly visible: boolean; readonly chain: readonly CertificateView[] };
  readonly clientCertificate: {
    readonly requested: boolean | 'unknown';
    readonly sent: boolean | 'unknown';
    readonly visible: boolean;
    readonly certificate?: CertificateView;
  };
  readonly handshake: {
    readonly status: string;
    readonly evidence: string;
    readonly inferred: boolean;
    readonly alert?: { readonly by: Direction; readonly description: string };
  };
  readonly alerts: readonly {
    readonly direction: Direction;
    readonly timeUs: number;
    readonly encrypted: boolean;
    readonly level?: string;
    readonly description?: string;
  }[];
  /** AEAD bytes added to each record (undefined for CBC/stream suites or no ServerHello). */
  readonly aeadOverhead?: number;
  readonly records: { readonly c2s: number; readonly s2c: number };
}

export interface RecordView {
  readonly timeUs: number;
  readonly offset: number;
  /** The record's length field (fragment, header excluded): tshark's tls.record.length. */
  readonly recordLength: number;
  /** recordLength minus the AEAD overhead; an upper bound in TLS 1.3 (padding). */
  readonly plaintextLength?: number;
}

export interface Range {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Records of one direction whose lengths are within a few percent of each other. */
export interface SizeGroup {
  readonly direction: Direction;
  readonly count: number;
  readonly recordLength: Range;
  readonly plaintextLength?: Range;
  /** Between consecutive records of the group; absent with fewer than two records. */
  readonly intervalUs?: Range;
  /** At least MIN_PERIODIC records, most intervals within ±25 % of the median. */
  readonly periodic: boolean;
  readonly firstUs: number;
  readonly lastUs: number;
  /** What the pattern suggests, worded as an inference. */
  readonly inference: string;
}

export interface TrafficAnalysis {
  /** Type-23 records: application data, and in TLS 1.3 the encrypted handshake too. */
  readonly records: { readonly c2s: readonly RecordView[]; readonly s2c: readonly RecordView[] };
  /** Records past `maxRecords` per direction: counted and grouped, not listed. */
  readonly omittedRecords: { readonly c2s: number; readonly s2c: number };
  readonly aeadOverhead?: number;
  readonly plaintextIsUpperBound: boolean;
  readonly groups: readonly SizeGroup[];
}

/**
 * What a TLS key log's holder reads (capture analyze --keylog): not the eavesdropper's view, who
 * has no keys. MQTT evidence offsets here are in the decrypted application-data stream.
 */
export interface DecryptedView {
  /** decrypted: every protected record; partial: some did not authenticate; the others: none. */
  readonly status: 'decrypted' | 'partial' | 'failed' | 'no-secrets' | 'unsupported';
  readonly detail: string;
  readonly records: { readonly decrypted: number; readonly failed: number };
  /** The first records that did not authenticate (at most 10). */
  readonly failures: readonly {
    readonly direction: Direction;
    readonly recordIndex: number;
    readonly what: string;
  }[];
  /** TLS 1.3: the server's ALPN choice, from EncryptedExtensions. */
  readonly alpnSelected?: string;
  /** TLS 1.3: the client certificate, from its encrypted Certificate message. */
  readonly clientCertificate?: CertificateView;
  /** Alerts inside protected records (close_notify, for one). */
  readonly alerts: readonly {
    readonly direction: Direction;
    readonly timeUs: number;
    readonly level?: string;
    readonly description?: string;
  }[];
  readonly mqtt?: MqttView;
  readonly notes?: readonly AnalysisNote[];
}

export type ConnectionProtocol = 'mqtt' | 'tls' | 'unknown' | 'empty';

export interface ConnectionAnalysis {
  /** Position in the capture (0-based, as tshark's tcp.stream). */
  readonly index: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly startUs: number;
  readonly endUs: number;
  readonly bytes: { readonly c2s: number; readonly s2c: number };
  readonly protocol: ConnectionProtocol;
  readonly verdict: ConnectionVerdict;
  readonly observations: readonly Observation[];
  readonly mqtt?: MqttView;
  readonly tls?: TlsView;
  readonly traffic?: TrafficAnalysis;
  /** Only with a key log: what its holder reads inside the TLS records. */
  readonly decrypted?: DecryptedView;
  readonly notes: readonly AnalysisNote[];
}

export interface CaptureAnalysis {
  readonly kind: 'mqtts-lab.capture-analysis';
  readonly version: 1;
  readonly format: CaptureFormat;
  readonly packets: number;
  readonly tcpSegments: number;
  readonly connections: readonly ConnectionAnalysis[];
  /** Only with a key log: its sessions, and the TLS connections it decrypted. */
  readonly keyLog?: { readonly sessions: number; readonly decryptedConnections: number };
  readonly notes: readonly AnalysisNote[];
}
