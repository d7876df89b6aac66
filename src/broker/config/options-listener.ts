import { type Handler, type ListenerDraft, newListenerDraft, securityTarget } from './state.js';
import type { TlsVersion } from './types.js';
import {
  invalid,
  isPublishTopic,
  parseBool,
  parseInteger,
  parseIntegerIn,
  parseKeyword,
  parseString,
  setOnce,
  unsupported,
} from './values.js';

type PathKey = 'cafile' | 'capath' | 'certfile' | 'keyfile' | 'crlfile';
type BoolKey = 'requireCertificate' | 'useIdentityAsUsername' | 'useSubjectAsUsername';

const path =
  (key: PathKey): Handler =>
  (c) =>
    setOnce(c.line, c.listener, key, c.resolvePath(parseString(c.line)));

const flag =
  (key: BoolKey): Handler =>
  (c) => {
    c.listener[key] = parseBool(c.line);
  };

const text =
  (key: 'ciphers' | 'ciphersTls13'): Handler =>
  (c) =>
    setOnce(c.line, c.listener, key, parseString(c.line));

const TLS_VERSIONS: readonly TlsVersion[] = ['tlsv1.3', 'tlsv1.2', 'tlsv1.1'];

/** Options that configure a listener: the last `listener` line, or the default listener. */
export const LISTENER_OPTIONS: Readonly<Record<string, Handler>> = {
  listener: (c) => {
    const l = c.line;
    c.draft.localOnly = false;
    const [portText, second, third] = l.args;
    if (portText === undefined) throw invalid(l, 'missing port');
    if (!/^\d+$/.test(portText)) throw invalid(l, `"${portText}" is not a port number`);
    const port = Number(portText);
    // A `#` word where the address would be is a comment (conf.c checks for it explicitly).
    const bind = second !== undefined && !second.startsWith('#') ? second : undefined;
    if (bind !== undefined && third !== undefined && !third.startsWith('#')) {
      throw invalid(l, `unexpected "${third}" after the bind address`);
    }
    if (port === 0) {
      if (bind !== undefined) throw unsupported(l, 'port 0 is a Unix socket listener, not implemented');
      throw invalid(l, 'port 0 needs a Unix socket path');
    }
    if (port > 65535) throw invalid(l, `port ${port} is out of range (1..65535)`);
    const draft: ListenerDraft = newListenerDraft(port, { file: l.file, line: l.line });
    if (bind !== undefined) draft.bindAddress = bind;
    c.draft.listeners.push(draft);
    c.listener = draft;
  },
  port: (c) => {
    c.warn("'port' is deprecated in Mosquitto 2.0; use 'listener' (it sets the default listener's port)");
    c.draft.localOnly = false;
    const port = parseIntegerIn(c.line, 1, 65535);
    if (c.draft.defaultListener.port !== 0) {
      c.warn('default listener port given more than once; the last one is used');
    }
    c.draft.defaultListener.port = port;
  },
  // Always the default listener's address, whatever listener is current (conf.c).
  bind_address: (c) => {
    c.warn("'bind_address' is deprecated in Mosquitto 2.0; use 'listener PORT ADDRESS'");
    c.draft.localOnly = false;
    setOnce(c.line, c.draft.defaultListener, 'bindAddress', parseString(c.line));
  },
  protocol: (c) => {
    c.listener.protocol = parseKeyword(c.line, ['mqtt', 'websockets'] as const);
  },
  socket_domain: (c) => {
    c.listener.socketDomain = parseKeyword(c.line, ['ipv4', 'ipv6'] as const);
  },
  max_connections: (c) => {
    const n = parseInteger(c.line);
    c.listener.maxConnections = n < 0 ? -1 : n;
  },
  max_topic_alias: (c) => {
    c.listener.maxTopicAlias = parseIntegerIn(c.line, 0, 65535);
  },
  mount_point: (c) => {
    if (c.draft.listeners.length === 0) throw invalid(c.line, "needs a 'listener' line before it");
    const prefix = parseString(c.line);
    if (!isPublishTopic(prefix)) throw invalid(c.line, `"${prefix}" is not a topic prefix (no + or #)`);
    setOnce(c.line, c.listener, 'mountPoint', prefix);
  },
  cafile: path('cafile'),
  capath: path('capath'),
  certfile: path('certfile'),
  keyfile: path('keyfile'),
  crlfile: path('crlfile'),
  ciphers: text('ciphers'),
  'ciphers_tls1.3': text('ciphersTls13'),
  // A string in conf.c, checked when the listener starts: a trailing comment makes it invalid.
  tls_version: (c) => {
    const v = parseString(c.line);
    if (!(TLS_VERSIONS as readonly string[]).includes(v)) {
      throw invalid(c.line, `"${v}" is not one of ${TLS_VERSIONS.join(', ')}`);
    }
    setOnce(c.line, c.listener, 'tlsVersion', v as TlsVersion);
  },
  require_certificate: flag('requireCertificate'),
  use_identity_as_username: flag('useIdentityAsUsername'),
  use_subject_as_username: flag('useSubjectAsUsername'),
};

/** The options per_listener_settings moves between global and per-listener scope. */
export const SECURITY_OPTIONS: Readonly<Record<string, Handler>> = {
  allow_anonymous: (c) => {
    const value = parseBool(c.line);
    securityTarget(c).allowAnonymous = value;
  },
  allow_zero_length_clientid: (c) => {
    const value = parseBool(c.line);
    securityTarget(c).allowZeroLengthClientid = value;
  },
  auto_id_prefix: (c) => setOnce(c.line, securityTarget(c), 'autoIdPrefix', parseString(c.line)),
  password_file: (c) =>
    setOnce(c.line, securityTarget(c), 'passwordFile', c.resolvePath(parseString(c.line))),
  acl_file: (c) => setOnce(c.line, securityTarget(c), 'aclFile', c.resolvePath(parseString(c.line))),
};
