// The servers of the handshake benchmark, each on a free loopback port with the same TLS files:
// our broker in this process (startBroker on a parsed mosquitto.conf), Mosquitto, and
// `openssl s_server -Verify 1` pinned to TLS 1.3 or to TLS 1.2.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMosquittoConf } from '../../src/broker/config/index.js';
import { startBroker } from '../../src/broker/start.js';
import { canConnect, freePort } from '../../src/lab/ports.js';
import type { HandshakePki } from './handshake-pki.js';
import { killHard, sleep, track } from './util.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const OPENSSL = '/usr/bin/openssl';

export type TlsVersion = '1.3' | '1.2';

export interface HandshakeServer {
  /** Row label in the table. */
  readonly name: string;
  readonly port: number;
  /** The versions this server is measured at (s_server is pinned to one). */
  readonly versions: readonly TlsVersion[];
  stop(): Promise<void>;
}

/**
 * The one mosquitto.conf for Mosquitto and ours: mutual TLS, the certificate is the identity.
 * tls_version is a minimum (Mosquitto ≥ 2.0.9), so both versions are accepted and the client
 * chooses. `user root` only when run as root: otherwise Mosquitto drops to user `mosquitto`,
 * which cannot read the per-run keys (0600 in a 0700 directory).
 */
export function handshakeConf(pki: HandshakePki, port: number): string {
  return [
    '# written by scripts/bench-handshake.ts, read by Mosquitto and by mqtts-lab',
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'persistence false',
    'log_dest stderr',
    'log_type error',
    `listener ${port} 127.0.0.1`,
    `cafile ${pki.files.cafile}`,
    `certfile ${pki.files.serverCert}`,
    `keyfile ${pki.files.serverKey}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
    '',
  ].join('\n');
}

export function missingTools(): string[] {
  return [MOSQUITTO, OPENSSL].filter((p) => !existsSync(p));
}

export async function startOurBroker(pki: HandshakePki): Promise<HandshakeServer> {
  const port = await freePort();
  const file = join(pki.dir, 'ours.conf');
  const text = handshakeConf(pki, port);
  writeFileSync(file, text);
  const config = parseMosquittoConf(text, { file, baseDir: pki.dir });
  const running = await startBroker(config, { configFile: file, stdout: () => {}, stderr: () => {} });
  return { name: 'mqtts-lab broker', port, versions: ['1.3', '1.2'], stop: () => running.close() };
}

export async function startMosquitto(pki: HandshakePki): Promise<HandshakeServer> {
  const port = await freePort();
  const file = join(pki.dir, 'mosquitto.conf');
  writeFileSync(file, handshakeConf(pki, port));
  const child = await spawnListening(MOSQUITTO, ['-c', file], port);
  return { name: 'Mosquitto', port, versions: ['1.3', '1.2'], stop: () => stopChild(child) };
}

/** `openssl s_server -Verify 1`: a client certificate is required and verified against the CA. */
export async function startSServer(pki: HandshakePki, version: TlsVersion): Promise<HandshakeServer> {
  const port = await freePort();
  const child = await spawnListening(
    OPENSSL,
    [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      pki.files.serverCert,
      '-key',
      pki.files.serverKey,
      '-CAfile',
      pki.files.cafile,
      '-Verify',
      '1',
      '-verify_return_error',
      version === '1.3' ? '-tls1_3' : '-tls1_2',
      '-quiet',
    ],
    port,
  );
  return {
    name: `openssl s_server -tls${version === '1.3' ? '1_3' : '1_2'}`,
    port,
    versions: [version],
    stop: () => stopChild(child),
  };
}

async function spawnListening(cmd: string, args: string[], port: number): Promise<ChildProcess> {
  // stdin stays an open pipe: s_server reads it for data to send and ends the session on EOF.
  const child = track(spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  let log = '';
  const keep = (d: Buffer): void => {
    log = (log + d.toString('utf8')).slice(-8_192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${cmd} exited (${child.exitCode ?? child.signalCode}) before listening: ${log.trim()}`,
      );
    if (await canConnect(port)) return child;
    if (Date.now() > deadline) {
      killHard(child);
      throw new Error(`${cmd}: nothing listening on 127.0.0.1:${port} after 15 s`);
    }
    await sleep(25);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([closed, sleep(3_000)]);
  killHard(child);
}
