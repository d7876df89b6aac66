import type { SecureContextOptions } from 'node:tls';
import type { Acl } from '../acl.js';
import type { AuthDecision, ConnectCredentials, PeerCertificate } from '../types.js';

/** TLS settings of one listener, already read from disk. */
export interface ListenerTls extends Pick<SecureContextOptions, 'ca' | 'cert' | 'key' | 'crl' | 'ciphers'> {
  /** require_certificate: ask for a client certificate and refuse the handshake without a valid one. */
  readonly requireCertificate: boolean;
  /** tls_version: the lowest version accepted (Mosquitto ≥ 2.0.9); undefined allows 1.2 and 1.3. */
  readonly minVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly ciphersTls13?: string;
  readonly handshakeTimeoutMs?: number;
}

/** What a listener needs: where, how, and how to decide on a CONNECT. */
export interface ListenerSpec {
  readonly port: number;
  readonly host?: string;
  readonly protocol: 'mqtt' | 'websockets';
  readonly tls?: ListenerTls;
  /** -1: no limit (max_connections). */
  readonly maxConnections: number;
  readonly authenticate?: (
    certificate: PeerCertificate | undefined,
    credentials: ConnectCredentials,
  ) => AuthDecision;
  /** The listener's ACL as it is now; a reload replaces what this returns. */
  readonly acl?: () => Acl | undefined;
  /** Lab only: receives each TLS session's NSS key log lines (Node's 'keylog' event). */
  readonly keyLog?: (line: Buffer) => void;
}

export interface RunningListener {
  readonly spec: ListenerSpec;
  /** The bound address and port (port 0 in the spec gets a free one). */
  readonly address: string;
  readonly port: number;
  /** Replace certificate, key, CA bundle and CRLs for new handshakes; connections stay up. */
  setTls(tls: ListenerTls): void;
  close(): Promise<void>;
}
