// What tshark reads in a golden capture: the content of its expected.json. The generator writes
// these facts once; the test reads them again from the checked-in file on every run, so the
// expectation always stands on an independent dissector as well as on our analyzer.
import { spawnSync } from 'node:child_process';
import { fields, run } from '../pcap/tshark.js';
import { tsharkRecords } from '../tls-dissect/tshark.js';
import type { GoldenSpec } from './captures.js';

export type Direction = 'c2s' | 's2c';

/** MQTT as tshark's dissector reads it, in clear or decrypted with the key log. */
export interface MqttFacts {
  /** mqtt.ver of the CONNECT: 4 = 3.1.1, 5 = 5.0. */
  readonly protocolVersion: number;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly topic: string;
  readonly qos: number;
  readonly payloadHex: string;
  /** MQTT 5 user properties of the PUBLISH, [key, value]. */
  readonly userProperties?: readonly (readonly [string, string])[];
  /** Every control packet, in capture order: "c2s CONNECT". */
  readonly messages: readonly string[];
}

/** What a passive observer without the keys reads of the TLS session. */
export interface TlsFacts {
  readonly version: '1.2' | '1.3';
  readonly cipherSuite: { readonly code: string; readonly name: string };
  readonly sni: string | null;
  /** [content type, record length], per direction in stream order (TLS 1.3: opaque_type). */
  readonly records: { readonly c2s: readonly [number, number][]; readonly s2c: readonly [number, number][] };
  /** The client's leaf certificate as tshark's x509 dissector shows it: only in TLS 1.2. */
  readonly clientCertificate:
    | { readonly visible: true; readonly subject: string; readonly subjectCn: string }
    | { readonly visible: false };
}

export interface GoldenExpectation {
  readonly file: string;
  readonly format: 'pcap' | 'pcapng';
  readonly frames: number;
  readonly serverPort: number;
  /** Plaintext captures: the MQTT in clear. */
  readonly mqtt?: MqttFacts;
  /** TLS captures: the handshake and record layer as seen on the wire… */
  readonly tls?: TlsFacts;
  /** …and the MQTT inside, as tshark decrypts it with the capture's .keys file. */
  readonly decrypted?: MqttFacts;
}

/** MQTT control packet types (MQTT 5.0 §2.1.2), as tshark's mqtt.msgtype numbers them. */
export const MQTT_TYPES: Readonly<Record<number, string>> = {
  1: 'CONNECT',
  2: 'CONNACK',
  3: 'PUBLISH',
  4: 'PUBACK',
  5: 'PUBREC',
  6: 'PUBREL',
  7: 'PUBCOMP',
  8: 'SUBSCRIBE',
  9: 'SUBACK',
  10: 'UNSUBSCRIBE',
  11: 'UNSUBACK',
  12: 'PINGREQ',
  13: 'PINGRESP',
  14: 'DISCONNECT',
  15: 'AUTH',
};

const TLS_VERSIONS: Readonly<Record<string, '1.2' | '1.3'>> = { '0x0303': '1.2', '0x0304': '1.3' };
/** X.520 attribute types (RFC 5280 §4.1.2.4), named as our CertificateView.subject names them. */
const ATTRIBUTES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
};

/** tshark's options for reading the TLS session with its key log. */
export const keylogOptions = (keys: string): string[] => ['-o', `tls.keylog_file:${keys}`];

export function tsharkFacts(spec: GoldenSpec, file: string, keys?: string): GoldenExpectation {
  const base = {
    file: spec.file,
    format: spec.format,
    frames: fields(file, ['frame.number']).length,
    serverPort: spec.serverPort,
  };
  if (spec.tls === undefined) return { ...base, mqtt: mqttFacts(file, spec.serverPort, []) };
  if (keys === undefined) throw new Error(`${spec.file}: a TLS capture needs its key log`);
  return {
    ...base,
    tls: tlsFacts(file, spec.serverPort),
    decrypted: mqttFacts(file, spec.serverPort, keylogOptions(keys)),
  };
}

const list = (cell: string | undefined) => (cell ?? '').split(',').filter((x) => x !== '');
const colonHex = (cell: string) => cell.replace(/:/g, '');

/** `tshark -T fields` with extra options (the key log): one row per frame, one cell per field. */
export function fieldsWith(
  file: string,
  options: readonly string[],
  names: readonly string[],
  filter: string,
): string[][] {
  const args = ['-r', file, ...options, '-Y', filter, '-T', 'fields', '-E', 'separator=/t'];
  args.push('-E', 'occurrence=a', '-E', 'aggregator=,');
  for (const n of names) args.push('-e', n);
  return run('tshark', args)
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

function mqttFacts(file: string, serverPort: number, options: readonly string[]): MqttFacts {
  const names = [
    'tcp.dstport',
    'mqtt.msgtype',
    'mqtt.ver',
    'mqtt.clientid',
    'mqtt.username',
    'mqtt.passwd',
    'mqtt.topic',
    'mqtt.qos',
    'mqtt.msg',
    'mqtt.prop_key',
    'mqtt.prop_value',
  ];
  const rows = fieldsWith(file, options, names, 'mqtt');
  const messages: string[] = [];
  const one = (k: number, what: string): string => {
    const values = rows.flatMap((r) => list(r[k]));
    if (values.length !== 1) throw new Error(`${file}: expected one ${what}, tshark read ${values.length}`);
    return values[0]!;
  };
  for (const r of rows) {
    const direction: Direction = r[0] === String(serverPort) ? 'c2s' : 's2c';
    for (const t of list(r[1])) messages.push(`${direction} ${MQTT_TYPES[Number(t)] ?? `type ${t}`}`);
  }
  const publish = rows.filter((r) => list(r[1]).includes('3'));
  const keys = publish.flatMap((r) => list(r[9]));
  const values = publish.flatMap((r) => list(r[10]));
  const username = rows.flatMap((r) => list(r[4]));
  const password = rows.flatMap((r) => list(r[5]));
  return {
    protocolVersion: Number(one(2, 'mqtt.ver')),
    clientId: one(3, 'mqtt.clientid'),
    ...(username.length > 0 && { username: one(4, 'mqtt.username') }),
    ...(password.length > 0 && { password: one(5, 'mqtt.passwd') }),
    topic: one(6, 'mqtt.topic'),
    qos: Number(publish.flatMap((r) => list(r[7]))[0]),
    payloadHex: colonHex(one(8, 'mqtt.msg')),
    ...(keys.length > 0 && { userProperties: keys.map((k, i) => [k, values[i] ?? ''] as const) }),
    messages,
  };
}

function tlsFacts(file: string, serverPort: number): TlsFacts {
  const records = { c2s: [] as [number, number][], s2c: [] as [number, number][] };
  for (const r of tsharkRecords(file, serverPort)) records[r.direction].push([r.contentType, r.length]);
  const [hello] = fieldsWith(
    file,
    [],
    ['tls.handshake.version', 'tls.handshake.extensions.supported_version', 'tls.handshake.ciphersuite'],
    'tls.handshake.type == 2',
  );
  if (hello === undefined) throw new Error(`${file}: no ServerHello`);
  // RFC 8446 §4.2.1: a TLS 1.3 ServerHello says 1.2 in legacy_version and 1.3 in supported_versions.
  const version = TLS_VERSIONS[hello[1] || hello[0] || ''];
  if (version === undefined) throw new Error(`${file}: ServerHello version ${hello.join(' ')}`);
  const sni = fieldsWith(file, [], ['tls.handshake.extensions_server_name'], 'tls.handshake.type == 1');
  return {
    version,
    cipherSuite: cipherSuite(file, hello[2] ?? ''),
    sni: sni[0]?.[0] || null,
    records,
    clientCertificate: clientCertificate(file, serverPort),
  };
}

/** The suite's name is only in the dissection tree (PDML showname), not in a field value. */
function cipherSuite(file: string, code: string): TlsFacts['cipherSuite'] {
  const pdml = run('tshark', ['-r', file, '-Y', 'tls.handshake.type == 2', '-T', 'pdml']);
  const m =
    /<field name="tls\.handshake\.ciphersuite" showname="Cipher Suite: (\S+) \((0x[0-9a-f]{4})\)"/.exec(pdml);
  if (m === null || m[2] !== code) throw new Error(`${file}: ServerHello cipher suite ${code} not named`);
  return { code, name: m[1]! };
}

type Json = string | Json[] | { [key: string]: Json };

/** The first certificate of the client's Certificate message, if tshark reads it in clear. */
function clientCertificate(file: string, serverPort: number): TlsFacts['clientCertificate'] {
  const filter = `tls.handshake.type == 11 && tcp.dstport == ${serverPort}`;
  const out = run('tshark', ['-r', file, '-Y', filter, '-T', 'json', '--no-duplicate-keys', '-J', 'tls']);
  const packets = JSON.parse(out) as { _source: { layers: Record<string, Json> } }[];
  const subjectTree = find(packets[0]?._source.layers.tls, 'x509af.subject_tree');
  if (subjectTree === undefined) return { visible: false };
  const rdns: [string, string][] = [];
  walkRdns(subjectTree, rdns);
  const subject = rdns.map(([oid, value]) => `${ATTRIBUTES[oid] ?? oid}=${value}`).join(', ');
  const cn = rdns.find(([oid]) => oid === '2.5.4.3')?.[1];
  if (cn === undefined) throw new Error(`${file}: client certificate without a CN: ${subject}`);
  return { visible: true, subject, subjectCn: cn };
}

/** The first value of `key` anywhere under `node`, depth first. */
function find(node: Json | undefined, key: string): Json | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  if (Array.isArray(node)) {
    for (const n of node) {
      const hit = find(n, key);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === key) return v;
    const hit = find(v, key);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Each RelativeDistinguishedName's attribute type (x509if.oid) and its string value, in order. */
function walkRdns(node: Json, out: [string, string][]): void {
  if (typeof node === 'string') return;
  if (Array.isArray(node)) return node.forEach((n) => walkRdns(n, out));
  const oid = node['x509if.oid'];
  if (typeof oid === 'string') {
    const value = stringValue(node);
    if (value !== undefined) out.push([oid, value]);
    return;
  }
  for (const v of Object.values(node)) walkRdns(v, out);
}

/** An attribute's value: whichever x509sat string field tshark used for its ASN.1 string type. */
function stringValue(node: Json): string | undefined {
  if (typeof node === 'string') return undefined;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'x509if.oid') continue;
    if (typeof v === 'string' && k.startsWith('x509sat.') && !/^x509sat\.DirectoryString$/.test(k)) return v;
    const inner = typeof v === 'string' ? undefined : stringValue(v);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** The ClientHello random of the capture's TLS session (hex), as the key log names it. */
export function clientRandom(file: string): string {
  const randoms = fieldsWith(file, [], ['tls.handshake.random'], 'tls.handshake.type == 1');
  if (randoms.length !== 1) throw new Error(`${file}: ${randoms.length} ClientHellos, expected one`);
  return colonHex(randoms[0]![0]!);
}

/** Running tshark as root prints this notice on stderr; it says nothing about the file. */
const ROOT_NOTICE = /^Running as user "root" and group "root"\. This could be dangerous\.$/;

/** What tshark prints on stderr reading `file` (with `options`), the root notice left out. */
export function tsharkWarnings(file: string, options: readonly string[] = []): string[] {
  const r = spawnSync('tshark', ['-r', file, ...options], { encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined || r.status !== 0)
    return [`tshark exited ${r.status}: ${r.error?.message ?? ''}`, r.stderr];
  return r.stderr.split('\n').filter((l) => l.trim() !== '' && !ROOT_NOTICE.test(l));
}
