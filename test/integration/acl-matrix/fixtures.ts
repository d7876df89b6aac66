// The ACL matrix's model: one acl_file, the identities that connect, the topics each one tries,
// and the mosquitto.conf both brokers run (a plain listener, and an mTLS listener where the
// certificate CN is the username).
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTlsFixtures } from '../../helpers/tls-fixtures.js';
import type { Endpoint } from './client.js';

/** Every line kind of the format, Mosquitto's ordering rules, and the lab's own policy. */
export const ACL = `# Clients without a username: the topic lines before any user line.
topic read public/#
topic deny public/secret
topic write public/inbox

user alice
topic readwrite alice/#
topic deny alice/private/#
topic read public/#
topic deny devices/alice/secret

user bob
topic read alice/data
topic write bob/out
topic read devices/#

user sysmon
topic read $SYS/#

# The lab's policy.
user m5go-publisher
topic write m5go/env

user m5stack-subscriber
topic read m5go/env

# The matrix's privileged publisher and observer.
user admin
topic readwrite #

# Every client: %u is the username, %c the client id.
pattern readwrite devices/%u/#
pattern deny devices/%u/blocked
pattern read clients/%c/in
pattern write logs/%u.log
`;

export const ADMIN = 'admin';

export interface Identity {
  /** The row name in a disagreement report. */
  readonly key: string;
  /** The CONNECT's username; the certificate CN replaces it on the mTLS listener. */
  readonly username?: string;
  /** The client id, before the `-v4` / `-v5` that keeps the two protocol versions apart. */
  readonly clientId: string;
  /** Connects to the mTLS listener with the fixtures' client certificate (CN m5go-01). */
  readonly mtls?: true;
}

export const CERT_CN = 'm5go-01';

export const IDENTITIES: readonly Identity[] = [
  { key: 'anonymous', clientId: 'anon' },
  { key: 'anonymous, client id with +', clientId: 'anon+' },
  { key: 'alice', username: 'alice', clientId: 'alice' },
  { key: 'bob', username: 'bob', clientId: 'bob' },
  { key: 'sysmon', username: 'sysmon', clientId: 'sysmon' },
  { key: 'm5go-publisher', username: 'm5go-publisher', clientId: 'm5go' },
  { key: 'm5stack-subscriber', username: 'm5stack-subscriber', clientId: 'm5stack' },
  { key: 'mallory (not in the ACL)', username: 'mallory', clientId: 'mallory' },
  { key: 'mallory, client id with +', username: 'mallory', clientId: 'mal+' },
  { key: 'mallory, client id with #', username: 'mallory', clientId: 'mal#' },
  { key: 'empty username', username: '', clientId: 'empty-user' },
  { key: `certificate CN ${CERT_CN}`, clientId: 'cert', mtls: true },
];

export const VERSIONS = [4, 5] as const;
export type Version = (typeof VERSIONS)[number];

/** One identity in one protocol version: one connection, and the topics it tries. */
export interface Row {
  readonly identity: Identity;
  readonly version: Version;
  readonly clientId: string;
  /** The username the ACL sees. */
  readonly username: string | undefined;
  readonly topics: readonly string[];
}

const FIXED_TOPICS = [
  'public/news',
  'public/secret',
  'public/inbox',
  'alice/data',
  'alice/private/key',
  'bob/out',
  'm5go/env',
  '$SYS/broker/version',
  'devices/alice/temp',
  'devices/alice/secret',
  'clients/victim/in',
  // Not a pattern, a topic: only the user named "%u" may write it.
  'logs/%u.log',
];

const isLevel = (s: string) => s.length > 0 && !/[/+#]/.test(s);

export function rowOf(identity: Identity, version: Version): Row {
  const clientId = `${identity.clientId}-v${version}`;
  const username = identity.mtls ? CERT_CN : identity.username || undefined;
  const own = [
    ...(username !== undefined
      ? [`devices/${username}/temp`, `devices/${username}/blocked`, `logs/${username}.log`]
      : []),
    ...(isLevel(clientId) ? [`clients/${clientId}/in`] : []),
  ];
  return { identity, version, clientId, username, topics: [...new Set([...FIXED_TOPICS, ...own])] };
}

export const ROWS: readonly Row[] = IDENTITIES.flatMap((i) => VERSIONS.map((v) => rowOf(i, v)));

/** The privileged publisher and observer (user admin, `topic readwrite #`), always MQTT 5. */
export const ADMIN_ROW: Row = {
  identity: { key: 'admin (privileged)', username: ADMIN, clientId: 'matrix-admin' },
  version: 5,
  clientId: 'matrix-admin',
  username: ADMIN,
  topics: [],
};
/** A topic the privileged publisher uses and nobody subscribes to. */
export const UNSUBSCRIBED = 'nobody/listens';

export interface MatrixFiles {
  readonly acl: string;
  readonly cafile: string;
  readonly certfile: string;
  readonly keyfile: string;
  /** The mTLS client's endpoint parts. */
  readonly clientTls: NonNullable<Endpoint['tls']>;
}

export async function makeMatrixFiles(dir: string): Promise<MatrixFiles> {
  const fx = await makeTlsFixtures(dir);
  const acl = join(dir, 'acl');
  writeFileSync(acl, ACL);
  // Mosquitto drops root privileges to user "mosquitto" before it reads any of these.
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  return {
    acl,
    cafile: fx.cafile,
    certfile: fx.server.cert,
    keyfile: fx.server.key,
    clientTls: {
      ca: readFileSync(fx.cafile),
      cert: readFileSync(fx.client.cert),
      key: readFileSync(fx.client.key),
    },
  };
}

/** Security options are global (no per_listener_settings): both listeners share the ACL. */
export function brokerConf(tcp: number, tls: number, files: MatrixFiles): string {
  return [
    'allow_anonymous true',
    `acl_file ${files.acl}`,
    `listener ${tcp} 127.0.0.1`,
    `listener ${tls} 127.0.0.1`,
    `cafile ${files.cafile}`,
    `certfile ${files.certfile}`,
    `keyfile ${files.keyfile}`,
    'require_certificate true',
    'use_identity_as_username true',
    '',
  ].join('\n');
}
