import { LabError } from '../../core/errors.js';
import type { ListenerDraft } from './state.js';
import type { ConfigSource } from './types.js';

/** Cross-option checks on listeners, made once the whole configuration is read. */

function label(l: ListenerDraft): string {
  const at = l.where ? ` (${l.where.file}:${l.where.line})` : '';
  return `${l.where ? 'listener' : 'default listener'} ${l.port || 1883}${l.bindAddress ? ` ${l.bindAddress}` : ''}${at}`;
}

function listenerError(l: ListenerDraft, source: ConfigSource, message: string): LabError {
  return new LabError('ERR_BROKER_CONFIG_INVALID', `${label(l)}: ${message}`, {
    details: { file: l.where?.file ?? source.file, line: l.where?.line, listener: label(l) },
  });
}

/**
 * Startup checks. Mosquitto 2.0.11 makes none of these: it runs a listener with a certfile but
 * no keyfile, or with cafile/require_certificate but no certificate, as plain TCP, silently.
 * In a security lab that must be an error, not a surprise on the wire.
 */
export function checkListener(l: ListenerDraft, source: ConfigSource, warn: (m: string) => void): void {
  if ((l.certfile === undefined) !== (l.keyfile === undefined)) {
    const [has, lacks] = l.certfile !== undefined ? ['certfile', 'keyfile'] : ['keyfile', 'certfile'];
    throw listenerError(l, source, `${has} without ${lacks}: Mosquitto would run this listener WITHOUT TLS`);
  }
  if (l.certfile === undefined) {
    const tlsOnly = Object.entries({
      cafile: l.cafile !== undefined,
      capath: l.capath !== undefined,
      crlfile: l.crlfile !== undefined,
      ciphers: l.ciphers !== undefined,
      'ciphers_tls1.3': l.ciphersTls13 !== undefined,
      tls_version: l.tlsVersion !== undefined,
      require_certificate: l.requireCertificate,
      use_identity_as_username: l.useIdentityAsUsername,
      use_subject_as_username: l.useSubjectAsUsername,
    })
      .filter(([, set]) => set)
      .map(([name]) => name);
    if (tlsOnly.length > 0) {
      throw listenerError(
        l,
        source,
        `${tlsOnly.join(', ')} without certfile and keyfile: Mosquitto would ignore them and run plain TCP`,
      );
    }
    return;
  }
  if (l.requireCertificate && l.cafile === undefined && l.capath === undefined) {
    throw listenerError(
      l,
      source,
      'require_certificate true without cafile or capath: no client could ever connect',
    );
  }
  if ((l.useIdentityAsUsername || l.useSubjectAsUsername) && !l.requireCertificate) {
    warn(
      `${label(l)}: use_identity/subject_as_username without require_certificate: the server never asks ` +
        'for a client certificate, so Mosquitto refuses every client (bad username or password)',
    );
  }
  if (l.useIdentityAsUsername && l.useSubjectAsUsername) {
    warn(`${label(l)}: use_identity_as_username and use_subject_as_username both set; the CN is used`);
  }
}

export function checkDuplicates(drafts: readonly ListenerDraft[], source: ConfigSource): void {
  const seen = new Map<string, ListenerDraft>();
  for (const l of drafts) {
    const key = `${l.port || 1883} ${l.bindAddress ?? '*'}`;
    const first = seen.get(key);
    if (first) throw listenerError(l, source, `same port and address as ${label(first)}`);
    seen.set(key, l);
  }
}
