import type { Duplex } from 'node:stream';
import type { UserProperties } from 'mqtt-packet';
import type { Acl } from './acl.js';

export type QoS = 0 | 1 | 2;

/** MQTT 5 properties that travel with an application message (§3.3.2.3), forwarded unaltered. */
export interface MessageProperties {
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: UserProperties;
}

/** An application message inside the broker, as published (before per-subscriber changes). */
export interface Message {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: MessageProperties | undefined;
  /** Absolute expiry in clock milliseconds, from Message Expiry Interval (§3.3.2.3.3). */
  readonly expiresAt: number | undefined;
  /** Client id of the publisher, for No Local (§3.8.3.1); undefined for $SYS and wills of gone sessions. */
  readonly origin: string | undefined;
}

/** What the listener learnt about the peer before MQTT starts. */
export interface PeerCertificate {
  /** The subject's commonName, if it has one. */
  readonly commonName: string | undefined;
  /** The subject in RFC 2253 order and escaping (what Mosquitto's use_subject_as_username gives). */
  readonly subject: string;
}

export interface ConnectCredentials {
  readonly protocolVersion: 3 | 4 | 5;
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: Buffer | undefined;
}

/** The listener's decision on a CONNECT: accepted with an effective username, or refused. */
export type AuthDecision =
  | { readonly ok: true; readonly username: string | undefined }
  | {
      readonly ok: false;
      readonly returnCode: number;
      readonly reasonCode: number;
      /** Why, in words for the security event (never a password). */
      readonly reason?: string;
    };

export interface Peer {
  readonly address: string;
  readonly port: number;
  /** Local port of the listener the connection arrived on (for logs and $SYS). */
  readonly listenerPort: number;
  readonly secure: boolean;
  readonly certificate: PeerCertificate | undefined;
  /** Absent: every CONNECT is accepted with the username it carries. */
  readonly authenticate?: (credentials: ConnectCredentials) => AuthDecision;
  /** The listener's ACL as it is now (a reload replaces it); absent or undefined: no ACL. */
  readonly acl?: () => Acl | undefined;
  /** The verified client certificate in DER, read when a CRL reload or expiry check needs it. */
  readonly certificateDer?: () => Uint8Array | undefined;
}

/** The transport a listener hands to the broker core: TLS, TCP or WebSocket alike. */
export type Transport = Duplex & { setNoDelay?: (noDelay?: boolean) => unknown };
