import { protocolLabel } from './mqtt-names.js';
import { formatInterval } from './traffic.js';
import type {
  BytesView,
  CaptureAnalysis,
  ConnectionAnalysis,
  DecryptedView,
  Evidence,
  Observation,
  ObservationItem,
} from './types.js';

/** PUBLISH lines printed per connection; the JSON has them all (up to maxMessages). */
const MAX_PUBLISH_LINES = 20;

const LABELS: Record<ObservationItem, string> = {
  'tcp.endpoints': 'endpoints',
  'tcp.timing': 'start, duration',
  'tcp.volume': 'bytes',
  'mqtt.protocol': 'protocol',
  'mqtt.client-id': 'client id',
  'mqtt.username': 'username',
  'mqtt.password': 'password',
  'mqtt.will': 'will',
  'mqtt.connack': 'CONNACK',
  'mqtt.publish': 'PUBLISH',
  'mqtt.subscribe': 'SUBSCRIBE',
  'mqtt.suback': 'SUBACK',
  'mqtt.unsubscribe': 'UNSUBSCRIBE',
  'mqtt.disconnect': 'DISCONNECT',
  'mqtt.auth': 'AUTH',
  'tls.version': 'TLS version',
  'tls.cipher-suite': 'cipher suite',
  'tls.sni': 'SNI',
  'tls.alpn': 'ALPN',
  'tls.server-certificate': 'server cert',
  'tls.client-certificate': 'client cert',
  'tls.handshake': 'handshake',
  'tls.alert': 'alert',
  'tls.application-data': 'app data',
  'traffic.pattern': 'pattern',
  payload: 'payload',
};
const WIDTH = Math.max(...Object.values(LABELS).map((l) => l.length));

/** The human report: a header for the file, then one section per connection. */
export function renderAnalysisText(a: CaptureAnalysis, file?: string): string {
  const n = a.connections.length;
  const head = [
    `${file ? `${file}: ` : ''}${a.format}, ${a.packets} packets, ${a.tcpSegments} TCP segments, ${n} TCP connection${n === 1 ? '' : 's'}`,
    ...(a.keyLog
      ? [
          `key log: ${a.keyLog.sessions} session${a.keyLog.sessions === 1 ? '' : 's'}, ${a.keyLog.decryptedConnections} TLS connection${a.keyLog.decryptedConnections === 1 ? '' : 's'} decrypted (what the key holder reads; the verdicts stay the eavesdropper's)`,
        ]
      : []),
    ...a.notes.map((x) => `note: ${x.what}`),
  ];
  return [head.join('\n'), ...a.connections.map(renderConnection)].join('\n\n') + '\n';
}

export function renderConnection(c: ConnectionAnalysis): string {
  const ep = (e: { ip: string; port: number }) => `${e.ip}:${e.port}`;
  const v = c.verdict;
  const lines = [
    `Connection ${c.index}: ${ep(c.client)} → ${ep(c.server)}, ${protocolName(c)}`,
    `  verdict: payload ${v.payload.toUpperCase()}, identity ${v.identity.toUpperCase()}, metadata ${v.metadata.toUpperCase()}`,
    `    payload:  ${v.why.payload}`,
    `    identity: ${v.why.identity}`,
    '',
  ];
  let publishes = 0;
  for (const o of c.observations) {
    if (o.item === 'mqtt.publish' && ++publishes > MAX_PUBLISH_LINES) continue;
    lines.push(...renderObservation(o, c.startUs));
  }
  const more = publishes - MAX_PUBLISH_LINES + (c.mqtt?.omittedMessages ?? 0);
  if (more > 0) lines.push(`  … ${more} more PUBLISH/SUBSCRIBE not shown (--json lists up to the limit)`);
  if (c.decrypted) lines.push('', ...renderDecrypted(c.decrypted));
  if (c.notes.length > 0) {
    lines.push('', '  notes:');
    for (const x of c.notes) {
      const where = x.direction ? `${x.direction}${x.offset !== undefined ? ` @${x.offset}` : ''}: ` : '';
      lines.push(`    ${where}${x.what}`);
    }
  }
  return lines.join('\n');
}

/** The key holder's view, marked as such: a key log is not something an eavesdropper has. */
function renderDecrypted(d: DecryptedView): string[] {
  const lines = [`  with the key log: ${d.status} — ${d.detail}`];
  const row = (label: string, value: string) => lines.push(`    ${label.padEnd(WIDTH)}  ${value}`);
  if (d.alpnSelected !== undefined) row('ALPN', d.alpnSelected);
  if (d.clientCertificate) row('client cert', d.clientCertificate.subject ?? '(no subject)');
  const m = d.mqtt;
  if (m?.connect) {
    row('client id', m.connect.clientId);
    if (m.connect.username !== undefined) row('username', m.connect.username);
    if (m.connect.password) row('password', bytesText(m.connect.password));
  }
  for (const p of (m?.publishes ?? []).slice(0, MAX_PUBLISH_LINES))
    row('PUBLISH', `${p.direction} ${p.topic} (QoS ${p.qos}) ${bytesText(p.payload)}`);
  const more = (m?.publishes.length ?? 0) - MAX_PUBLISH_LINES + (m?.omittedMessages ?? 0);
  if (more > 0) lines.push(`    … ${more} more PUBLISH not shown`);
  for (const s of m?.subscriptions ?? []) row('SUBSCRIBE', `${s.filter} (QoS ${s.qos})`);
  for (const a of d.alerts) row('alert', `${a.direction} ${a.level ?? '?'} ${a.description ?? '?'}`);
  for (const f of d.failures) row('failed', `${f.direction}: ${f.what}`);
  for (const n of d.notes ?? []) row('note', n.what);
  return lines;
}

function bytesText(b: BytesView): string {
  const shown = b.text !== undefined ? JSON.stringify(b.text) : `0x${b.hex ?? ''}`;
  return `${shown}${b.truncated ? ` … (${b.bytes} bytes)` : ''}`;
}

function renderObservation(o: Observation, startUs: number): string[] {
  const verdict = o.verdict.padEnd(7);
  const label = LABELS[o.item].padEnd(WIDTH);
  const first = `  ${verdict}  ${label}  ${o.value ?? '(encrypted)'}`;
  const e = o.evidence[0];
  const where = e
    ? ` [${evidenceText(e, startUs)}${o.evidence.length > 1 ? ` +${o.evidence.length - 1} more` : ''}]`
    : '';
  return [first, `  ${' '.repeat(7)}  ${' '.repeat(WIDTH)}  ${o.detail}${where}`];
}

export function evidenceText(e: Evidence, startUs: number): string {
  const t = ((e.timeUs - startUs) / 1_000_000).toFixed(3);
  return `${e.direction} +${t} s, ${e.length} bytes at ${e.offset}`;
}

function protocolName(c: ConnectionAnalysis): string {
  const when = `${new Date(Math.floor(c.startUs / 1000)).toISOString()}, ${formatInterval(Math.max(0, c.endUs - c.startUs))}`;
  switch (c.protocol) {
    case 'mqtt':
      return `plaintext ${protocolLabel(c.mqtt?.protocolLevel)} (${when})`;
    case 'tls':
      return `TLS ${c.tls?.version ?? '(no ServerHello)'} (${when})`;
    case 'unknown':
      return `unrecognised plaintext (${when})`;
    default:
      return `no data (${when})`;
  }
}
