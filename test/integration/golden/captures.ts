// The golden wire captures (test/golden/wire/): what each one is and how mosquitto_pub made it.
// scripts/make-golden-captures.ts records them; golden-captures.test.ts checks them.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'golden', 'wire');
export const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';

/** What every capture carries: one connection, one QoS 1 PUBLISH of an ENV II reading. */
export const PUBLISH = {
  clientId: 'm5go-01',
  topic: 'm5go/env',
  qos: 1,
  reading: { deviceId: 'm5go-01', seq: 1, temperature: 22.48, humidity: 43.7, pressure: 1012.36 },
  username: 'dupont',
  password: 's3cret!',
  userProperty: ['sensor', 'ENV II'],
} as const;

export interface GoldenSpec {
  readonly name: string;
  readonly file: string;
  readonly format: 'pcap' | 'pcapng';
  /** The broker's port as it appears in the file. */
  readonly serverPort: 1883 | 8883;
  readonly mqttVersion: 4 | 5;
  readonly tls?: 'tlsv1.2' | 'tlsv1.3';
  /** Whether the CONNECT carries the username and password. */
  readonly credentials: boolean;
  readonly userProperty: boolean;
  /** mosquitto_pub's arguments; run in the PKI directory, so certificate paths are bare names. */
  args(port: number | string, payload: string): string[];
}

function spec(
  name: string,
  format: GoldenSpec['format'],
  mqttVersion: GoldenSpec['mqttVersion'],
  tls: GoldenSpec['tls'],
  extra: readonly string[],
): GoldenSpec {
  const base = (port: number | string, payload: string) => [
    ...['-h', '127.0.0.1', '-p', String(port), '-V', mqttVersion === 5 ? 'mqttv5' : 'mqttv311'],
    ...['-i', PUBLISH.clientId, '-q', String(PUBLISH.qos), '-t', PUBLISH.topic, '-m', payload],
  ];
  const tlsArgs = tls ? ['--cafile', 'ca.crt', '--cert', 'm5go-01.crt', '--key', 'm5go-01.key'] : [];
  return {
    name,
    file: `${name}.${format}`,
    format,
    serverPort: tls ? 8883 : 1883,
    mqttVersion,
    ...(tls && { tls }),
    credentials: extra.includes('-u'),
    userProperty: extra.includes('user-property'),
    args: (port, payload) => [
      ...base(port, payload),
      ...tlsArgs,
      ...(tls ? ['--tls-version', tls] : []),
      ...extra,
    ],
  };
}

export const GOLDEN: readonly GoldenSpec[] = [
  spec('mosquitto-pub-plain', 'pcap', 4, undefined, ['-u', PUBLISH.username, '-P', PUBLISH.password]),
  spec('mosquitto-pub-v5-plain', 'pcapng', 5, undefined, [
    ...['-D', 'publish', 'user-property', ...PUBLISH.userProperty],
  ]),
  spec('mosquitto-pub-tls12', 'pcap', 4, 'tlsv1.2', []),
  spec('mosquitto-pub-tls13', 'pcap', 4, 'tlsv1.3', []),
];

export const goldenPath = (file: string) => join(GOLDEN_DIR, file);

/** The versions of the tools that made (or now read) the goldens, one line each. */
export function toolVersions(): { mosquittoPub: string; tshark: string; node: string; openssl: string } {
  const firstLine = (command: string, args: string[], match: RegExp) =>
    spawnSync(command, args, { encoding: 'utf8' })
      .stdout.split('\n')
      .find((l) => match.test(l))
      ?.trim() ?? `${command}: unknown`;
  return {
    mosquittoPub: firstLine(MOSQUITTO_PUB, ['--help'], /version/),
    tshark: firstLine('tshark', ['--version'], /^TShark/),
    node: `Node.js ${process.version}`,
    openssl: `OpenSSL ${process.versions.openssl} (Node's)`,
  };
}
