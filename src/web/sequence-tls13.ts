/**
 * TLS 1.3 as an eavesdropper sees it: after ServerHello every handshake message travels in
 * type-23 records (RFC 8446 §5.2), so the diagram cannot name them from their bytes. What the
 * capture still says is which records form each side's flight and how long they are; the
 * protocol says what a flight holds (RFC 8446 §2, Figure 1). The arrows drawn here are those
 * flights, marked encrypted, with the messages the protocol puts inside them listed as hidden.
 */
import { aeadOverhead, type TlsRecord } from '../wire/tls/index.js';
import type { ClientCertificateView } from './api.js';

export type { ClientCertificateView } from './api.js';

export interface Tls13Flight {
  readonly from: 'client' | 'server';
  /** Indices (in the connection's record list) of the flight's type-23 records. */
  readonly records: readonly number[];
  readonly bytes: number;
  /** The handshake messages RFC 8446 puts in this flight, none of them readable on the wire. */
  readonly hidden: readonly string[];
}

export interface Tls13Handshake {
  readonly server?: Tls13Flight;
  readonly client?: Tls13Flight;
  readonly clientCertificate: ClientCertificateView;
}

/** An empty client Certificate (asked for, none held) is 8 bytes of body; a real one is hundreds. */
const EMPTY_CERTIFICATE_MAX = 64;

/**
 * The record length of a Finished under this suite: the 4-byte handshake header, verify_data of
 * the suite's hash length (RFC 8446 §4.4.4), the inner content type and the AEAD tag (§5.2).
 */
export function finishedRecordLength(suite: { code: number; name: string } | undefined): number | undefined {
  if (suite === undefined) return undefined;
  const overhead = aeadOverhead(suite.code, true);
  if (overhead === undefined) return undefined;
  const hashLength = suite.name.endsWith('SHA384') ? 48 : 32;
  return 4 + hashLength + overhead;
}

/** The two encrypted handshake flights after the ServerHello record, from record order and lengths. */
export function tls13Flights(
  records: readonly TlsRecord[],
  serverHelloRecord: number,
  finishedLength: number | undefined,
): Tls13Handshake {
  const after = records.filter(
    (r) => r.index > serverHelloRecord && r.contentTypeName === 'application_data',
  );
  // The server's flight: its records up to its Finished, or until the client speaks.
  const server: TlsRecord[] = [];
  let i = 0;
  for (; i < after.length && after[i]!.direction === 's2c'; i++) {
    server.push(after[i]!);
    if (after[i]!.length === finishedLength) {
      i++;
      break;
    }
  }
  // Server records past its Finished and before the client flight (none in a normal run) are data.
  while (i < after.length && after[i]!.direction === 's2c') i++;
  const client: TlsRecord[] = [];
  let clientFinished = false;
  for (; i < after.length && after[i]!.direction === 'c2s'; i++) {
    client.push(after[i]!);
    if (after[i]!.length === finishedLength) {
      clientFinished = true;
      break;
    }
  }
  const clientBytes = client.reduce((n, r) => n + r.length, 0);
  const { certificate, asked } = clientCertificateFromSizes(
    client.length,
    clientBytes,
    clientFinished,
    finishedLength,
  );
  return {
    ...(server.length > 0 && {
      server: {
        from: 'server',
        records: server.map((r) => r.index),
        bytes: server.reduce((n, r) => n + r.length, 0),
        hidden: [
          'EncryptedExtensions',
          ...(asked ? ['CertificateRequest'] : []),
          'Certificate',
          'CertificateVerify',
          'Finished',
        ],
      },
    }),
    ...(client.length > 0 && {
      client: {
        from: 'client',
        records: client.map((r) => r.index),
        bytes: clientBytes,
        hidden:
          certificate.visibility === 'encrypted'
            ? ['Certificate', 'CertificateVerify', 'Finished']
            : asked
              ? ['Certificate (empty)', 'Finished']
              : ['Finished'],
      },
    }),
    clientCertificate: certificate,
  };
}

function clientCertificateFromSizes(
  records: number,
  bytes: number,
  sawFinished: boolean,
  finishedLength: number | undefined,
): { certificate: ClientCertificateView; asked: boolean } {
  if (records === 0) {
    return {
      certificate: { visibility: 'unknown', evidence: 'no encrypted client flight after ServerHello' },
      asked: false,
    };
  }
  if (finishedLength === undefined || !sawFinished) {
    return {
      certificate: {
        visibility: 'unknown',
        evidence: `the client flight (${records} records, ${bytes} B) has no record of a Finished's length`,
      },
      asked: false,
    };
  }
  const extra = bytes - finishedLength;
  if (extra === 0) {
    return {
      certificate: {
        visibility: 'none',
        evidence: `the client flight is a Finished alone (${finishedLength} B)`,
      },
      asked: false,
    };
  }
  // RFC 8446 §4.4.2: the client sends Certificate only when the server sent CertificateRequest.
  if (extra <= EMPTY_CERTIFICATE_MAX) {
    return {
      certificate: {
        visibility: 'none',
        evidence: `${extra} B before the Finished: an empty Certificate (asked for, none sent)`,
      },
      asked: true,
    };
  }
  return {
    certificate: {
      visibility: 'encrypted',
      evidence: `the client flight is ${bytes} B in ${records} records, ${extra} B more than a Finished (${finishedLength} B): a Certificate and CertificateVerify, encrypted`,
    },
    asked: true,
  };
}
