import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type ConnectionOptions, rootCertificates } from 'node:tls';
import type { IClientOptions } from 'mqtt';
import { validateTopicName } from '../../wire/mqtt/topic.js';
import { type ClientFlags, usage } from './client-flags.js';
import { parseSessionExpiry, type PropertySet } from './properties.js';
import { loadCaPath, loadCertificates, loadKey, validateTlsContext } from './tls-files.js';

/**
 * Flags → what to dial and what to send in CONNECT. TLS settings are ours, not MQTT.js's
 * defaults: the session builds the socket from `tls` itself, so what the lab sees on the wire is
 * exactly what these options say.
 */
export interface ConnectionPlan {
  readonly host: string;
  readonly port: number;
  /** undefined: plain TCP. */
  readonly tls: Readonly<ConnectionOptions> | undefined;
  readonly tcp: { readonly localAddress?: string; readonly noDelay?: boolean };
  /** --unix: a Unix domain socket path instead of host and port. */
  readonly unix: string | undefined;
  readonly insecure: boolean;
  readonly client: Readonly<IClientOptions>;
  readonly version: 3 | 4 | 5;
  /** The topic -L carried, if any. */
  readonly urlTopic: string | undefined;
}

export interface ParsedUrl {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly topic: string;
}

/** mosquitto's -L: mqtt(s)://[username[:password]@]host[:port]/topic, topic taken verbatim ('#' too). */
export function parseMqttUrl(url: string): ParsedUrl {
  const m = /^(mqtts?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]+\]|[^:/[\]]+)(?::(\d+))?(?:\/(.*))?$/s.exec(
    url,
  );
  if (m === null) {
    if (!/^mqtts?:\/\//.test(url)) usage(`-L: unsupported URL scheme in "${url}" (mqtt:// or mqtts://)`);
    usage(`-L: malformed URL "${url}"`);
  }
  const topic = m[6];
  if (topic === undefined || topic === '') usage('-L: invalid URL, topic missing');
  const port = m[5] === undefined ? undefined : Number(m[5]);
  if (port !== undefined && (port < 1 || port > 65535)) usage(`-L: invalid port ${m[5]}`);
  return {
    tls: m[1] === 'mqtts',
    host: (m[4] as string).replace(/^\[(.*)\]$/, '$1'),
    port,
    username: m[2],
    password: m[3],
    topic,
  };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** MQTT 3.1 forbids an empty client id, so libmosquitto makes one up: mosq- and 18 characters. */
export function generatedClientId(random: (n: number) => Uint8Array = randomBytes): string {
  return `mosq-${[...random(18)].map((b) => ALNUM[b % ALNUM.length]).join('')}`;
}

function tlsRequested(f: ClientFlags): boolean {
  return (
    [f.cafile, f.capath, f.cert, f.key, f.tlsVersion, f.ciphers, f.tlsAlpn].some((v) => v !== undefined) ||
    f.insecure === true ||
    f.tlsUseOsCerts === true
  );
}

export function buildConnectionPlan(
  f: ClientFlags,
  props: PropertySet,
  env: { cwd: string; pid: number },
): ConnectionPlan {
  const url = f.url === undefined ? undefined : parseMqttUrl(f.url);
  if (url !== undefined && (f.host !== undefined || f.port !== undefined))
    usage('-L already gives the host and port: drop -h/-p');
  if (f.unix !== undefined && (url !== undefined || f.host !== undefined || f.port !== undefined))
    usage('--unix replaces -h, -p and -L: give only one');
  if (url?.username !== undefined && f.username !== undefined)
    usage('-L already gives the user name: drop -u');
  // -D makes the client an MQTT 5 client, as in mosquitto; with an explicit 3.x it would be lost.
  const version = f.protocolVersion ?? (Object.keys(props).length === 0 ? 4 : 5);
  if (version !== 5 && Object.keys(props).length > 0) usage('-D properties need MQTT 5 (-V 5)');
  if (f.id !== undefined && f.idPrefix !== undefined) usage('-i and -I cannot be used together');
  const username = f.username ?? url?.username;
  const password = f.pw ?? url?.password;
  if (password !== undefined && username === undefined && version !== 5)
    usage('a password (-P) without a user name (-u) is invalid before MQTT 5');
  if ((f.cert === undefined) !== (f.key === undefined)) usage('--cert and --key must be given together');
  if (f.willTopic === undefined && (f.willPayload !== undefined || f.willRetain === true))
    usage('--will-payload and --will-retain need --will-topic');
  if (f.willTopic !== undefined) {
    const bad = validateTopicName(f.willTopic);
    if (bad !== undefined) usage(`invalid will topic "${f.willTopic}": ${bad.message}`);
  }
  const clean = f.disableCleanSession !== true;
  const expiry =
    f.sessionExpiry === undefined ? (clean ? undefined : 0xffffffff) : parseSessionExpiry(f.sessionExpiry);
  let clientId = f.id ?? (f.idPrefix !== undefined ? `${f.idPrefix}${env.pid}` : undefined);
  if (clientId === undefined && (!clean || (version === 5 && expiry === 0xffffffff)))
    usage('a persistent session (-c, or -x -1) needs a client id (-i)');
  if (clientId === undefined && version === 3) clientId = generatedClientId();

  const useTls = tlsRequested(f) || url?.tls === true || (url?.port ?? f.port) === 8883;
  const host = url?.host ?? f.host ?? 'localhost';
  const port = url?.port ?? f.port ?? (useTls ? 8883 : 1883);
  const connectProps = { ...(props.connect ?? {}) };
  if (version === 5 && expiry !== undefined && expiry !== 0) connectProps.sessionExpiryInterval = expiry;

  const client: IClientOptions = {
    protocolVersion: version,
    protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
    clientId: clientId ?? '',
    clean,
    keepalive: f.keepalive,
    reconnectPeriod: 0,
    connectTimeout: 30_000,
    resubscribe: false,
    manualConnect: true,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password: Buffer.from(password, 'utf8') } : {}),
    ...(version === 5 && Object.keys(connectProps).length > 0 ? { properties: connectProps } : {}),
    ...(f.willTopic !== undefined
      ? {
          will: {
            topic: f.willTopic,
            payload: Buffer.from(f.willPayload ?? '', 'utf8'),
            qos: f.willQos,
            retain: f.willRetain === true,
            ...(props.will !== undefined ? { properties: props.will } : {}),
          },
        }
      : {}),
  };
  return Object.freeze({
    host,
    port,
    tls: useTls ? tlsOptions(f, host, env.cwd) : undefined,
    tcp: Object.freeze({
      ...(f.bindAddress !== undefined ? { localAddress: f.bindAddress } : {}),
      ...(f.nodelay === true ? { noDelay: true } : {}),
    }),
    unix: f.unix === undefined ? undefined : resolve(env.cwd, f.unix),
    insecure: useTls && f.insecure === true,
    client: Object.freeze(client),
    version,
    urlTopic: url?.topic,
  });
}

function tlsOptions(f: ClientFlags, host: string, cwd: string): Readonly<ConnectionOptions> {
  const at = (p: string) => resolve(cwd, p);
  const cas: string[] = [];
  if (f.cafile !== undefined) cas.push(...loadCertificates(at(f.cafile), '--cafile'));
  if (f.capath !== undefined) cas.push(...loadCaPath(at(f.capath)));
  // Without --cafile/--capath Node trusts its bundled roots, as mosquitto trusts the OS store.
  if (f.tlsUseOsCerts === true && cas.length > 0) cas.push(...rootCertificates);
  const opts: ConnectionOptions = {
    host,
    // SNI carries names only (RFC 6066 §3); an IP is checked against the certificate's IP SANs.
    ...(isIP(host) === 0 ? { servername: host } : {}),
    rejectUnauthorized: true,
    minVersion: f.tlsVersion === 'tlsv1.3' ? 'TLSv1.3' : f.tlsVersion === 'tlsv1.1' ? 'TLSv1.1' : 'TLSv1.2',
    ...(cas.length > 0 ? { ca: cas } : {}),
    ...(f.cert !== undefined ? { cert: loadCertificates(at(f.cert), '--cert').join('') } : {}),
    ...(f.key !== undefined ? { key: loadKey(at(f.key)) } : {}),
    ...(f.ciphers !== undefined ? { ciphers: f.ciphers } : {}),
    ...(f.tlsAlpn !== undefined ? { ALPNProtocols: [f.tlsAlpn] } : {}),
    // --insecure skips the host name only: the chain is still verified against the CAs.
    ...(f.insecure === true ? { checkServerIdentity: () => undefined } : {}),
  };
  validateTlsContext(opts, { cert: f.cert, key: f.key });
  return Object.freeze(opts);
}
