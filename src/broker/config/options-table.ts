import type { Handler } from './state.js';
import { GLOBAL_OPTIONS } from './options-global.js';
import { LISTENER_OPTIONS, SECURITY_OPTIONS } from './options-listener.js';

/**
 * Options Mosquitto 2.0.11 knows (conf.c, mosquitto.conf(5)) that mqtts-lab refuses, grouped
 * by the feature they belong to. Refusing is deliberate: ignoring `psk_hint` or a bridge
 * would run a broker that does less than its configuration says.
 */
const REFUSED: Readonly<Record<string, readonly string[]>> = {
  'bridges are not implemented': [
    'address',
    'addresses',
    'bridge_alpn',
    'bridge_attempt_unsubscribe',
    'bridge_bind_address',
    'bridge_cafile',
    'bridge_capath',
    'bridge_certfile',
    'bridge_identity',
    'bridge_insecure',
    'bridge_keyfile',
    'bridge_max_packet_size',
    'bridge_outgoing_retain',
    'bridge_protocol_version',
    'bridge_psk',
    'bridge_require_ocsp',
    'bridge_tls_version',
    'cleansession',
    'clientid',
    'connection',
    'idle_timeout',
    'keepalive_interval',
    'local_cleansession',
    'local_clientid',
    'local_password',
    'local_username',
    'notification_topic',
    'notifications',
    'notifications_local_only',
    'password',
    'remote_clientid',
    'remote_password',
    'remote_username',
    'restart_timeout',
    'round_robin',
    'start_type',
    'threshold',
    'topic',
    'try_private',
    'username',
  ],
  'plugins are not implemented (use password_file and acl_file)': [
    'auth_plugin',
    'auth_plugin_deny_special_chars',
    'plugin',
  ],
  'TLS-PSK is not implemented': ['psk_file', 'psk_hint'],
  'OpenSSL engines and custom DH parameters are not implemented': [
    'dhparamfile',
    'tls_engine',
    'tls_engine_kpass_sha1',
    'tls_keyform',
  ],
  'the websockets HTTP server options are not implemented': [
    'http_dir',
    'websockets_headers_size',
    'websockets_log_level',
  ],
  'this Mosquitto option is not implemented': [
    'autosave_on_changes',
    'bind_interface',
    'clientid_prefixes',
    'log_facility',
    'max_qos',
    'maximum_qos',
    'memory_limit',
    'use_username_as_clientid',
  ],
};

/** conf.c accepts any name with these prefixes (options passed to an auth plugin). */
const REFUSED_PREFIXES: readonly (readonly [string, string])[] = [
  ['auth_opt_', 'plugins are not implemented'],
  ['plugin_opt_', 'plugins are not implemented'],
];

const SUPPORTED: Readonly<Record<string, Handler>> = {
  ...LISTENER_OPTIONS,
  ...SECURITY_OPTIONS,
  ...GLOBAL_OPTIONS,
};

const REFUSED_BY_NAME = new Map(
  Object.entries(REFUSED).flatMap(([why, names]) => names.map((n) => [n, why] as const)),
);

export type Lookup =
  | { readonly kind: 'supported'; readonly handler: Handler }
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'unknown'; readonly suggestion?: string };

/** The one dispatcher: supported, refused, or unknown (a typo). */
export function lookupOption(name: string): Lookup {
  if (Object.hasOwn(SUPPORTED, name)) return { kind: 'supported', handler: SUPPORTED[name]! };
  const why = REFUSED_BY_NAME.get(name) ?? REFUSED_PREFIXES.find(([p]) => name.startsWith(p))?.[1];
  if (why !== undefined) return { kind: 'refused', why };
  const suggestion = closest(name);
  return suggestion === undefined ? { kind: 'unknown' } : { kind: 'unknown', suggestion };
}

export const SUPPORTED_OPTIONS: readonly string[] = Object.freeze(Object.keys(SUPPORTED).sort());
export const REFUSED_OPTIONS: Readonly<Record<string, readonly string[]>> = REFUSED;

function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const known of [...Object.keys(SUPPORTED), ...REFUSED_BY_NAME.keys()]) {
    const d = distance(name, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

/** Levenshtein distance, enough to turn `allow_anonymus` into a hint. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
