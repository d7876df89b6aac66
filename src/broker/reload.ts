import { LabError } from '../core/errors.js';
import { parseCertificateDer } from '../pki/certificate.js';
import { nameToString } from '../pki/names.js';
import { RC } from '../wire/mqtt/reason-codes.js';
import type { Acl } from './acl.js';
import type { Broker } from './broker.js';
import type { Connection } from './connection.js';
import type { ListenerTls, RunningListener } from './listeners/listener.js';
import type { BrokerLogger } from './log.js';
import type { PasswordEntry } from './password-file.js';
import { RevocationChecker } from './revocation.js';

/** What a reload replaces, per listener; the listener's closures read it at each connection. */
export interface ListenerState {
  passwords: ReadonlyMap<string, PasswordEntry> | undefined;
  acl: Acl | undefined;
  tls: ListenerTls | undefined;
}

export type ReloadResult =
  | { readonly ok: true; readonly reloaded: readonly string[]; readonly revoked: number }
  | { readonly ok: false; readonly error: LabError };

/**
 * SIGHUP: read every listener's files again, then — only if all of them read — swap them in
 * (new handshakes use the new certificate, CA bundle and CRLs; the next CONNECT the new
 * password file; the next PUBLISH or delivery the new ACL) and disconnect, now, every connected
 * client whose certificate the new CRLs revoke. Mosquitto re-reads CRLs only for new
 * handshakes, so a revoked device stays connected there until it reconnects.
 */
export function reloadSecurity(
  broker: Broker,
  log: BrokerLogger,
  running: readonly RunningListener[],
  read: (index: number) => ListenerState,
  states: readonly ListenerState[],
): ReloadResult {
  log.log('notice', 'Reloading config.');
  let next: ListenerState[];
  try {
    next = states.map((_, i) => read(i));
  } catch (err) {
    const error =
      err instanceof LabError
        ? err
        : new LabError('ERR_BROKER_CONFIG_INVALID', `reload failed: ${(err as Error).message}`, {
            cause: err,
          });
    log.log('error', `Error: reload failed, keeping the running configuration: ${error.message}`);
    broker.events.emit({ type: 'reload', ok: false, reloaded: [], error: error.message });
    return { ok: false, error };
  }
  const reloaded = new Set<string>();
  for (const [i, state] of states.entries()) {
    const fresh = next[i]!;
    if (fresh.tls) {
      running[i]?.setTls(fresh.tls);
      reloaded.add('certificates');
      if (fresh.tls.crl) reloaded.add('crl');
    }
    if (fresh.acl) reloaded.add('acl');
    if (fresh.passwords) reloaded.add('password_file');
    // In place: the listener's closures hold these objects.
    state.tls = fresh.tls;
    state.acl = fresh.acl;
    state.passwords = fresh.passwords;
  }
  const revoked = disconnectRevoked(broker, log, running, states);
  broker.events.emit({ type: 'reload', ok: true, reloaded: [...reloaded], error: undefined });
  return { ok: true, reloaded: [...reloaded], revoked };
}

function disconnectRevoked(
  broker: Broker,
  log: BrokerLogger,
  running: readonly RunningListener[],
  states: readonly ListenerState[],
): number {
  const checkers = new Map<number, RevocationChecker>();
  for (const [i, state] of states.entries()) {
    const tls = state.tls;
    const port = running[i]?.port;
    if (!tls?.crl || port === undefined) continue;
    const ca = toBuffers(tls.ca);
    try {
      checkers.set(port, new RevocationChecker(ca, toBuffers(tls.crl)));
    } catch (err) {
      log.log('error', `Error: cannot check connected clients against the CRL: ${(err as Error).message}`);
    }
  }
  if (checkers.size === 0) return 0;
  const now = new Date(broker.now());
  let count = 0;
  for (const connection of [...broker.connections]) {
    const checker = checkers.get(connection.peer.listenerPort);
    const der = checker && connection.peer.certificateDer?.();
    if (!checker || !der) continue;
    const status = checker.status(der, now);
    if (!status.revoked) continue;
    count++;
    kick(broker, connection, `certificate serial ${status.serialNumber} is revoked`);
    broker.events.emit({
      type: 'certificate-revoked',
      clientId: connection.clientId,
      username: connection.username,
      serialNumber: status.serialNumber,
      subject: status.subject,
    });
  }
  return count;
}

/**
 * disconnect_on_certificate_expiry: once a second, a client whose certificate has expired since
 * it connected is disconnected (TLS checks validity only at the handshake).
 */
export function watchExpiry(broker: Broker): NodeJS.Timeout {
  const notAfter = new WeakMap<Connection, { at: number; serial: string; subject: string }>();
  const timer = setInterval(() => {
    const now = broker.now();
    for (const connection of [...broker.connections]) {
      let entry = notAfter.get(connection);
      if (!entry) {
        const der = connection.peer.certificateDer?.();
        if (!der) continue;
        const cert = parseCertificateDer(der, 'client certificate');
        entry = { at: cert.notAfter.getTime(), serial: cert.serial, subject: nameToString(cert.subject) };
        notAfter.set(connection, entry);
      }
      if (now <= entry.at) continue;
      kick(broker, connection, `certificate serial ${entry.serial} expired`);
      broker.events.emit({
        type: 'certificate-expired',
        clientId: connection.clientId,
        username: connection.username,
        serialNumber: entry.serial,
        subject: entry.subject,
        notAfter: new Date(entry.at).toISOString(),
      });
    }
  }, 1000);
  timer.unref();
  return timer;
}

function kick(broker: Broker, connection: Connection, why: string): void {
  broker.stats.certificateKicks++;
  broker.logIf('notice', () => `Client ${connection.label} disconnected: ${why}.`);
  // v5: 0x98 Administrative action; 3.1.1 has no reason, the connection just closes.
  connection.disconnect(RC.administrativeAction);
}

function toBuffers(value: ListenerTls['ca'] | ListenerTls['crl']): Uint8Array[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'string' ? Buffer.from(v) : (v as Uint8Array)));
}
