import type { NamedCode, ContentTypeName, TlsVersion } from './registry.js';
import type { TlsRecordTable } from './record-table.js';

export type TlsDirection = 'c2s' | 's2c';

/** One piece of one direction of a reassembled TCP stream, in capture order. */
export interface TlsStreamChunk {
  readonly direction: TlsDirection;
  /** Capture time, microseconds (any epoch; only differences matter). */
  readonly timestampUs: number;
  readonly bytes: Uint8Array;
}

/** Where a stream stopped making sense, and why. The parse goes on wherever framing allows. */
export interface TlsMalformed {
  readonly direction: TlsDirection;
  /** Byte offset in that direction's stream (of the record or handshake message at fault). */
  readonly offset: number;
  readonly what: string;
}

export interface TlsRecord {
  /** Position in the connection, in capture order of the chunk that completed the record. */
  readonly index: number;
  readonly direction: TlsDirection;
  /** Time of the chunk holding the record's first byte, and of the one completing it. */
  readonly timestampUs: number;
  readonly endTimestampUs: number;
  /** Offset of the 5-byte header in its direction's stream. */
  readonly offset: number;
  readonly contentType: number;
  readonly contentTypeName: ContentTypeName;
  /** The record's legacy_version, e.g. 0x0303 (TLS 1.3 records say 1.2, RFC 8446 §5.1). */
  readonly legacyVersion: number;
  readonly legacyVersionName: string;
  /** Length of the fragment (the header excluded). */
  readonly length: number;
  readonly encrypted: boolean;
}

export interface TlsAlert {
  readonly direction: TlsDirection;
  readonly recordIndex: number;
  readonly timestampUs: number;
  /** Encrypted alerts (TLS 1.2 after ChangeCipherSpec) show neither level nor description. */
  readonly encrypted: boolean;
  readonly level?: NamedCode;
  readonly description?: NamedCode;
}

export interface TlsCertificateInfo {
  readonly length: number;
  readonly subject?: string;
  readonly subjectCn?: string;
  readonly issuer?: string;
  /** Uppercase hex, leading zero octets removed. */
  readonly serial?: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
  /** "EC P-256", "RSA 2048"… */
  readonly publicKey?: string;
  readonly subjectAltNames?: readonly string[];
  readonly sha256Fingerprint?: string;
  /** Why the certificate could not be read; the other fields are then absent. */
  readonly error?: string;
}

export interface TlsExtensionInfo {
  readonly type: number;
  readonly name: string;
  readonly length: number;
}

/** What ClientHello and ServerHello extensions say, decoded (absent when not sent). */
export interface HelloExtensions {
  readonly extensions: readonly TlsExtensionInfo[];
  readonly serverName?: string;
  readonly supportedVersions?: readonly NamedCode[];
  readonly alpn?: readonly string[];
  readonly supportedGroups?: readonly NamedCode[];
  readonly signatureAlgorithms?: readonly NamedCode[];
  readonly keyShareGroups?: readonly NamedCode[];
  readonly pskKeyExchangeModes?: readonly NamedCode[];
  readonly ecPointFormats?: readonly number[];
  readonly recordSizeLimit?: number;
  readonly maxFragmentLength?: number;
}

export interface ClientHello extends HelloExtensions {
  readonly legacyVersion: NamedCode;
  readonly random: string;
  readonly sessionIdLength: number;
  readonly cipherSuites: readonly NamedCode[];
  readonly compressionMethods: readonly number[];
}

export interface ServerHello extends HelloExtensions {
  readonly legacyVersion: NamedCode;
  readonly random: string;
  readonly sessionIdLength: number;
  readonly cipherSuite: NamedCode;
  readonly compressionMethod: number;
  /** supported_versions when present (RFC 8446 §4.2.1), else legacy_version. */
  readonly version: NamedCode;
  /** RFC 8446 §4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest"). */
  readonly helloRetryRequest: boolean;
  /** RFC 8446 §4.1.3 downgrade sentinel in the last 8 bytes of the random. */
  readonly downgradeSentinel?: '1.2' | '1.1';
}

export interface ServerKeyExchange {
  readonly keyExchange: 'ecdhe' | 'dhe' | 'unknown';
  readonly group?: NamedCode;
  readonly curveType?: number;
  readonly publicKeyLength?: number;
  readonly primeBits?: number;
  readonly signatureScheme?: NamedCode;
}

export interface CertificateRequest {
  readonly certificateTypes: readonly NamedCode[];
  readonly signatureAlgorithms?: readonly NamedCode[];
  /** The CA distinguished names the server accepts, as "O=…, CN=…". */
  readonly certificateAuthorities: readonly string[];
}

export type TlsHandshakeBody =
  | ({ readonly type: 'client_hello' } & ClientHello)
  | ({ readonly type: 'server_hello' } & ServerHello)
  /** TLS 1.3 (RFC 8446 §4.3.1): the server's extensions, encrypted — read only with the keys. */
  | ({ readonly type: 'encrypted_extensions' } & HelloExtensions)
  | { readonly type: 'certificate'; readonly certificates: readonly TlsCertificateInfo[] }
  | ({ readonly type: 'server_key_exchange' } & ServerKeyExchange)
  | ({ readonly type: 'certificate_request' } & CertificateRequest)
  | { readonly type: 'server_hello_done' | 'hello_request' }
  | {
      readonly type: 'client_key_exchange';
      readonly keyExchange: 'ecdhe' | 'dhe' | 'rsa' | 'unknown';
      readonly publicValueLength?: number;
    }
  | {
      readonly type: 'certificate_verify';
      readonly signatureScheme?: NamedCode;
      readonly signatureLength: number;
    }
  | { readonly type: 'finished'; readonly verifyDataLength: number }
  | {
      readonly type: 'new_session_ticket';
      readonly lifetimeHintSeconds: number;
      readonly ticketLength: number;
    }
  /** A TLS 1.2 handshake record after ChangeCipherSpec: only its length is visible. */
  | { readonly type: 'encrypted'; readonly likely?: 'finished' }
  /** A known type this dissector does not decode (certificate_status…), or an unknown one. */
  | { readonly type: 'other'; readonly name: string };

export type TlsHandshakeMessage = TlsHandshakeBody & {
  readonly direction: TlsDirection;
  /** The record that completed the message. */
  readonly recordIndex: number;
  readonly timestampUs: number;
  readonly offset: number;
  /** The handshake type byte; absent when encrypted. */
  readonly msgType?: number;
  /** Body length (plaintext), or the record length (encrypted). */
  readonly length: number;
  readonly encrypted: boolean;
};

export interface RecordSample {
  readonly timestampUs: number;
  readonly length: number;
  /** length minus the suite's AEAD overhead; in TLS 1.3 an upper bound (padding). */
  readonly plaintextLength?: number;
}

export type HandshakeStatus = 'complete' | 'failed' | 'incomplete' | 'indeterminate';

export interface TlsSummary {
  readonly version?: TlsVersion;
  readonly versionCode?: number;
  /** Where the version was read: the supported_versions extension, or legacy_version. */
  readonly versionFrom?: 'supported_versions' | 'legacy_version';
  readonly cipherSuite?: NamedCode;
  readonly keyExchangeGroup?: NamedCode;
  readonly sni?: string;
  readonly alpnOffered: readonly string[];
  /** The server's ALPN choice; in TLS 1.3 it is in EncryptedExtensions and so not visible. */
  readonly alpnSelected?: string;
  readonly helloRetryRequest: boolean;
  /** TLS ≤ 1.2: the server echoed the client's session id and sent no Certificate. */
  readonly resumed?: boolean;
  readonly serverCertificates: readonly TlsCertificateInfo[];
  readonly clientCertificate: {
    /** 'unknown' when the handshake messages that would say are encrypted (TLS 1.3). */
    readonly requested: boolean | 'unknown';
    readonly sent: boolean | 'unknown';
    /** The client certificate chain crossed the wire in clear (TLS ≤ 1.2). */
    readonly visible: boolean;
    readonly subject?: string;
    readonly subjectCn?: string;
    readonly chain: readonly TlsCertificateInfo[];
  };
  readonly handshake: {
    readonly status: HandshakeStatus;
    /** How the status was reached; "inferred" ones come from record lengths, not content. */
    readonly evidence: string;
    readonly inferred: boolean;
    readonly alert?: { readonly by: TlsDirection; readonly description: string };
  };
  readonly applicationData: {
    readonly c2s: readonly RecordSample[];
    readonly s2c: readonly RecordSample[];
  };
  readonly bytes: { readonly c2s: number; readonly s2c: number; readonly total: number };
}

export type TlsDissection =
  | {
      readonly tls: false;
      /** Why the bytes are not TLS (the first bytes seen, as hex, and the rule they break). */
      readonly reason: string;
      readonly bytes: { readonly c2s: number; readonly s2c: number; readonly total: number };
    }
  | {
      readonly tls: true;
      readonly records: readonly TlsRecord[];
      /** The same records as rows of numbers (not enumerable): what a reader of many records uses. */
      readonly recordTable: TlsRecordTable;
      readonly handshakes: readonly TlsHandshakeMessage[];
      readonly alerts: readonly TlsAlert[];
      readonly summary: TlsSummary;
      readonly malformed: readonly TlsMalformed[];
      /** Bytes left at the end of each direction that do not make a whole record. */
      readonly trailing: { readonly c2s: number; readonly s2c: number };
    };
