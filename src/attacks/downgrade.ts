/**
 * Protocol downgrade: a client that offers only TLS 1.0, then only TLS 1.1 (RFC 8996 deprecates
 * both). Each attempt goes through a capture relay, so what crossed the wire — the ClientHello's
 * version, the server's answer — is read back from the pcap, not assumed from the options given
 * to the client; the pcap is saved beside the report and the findings cite its frame numbers.
 */
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import type { Evidence, Finding, Text } from '../core/findings.js';
import { startCaptureRelay } from '../wire/capture/index.js';
import { readCapture, tcpSegments } from '../wire/pcap/index.js';
import { reassembleTcp } from '../wire/tcp/index.js';
import { dissectTls, type TlsDissection, type TlsStreamChunk } from '../wire/tls/index.js';
import { assertLoopback } from './loopback.js';
import { alertName, settleWithin } from './mqtt-probe.js';
import { connectionLines, logSince } from './mqtt-session.js';
import type { Attack, AttackTarget } from './target.js';

const ATTEMPTS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1'];
const LEGACY = new Set([0x0300, 0x0301, 0x0302]);
const DEADLINE_MS = 3_000;

const TITLE: Text = {
  en: 'Downgrade the broker to TLS 1.0 / 1.1',
  fr: 'Forcer le broker à TLS 1.0 / 1.1',
};

export const downgradeAttack: Attack = {
  name: 'downgrade',
  async run(target) {
    assertLoopback(target.broker.host);
    return [target.broker.tls ? await attempt(target) : notApplicable(target)];
  },
};

interface ClientSide {
  readonly version: SecureVersion;
  /** What the client saw: the negotiated protocol, or the error. */
  readonly negotiated?: string;
  readonly error?: string;
}

async function attempt(target: AttackTarget): Promise<Finding> {
  const { broker, step } = target;
  const mark = broker.log().length;
  const relay = await startCaptureRelay({
    upstreamHost: broker.host,
    upstreamPort: broker.port,
    clock: target.clock,
    // The lab sheet's port in the file, so Wireshark dissects the TLS by port.
    capture: { server: { port: 8883 } },
  });
  const seen: ClientSide[] = [];
  try {
    for (const version of ATTEMPTS) seen.push(await hello(target, relay.host, relay.port, version));
  } finally {
    await relay.close();
  }
  const pcap = relay.toPcap();
  const file = target.saveArtifact(`step${step}-downgrade.pcap`, pcap);
  const wire = readWire(pcap);
  const evidence: Evidence[] = [];
  let offered = 0;
  let accepted = 0;
  seen.forEach((c, i) => {
    const w = wire[i];
    const legacyHello = w?.helloVersion !== undefined && LEGACY.has(w.helloVersion.code) && !w.offers13;
    if (legacyHello) offered++;
    if ((w?.serverVersion !== undefined && LEGACY.has(w.serverVersion.code)) || c.negotiated !== undefined)
      accepted++;
    if (w?.helloFrame !== undefined) {
      evidence.push({
        kind: 'capture',
        label: { en: `ClientHello offering ${c.version} only`, fr: `ClientHello n’offrant que ${c.version}` },
        data: `frame ${w.helloFrame}: ClientHello, legacy_version ${w.helloVersion?.name ?? '?'}, supported_versions ${w.offers13 ? 'present' : 'absent'}`,
        file,
        packets: [w.helloFrame],
      });
    }
    evidence.push({
      kind: 'capture',
      label: { en: 'What the server answered', fr: 'Réponse du serveur' },
      data: w?.answer ?? `connection ${i + 1}: nothing decodable from the server`,
      file,
      ...(w?.answerFrame !== undefined ? { packets: [w.answerFrame] } : {}),
    });
    evidence.push({
      kind: 'connection',
      label: { en: `The client (${c.version})`, fr: `Le client (${c.version})` },
      data: c.negotiated ? `handshake completed: ${c.negotiated}` : `handshake failed: ${c.error ?? '?'}`,
    });
  });
  const lines = connectionLines(
    await logSince(broker.log, mark, /OpenSSL Error|unsupported protocol/),
    undefined,
  );
  if (lines.length > 0) {
    evidence.push({
      kind: 'broker-log',
      label: { en: 'Broker log during the attempts', fr: 'Journal du broker pendant les tentatives' },
      data: lines.join('\n'),
    });
  }
  const outcome = accepted > 0 ? 'succeeded' : offered === ATTEMPTS.length ? 'blocked' : 'not-applicable';
  return {
    id: `tls/downgrade@${step}`,
    attack: 'downgrade',
    step,
    stride: ['T', 'I'],
    title: TITLE,
    attempted: {
      en: 'Open a TLS connection to the broker offering only TLS 1.0, then only TLS 1.1 (legacy cipher suites allowed), through a capture relay.',
      fr: 'Ouvrir une connexion TLS vers le broker en n’offrant que TLS 1.0, puis que TLS 1.1 (suites anciennes permises), à travers un relais de capture.',
    },
    outcome,
    result:
      outcome === 'succeeded'
        ? {
            en: `The broker negotiated a deprecated TLS version (${accepted} of ${ATTEMPTS.length} attempts).`,
            fr: `Le broker a négocié une version de TLS obsolète (${accepted} tentative(s) sur ${ATTEMPTS.length}).`,
          }
        : outcome === 'blocked'
          ? {
              en: 'Both ClientHellos went out with a legacy version only; the broker refused each one before any ServerHello.',
              fr: 'Les deux ClientHello sont partis avec une version ancienne seulement ; le broker a refusé chacun avant tout ServerHello.',
            }
          : {
              en: 'The client could not put a TLS 1.0/1.1-only ClientHello on the wire: nothing was tested.',
              fr: 'Le client n’a pas pu émettre de ClientHello limité à TLS 1.0/1.1 : rien n’a été testé.',
            },
    evidence,
    ...(outcome === 'succeeded'
      ? {
          mitigation: {
            en: 'Set tls_version tlsv1.2 (or tlsv1.3) on the listener: RFC 8996 forbids TLS 1.0 and 1.1.',
            fr: 'Mettre tls_version tlsv1.2 (ou tlsv1.3) sur l’écoute : la RFC 8996 interdit TLS 1.0 et 1.1.',
          },
        }
      : {}),
  };
}

/** One handshake offering `version` only; the certificate is valid, so only the version can fail it. */
async function hello(
  target: AttackTarget,
  host: string,
  port: number,
  version: SecureVersion,
): Promise<ClientSide> {
  const id = target.identities.intruder;
  const socket = tlsConnect({
    host,
    port,
    servername: target.broker.servername,
    ca: target.caCertPem,
    cert: id.certPem,
    key: id.keyPem,
    minVersion: version,
    maxVersion: version,
    // OpenSSL 3's default security level would keep back what a legacy client offers (SHA-1
    // suites): at level 0 the refusal, if any, is the server's alone.
    ciphers: 'DEFAULT@SECLEVEL=0',
  });
  try {
    const r = await settleWithin<ClientSide>(Date.now() + DEADLINE_MS, (done) => {
      socket.once('secureConnect', () => done({ version, negotiated: socket.getProtocol() ?? '?' }));
      socket.once('error', (e: NodeJS.ErrnoException) => {
        const alert = alertName(e.message, e.code);
        done({ version, error: `${e.code ?? e.message}${alert ? ` (alert ${alert})` : ''}` });
      });
      socket.once('close', () => done({ version, error: 'closed' }));
    });
    return r === 'timeout' ? { version, error: `no answer within ${DEADLINE_MS} ms` } : r;
  } finally {
    socket.destroy();
  }
}

interface WireView {
  readonly helloVersion?: { readonly code: number; readonly name: string };
  readonly offers13: boolean;
  readonly helloFrame?: number;
  readonly serverVersion?: { readonly code: number; readonly name: string };
  readonly answer?: string;
  readonly answerFrame?: number;
}

/** Per connection of the pcap, in order: the ClientHello, and the server's first answer, with frame numbers. */
function readWire(pcap: Uint8Array): WireView[] {
  const segments = tcpSegments(readCapture(pcap).packets);
  const connections = reassembleTcp(segments).sort((a, b) => a.client.port - b.client.port);
  return connections.map((conn) => {
    const streams = { c2s: conn.clientToServer.bytes, s2c: conn.serverToClient.bytes };
    const chunks: TlsStreamChunk[] = conn.chunks.map((c) => {
      const direction = c.direction === 'client-to-server' ? 'c2s' : 's2c';
      return {
        direction,
        timestampUs: c.timestampUs,
        bytes: streams[direction].subarray(c.offset, c.offset + c.length),
      };
    });
    // Wireshark numbers frames from 1.
    const frameAt = (direction: 'c2s' | 's2c', offset: number): number | undefined => {
      const c = conn.chunks.find(
        (x) =>
          (x.direction === 'client-to-server') === (direction === 'c2s') &&
          x.offset <= offset &&
          offset < x.offset + x.length,
      );
      return c === undefined ? undefined : segments[c.order]!.packetIndex + 1;
    };
    return view(dissectTls(chunks), frameAt);
  });
}

function view(
  d: TlsDissection,
  frameAt: (dir: 'c2s' | 's2c', offset: number) => number | undefined,
): WireView {
  if (!d.tls) return { offers13: false, answer: `not TLS: ${d.reason}` };
  const record = (index: number) => d.records.find((r) => r.index === index);
  const ch = d.handshakes.find((h) => h.type === 'client_hello');
  const sh = d.handshakes.find((h) => h.type === 'server_hello');
  const alert = d.alerts.find((a) => a.direction === 's2c');
  const hello = ch?.type === 'client_hello' ? ch : undefined;
  const out = {
    offers13: (hello?.supportedVersions ?? []).some((v) => !LEGACY.has(v.code)),
    ...(hello
      ? { helloVersion: hello.legacyVersion, helloFrame: at(record(hello.recordIndex), frameAt) }
      : {}),
  };
  if (sh?.type === 'server_hello') {
    const frame = at(record(sh.recordIndex), frameAt);
    return {
      ...out,
      serverVersion: sh.version,
      answer: `frame ${frame ?? '?'}: ServerHello, ${sh.version.name}`,
      answerFrame: frame,
    };
  }
  if (alert) {
    const frame = at(record(alert.recordIndex), frameAt);
    const what = alert.encrypted
      ? 'encrypted alert'
      : `Alert ${alert.level?.name ?? '?'} ${alert.description?.name ?? '?'}`;
    const rec = record(alert.recordIndex);
    return {
      ...out,
      answer: `frame ${frame ?? '?'}: ${what} (record version ${rec?.legacyVersionName ?? '?'}), server → client`,
      answerFrame: frame,
    };
  }
  return { ...out, answer: `no ServerHello and no alert from the server (${d.summary.handshake.evidence})` };
}

function at(
  rec: { direction: 'c2s' | 's2c'; offset: number } | undefined,
  frameAt: (dir: 'c2s' | 's2c', offset: number) => number | undefined,
): number | undefined {
  return rec === undefined ? undefined : frameAt(rec.direction, rec.offset);
}

function notApplicable(target: AttackTarget): Finding {
  return {
    id: `tls/downgrade@${target.step}`,
    attack: 'downgrade',
    step: target.step,
    stride: ['T', 'I'],
    title: TITLE,
    attempted: { en: 'Offer the broker TLS 1.0 / 1.1 only.', fr: 'N’offrir au broker que TLS 1.0 / 1.1.' },
    outcome: 'not-applicable',
    result: {
      en: 'Step 1 has no TLS to downgrade: MQTT already travels in plaintext.',
      fr: 'L’étape 1 n’a pas de TLS à affaiblir : MQTT circule déjà en clair.',
    },
    evidence: [
      {
        kind: 'connection',
        label: { en: 'The listener', fr: 'L’écoute' },
        data: `${target.broker.host}:${target.broker.port}: plain MQTT over TCP, no TLS`,
      },
    ],
  };
}
