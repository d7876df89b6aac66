import { aeadOverhead } from './cipher-suites.js';
import type { TlsRecordTable } from './record-table.js';
import { type NamedCode, versionOf } from './registry.js';
import type {
  ClientHello,
  RecordSample,
  ServerHello,
  TlsAlert,
  TlsCertificateInfo,
  TlsDirection,
  TlsHandshakeBody,
  TlsHandshakeMessage,
  TlsSummary,
} from './types.js';

type Of<T extends TlsHandshakeBody['type']> = Extract<TlsHandshakeMessage, { type: T }>;

const TLS13 = 0x0304;
const APPLICATION_DATA = 23;
// Alerts that end a connection without saying the handshake failed (RFC 8446 §6.1).
const CLOSURE_ALERTS = new Set([0, 90, 100]);

/** What the records and plaintext messages say about the connection as a whole. */
export function summarize(
  records: TlsRecordTable,
  handshakes: readonly TlsHandshakeMessage[],
  alerts: readonly TlsAlert[],
  bytes: TlsSummary['bytes'],
): TlsSummary {
  const find = <T extends TlsHandshakeBody['type']>(type: T, dir: TlsDirection) =>
    handshakes.filter((h): h is Of<T> => h.type === type && h.direction === dir);
  const ch: ClientHello | undefined = find('client_hello', 'c2s')[0];
  const hellos = find('server_hello', 's2c');
  const sh: Of<'server_hello'> | undefined = hellos.filter((h) => !h.helloRetryRequest).at(-1);
  const tls13 = sh?.version.code === TLS13;
  const suite = sh?.cipherSuite;
  const overhead = suite ? aeadOverhead(suite.code, tls13) : undefined;
  const ske = find('server_key_exchange', 's2c')[0];
  const clientChain = find('certificate', 'c2s')[0]?.certificates ?? [];
  const serverChain = find('certificate', 's2c')[0]?.certificates ?? [];
  const leaf: TlsCertificateInfo | undefined = clientChain[0];
  const samples = (dir: TlsDirection): RecordSample[] => {
    const out: RecordSample[] = [];
    for (let i = 0; i < records.length; i++) {
      if (records.direction(i) !== dir || records.contentType(i) !== APPLICATION_DATA) continue;
      const length = records.fragmentLength(i);
      out.push({
        timestampUs: records.timestampUs(i),
        length,
        ...(overhead !== undefined && length >= overhead ? { plaintextLength: length - overhead } : {}),
      });
    }
    return out;
  };
  // Made on first use: a capture's analysis reads the record table, not these samples.
  let applicationData: TlsSummary['applicationData'] | undefined;
  return {
    ...(sh && {
      version: versionOf(sh.version.code),
      versionCode: sh.version.code,
      versionFrom: sh.supportedVersions ? ('supported_versions' as const) : ('legacy_version' as const),
      cipherSuite: sh.cipherSuite,
    }),
    ...keyExchangeGroup(sh, tls13, ske?.group),
    ...(ch?.serverName !== undefined && { sni: ch.serverName }),
    alpnOffered: ch?.alpn ?? [],
    ...(sh?.alpn?.[0] !== undefined && { alpnSelected: sh.alpn[0] }),
    helloRetryRequest: hellos.some((h) => h.helloRetryRequest),
    ...(sh && !tls13 && { resumed: resumed(handshakes, sh.recordIndex) }),
    serverCertificates: serverChain,
    clientCertificate: {
      requested: tls13 ? 'unknown' : find('certificate_request', 's2c').length > 0,
      sent: tls13 ? 'unknown' : clientChain.length > 0,
      visible: !tls13 && clientChain.length > 0,
      ...(leaf?.subject !== undefined && { subject: leaf.subject }),
      ...(leaf?.subjectCn !== undefined && { subjectCn: leaf.subjectCn }),
      chain: clientChain,
    },
    handshake: handshakeStatus(records, handshakes, alerts, sh, overhead),
    get applicationData(): TlsSummary['applicationData'] {
      applicationData ??= { c2s: samples('c2s'), s2c: samples('s2c') };
      return applicationData;
    },
    bytes,
  };
}

function keyExchangeGroup(sh: ServerHello | undefined, tls13: boolean, skeGroup: NamedCode | undefined) {
  const group = tls13 ? sh?.keyShareGroups?.[0] : skeGroup;
  return group ? { keyExchangeGroup: group } : {};
}

/** RFC 5246 §7.3 abbreviated handshake: ChangeCipherSpec follows ServerHello with no Certificate. */
function resumed(handshakes: readonly TlsHandshakeMessage[], shRecord: number): boolean {
  const after = handshakes.filter((h) => h.direction === 's2c' && h.recordIndex >= shRecord);
  return (
    after.some((h) => h.type === 'encrypted') &&
    !after.some((h) => h.type === 'certificate' || h.type === 'server_hello_done')
  );
}

function handshakeStatus(
  records: TlsRecordTable,
  handshakes: readonly TlsHandshakeMessage[],
  alerts: readonly TlsAlert[],
  sh: Of<'server_hello'> | undefined,
  overhead: number | undefined,
): TlsSummary['handshake'] {
  const fatal = alerts.find((a) => !a.encrypted && a.description && !CLOSURE_ALERTS.has(a.description.code));
  if (fatal) {
    const by = fatal.direction;
    const description = fatal.description!.name;
    const who = by === 'c2s' ? 'client' : 'server';
    return {
      status: 'failed',
      evidence: `${who} sent a plaintext ${description} alert`,
      inferred: false,
      alert: { by, description },
    };
  }
  if (!sh) return { status: 'incomplete', evidence: 'no ServerHello', inferred: false };
  if (sh.version.code !== TLS13) {
    const finished = (dir: TlsDirection) =>
      handshakes.some((h) => h.direction === dir && h.type === 'encrypted');
    if (finished('c2s') && finished('s2c')) {
      return {
        status: 'complete',
        evidence: 'both sides sent ChangeCipherSpec and an encrypted Finished',
        inferred: false,
      };
    }
    return { status: 'incomplete', evidence: 'a ChangeCipherSpec or Finished is missing', inferred: false };
  }
  return tls13Status(records, sh.recordIndex, overhead);
}

/**
 * TLS 1.3 hides the end of the handshake: Finished, alerts and tickets are all type-23 records.
 * What lengths still say: an encrypted alert is 2 bytes + content type + tag (19 with a 16-byte
 * tag, RFC 8446 §5.2); a server that accepted the client's flight sends tickets or data, longer.
 */
function tls13Status(
  records: TlsRecordTable,
  shRecord: number,
  overhead: number | undefined,
): TlsSummary['handshake'] {
  const alertLength = overhead === undefined ? undefined : 2 + overhead;
  // The type-23 records after the ServerHello: the client's first (its flight), the server's
  // after it, and how many the client sent.
  let flight = -1;
  let server = 0;
  let serverLonger = false;
  let client = 0;
  for (let i = shRecord + 1; i < records.length; i++) {
    if (records.contentType(i) !== APPLICATION_DATA) continue;
    if (records.direction(i) === 'c2s') {
      if (flight < 0) flight = i;
      client++;
    } else if (flight >= 0) {
      server++;
      if (records.fragmentLength(i) !== alertLength) serverLonger = true;
    }
  }
  if (flight < 0)
    return { status: 'incomplete', evidence: 'no encrypted client flight after ServerHello', inferred: true };
  if (serverLonger) {
    return {
      status: 'complete',
      evidence: 'the server sent records longer than an alert after the client flight',
      inferred: true,
    };
  }
  if (server > 0) {
    return {
      status: 'failed',
      evidence: `the server answered the client flight with a ${alertLength}-byte record (an alert)`,
      inferred: true,
    };
  }
  if (client === 1 && records.fragmentLength(flight) === alertLength) {
    return {
      status: 'failed',
      evidence: `the client's only encrypted record is ${alertLength} bytes (an alert)`,
      inferred: true,
    };
  }
  return {
    status: 'indeterminate',
    evidence: 'the server sent nothing after the client flight',
    inferred: true,
  };
}
