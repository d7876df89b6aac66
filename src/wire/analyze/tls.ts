import type { TlsCertificateInfo, TlsDissection, TlsHandshakeMessage } from '../tls/index.js';
import { observation } from './bytes-view.js';
import { formatInterval } from './traffic.js';
import type {
  CertificateView,
  Evidence,
  Observation,
  RecordView,
  TlsView,
  TrafficAnalysis,
} from './types.js';

type Tls = Extract<TlsDissection, { tls: true }>;

const APPLICATION_DATA = 23;
const HANDSHAKE_HEADER = 4;
const RECORD_HEADER = 5;
/** Alerts listed per connection. */
const MAX_ALERTS = 20;

/** The type-23 records of each direction: application data (and TLS 1.3's encrypted handshake). */
export function recordViews(d: Tls, overhead: number | undefined): Record<'c2s' | 's2c', RecordView[]> {
  const out: Record<'c2s' | 's2c', RecordView[]> = { c2s: [], s2c: [] };
  const t = d.recordTable;
  for (let i = 0; i < t.length; i++) {
    if (t.contentType(i) !== APPLICATION_DATA) continue;
    const length = t.fragmentLength(i);
    const timeUs = t.timestampUs(i);
    const offset = t.offset(i);
    // Two literals, not a conditional spread: one object per record, of one of two shapes.
    out[t.direction(i)].push(
      overhead !== undefined && length >= overhead
        ? { timeUs, offset, recordLength: length, plaintextLength: length - overhead }
        : { timeUs, offset, recordLength: length },
    );
  }
  return out;
}

export function tlsView(d: Tls, overhead: number | undefined): TlsView {
  const s = d.summary;
  const leaf = s.clientCertificate.chain[0];
  return {
    ...(s.version !== undefined && { version: s.version }),
    ...(s.cipherSuite && { cipherSuite: s.cipherSuite.name }),
    ...(s.keyExchangeGroup && { keyExchangeGroup: s.keyExchangeGroup.name }),
    ...(s.sni !== undefined && { sni: s.sni }),
    alpnOffered: s.alpnOffered,
    ...(s.alpnSelected !== undefined && { alpnSelected: s.alpnSelected }),
    serverCertificate: {
      visible: s.serverCertificates.length > 0,
      chain: s.serverCertificates.map(certView),
    },
    clientCertificate: {
      requested: s.clientCertificate.requested,
      sent: s.clientCertificate.sent,
      visible: s.clientCertificate.visible,
      ...(leaf && { certificate: certView(leaf) }),
    },
    handshake: { ...s.handshake },
    alerts: d.alerts.slice(0, MAX_ALERTS).map((a) => ({
      direction: a.direction,
      timeUs: a.timestampUs,
      encrypted: a.encrypted,
      ...(a.level && { level: a.level.name }),
      ...(a.description && { description: a.description.name }),
    })),
    ...(overhead !== undefined && { aeadOverhead: overhead }),
    records: {
      c2s: d.recordTable.count('c2s'),
      s2c: d.recordTable.count('s2c'),
    },
  };
}

export function certView(c: TlsCertificateInfo): CertificateView {
  return {
    ...(c.subject !== undefined && { subject: c.subject }),
    ...(c.subjectCn !== undefined && { subjectCn: c.subjectCn }),
    ...(c.issuer !== undefined && { issuer: c.issuer }),
    ...(c.serial !== undefined && { serial: c.serial }),
    ...(c.sha256Fingerprint !== undefined && { sha256Fingerprint: c.sha256Fingerprint }),
  };
}

/** What a passive observer reads of a TLS connection, item by item. */
export function tlsObservations(d: Tls, view: TlsView, traffic: TrafficAnalysis): Observation[] {
  const msg = (type: TlsHandshakeMessage['type'], dir: 'c2s' | 's2c') =>
    d.handshakes.find((h) => h.type === type && h.direction === dir);
  const ev = (h: TlsHandshakeMessage | undefined): Evidence | undefined =>
    h && {
      direction: h.direction,
      timeUs: h.timestampUs,
      offset: h.offset,
      length: h.length + HANDSHAKE_HEADER,
    };
  const ch = ev(msg('client_hello', 'c2s'));
  const sh = ev(msg('server_hello', 's2c'));
  const tls13 = view.version === '1.3';
  const out: Observation[] = [];
  if (view.version !== undefined)
    out.push(
      observation(
        'tls.version',
        'exposed',
        `TLS ${view.version}`,
        `from the ServerHello (${d.summary.versionFrom})`,
        [sh],
      ),
    );
  if (view.cipherSuite !== undefined)
    out.push(
      observation(
        'tls.cipher-suite',
        'exposed',
        view.cipherSuite,
        `chosen in the ServerHello${view.keyExchangeGroup ? `, key exchange ${view.keyExchangeGroup}` : ''}`,
        [sh],
      ),
    );
  if (view.sni !== undefined)
    out.push(
      observation(
        'tls.sni',
        'exposed',
        view.sni,
        'server name in the ClientHello, in clear in every version',
        [ch],
      ),
    );
  if (view.alpnOffered.length > 0) {
    const offered = view.alpnOffered.join(', ');
    out.push(
      view.alpnSelected !== undefined
        ? observation(
            'tls.alpn',
            'exposed',
            view.alpnSelected,
            `offered ${offered}; chosen in the ServerHello`,
            [ch, sh],
          )
        : observation(
            'tls.alpn',
            'partial',
            `offered ${offered}`,
            tls13 ? "the server's choice is in EncryptedExtensions (TLS 1.3)" : 'the server chose none',
            [ch],
          ),
    );
  }
  out.push(serverCertificate(view, tls13, ev(msg('certificate', 's2c'))));
  out.push(clientCertificate(view, tls13, ev(msg('certificate', 'c2s'))));
  const hs = view.handshake;
  out.push(
    observation(
      'tls.handshake',
      hs.inferred ? 'partial' : 'exposed',
      hs.status,
      `${hs.evidence}${hs.inferred ? ' (inferred from record lengths)' : ''}`,
    ),
  );
  for (const a of d.alerts.slice(0, MAX_ALERTS)) {
    const r = d.recordTable.get(a.recordIndex);
    const e = r && {
      direction: r.direction,
      timeUs: r.timestampUs,
      offset: r.offset,
      length: r.length + RECORD_HEADER,
    };
    const who = a.direction === 'c2s' ? 'client' : 'server';
    out.push(
      a.encrypted
        ? observation(
            'tls.alert',
            'partial',
            `encrypted alert from the ${who}`,
            'an alert record; which alert is encrypted',
            [e],
          )
        : observation(
            'tls.alert',
            'exposed',
            `${a.level?.name} ${a.description?.name}`,
            `sent by the ${who} in clear`,
            [e],
          ),
    );
  }
  out.push(applicationData(view, traffic));
  return out;
}

function serverCertificate(view: TlsView, tls13: boolean, e: Evidence | undefined): Observation {
  const leaf = view.serverCertificate.chain[0];
  if (leaf)
    return observation(
      'tls.server-certificate',
      'exposed',
      `${leaf.subject ?? '?'} (issuer ${leaf.issuer ?? '?'})`,
      `the broker's chain of ${view.serverCertificate.chain.length} certificate(s) crosses in clear (TLS ≤ 1.2)`,
      [e],
    );
  return observation(
    'tls.server-certificate',
    'hidden',
    undefined,
    tls13
      ? "the broker's certificate travels in encrypted handshake records (TLS 1.3)"
      : 'no Certificate message was captured (resumed session or incomplete handshake)',
  );
}

function clientCertificate(view: TlsView, tls13: boolean, e: Evidence | undefined): Observation {
  const c = view.clientCertificate;
  if (tls13)
    return observation(
      'tls.client-certificate',
      'hidden',
      undefined,
      'whether a client certificate was asked for or sent, and whose it is, are encrypted (TLS 1.3)',
    );
  if (c.visible && c.certificate)
    return observation(
      'tls.client-certificate',
      'exposed',
      `${c.certificate.subject ?? '?'} (issuer ${c.certificate.issuer ?? '?'})`,
      'the device certificate crosses in clear (TLS ≤ 1.2): its subject names the device to anyone on the path',
      [e],
    );
  const requested =
    c.requested === true ? 'requested by the server but none sent' : 'not requested, none sent';
  return observation(
    'tls.client-certificate',
    'exposed',
    requested,
    'visible in the clear handshake (TLS ≤ 1.2)',
  );
}

function applicationData(view: TlsView, traffic: TrafficAnalysis): Observation {
  const { c2s, s2c } = traffic.records;
  const n = c2s.length + traffic.omittedRecords.c2s + s2c.length + traffic.omittedRecords.s2c;
  const first = [...c2s.slice(0, 3), ...s2c.slice(0, 2)].map((r, i): Evidence => ({
    direction: i < Math.min(3, c2s.length) ? 'c2s' : 's2c',
    timeUs: r.timeUs,
    offset: r.offset,
    length: r.recordLength + RECORD_HEADER,
  }));
  if (view.cipherSuite?.includes('_NULL_'))
    return observation(
      'tls.application-data',
      'exposed',
      `${n} records`,
      'a NULL cipher: authenticated, not encrypted',
      first,
    );
  const periodic = traffic.groups.find((g) => g.periodic);
  const hint = periodic?.intervalUs
    ? `; a periodic pattern every ${formatInterval(periodic.intervalUs.median)} is visible`
    : '';
  return observation(
    'tls.application-data',
    'hidden',
    `${n} encrypted records`,
    `content encrypted (${view.cipherSuite ?? 'suite unknown'}); sizes and times stay visible${hint}`,
    first,
  );
}
