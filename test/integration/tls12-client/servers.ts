import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import { type Running, start, waitForStdout } from '../../helpers/process.js';
import type { IdentityFiles } from '../../helpers/tls-fixtures.js';

export interface NodeTlsServer {
  readonly server: Server;
  readonly port: number;
  /** Sockets that completed the handshake. */
  readonly secured: TLSSocket[];
  /** What Node reported for handshakes that failed (tlsClientError). */
  readonly clientErrors: Error[];
}

/** Node's TLS server (OpenSSL) on 127.0.0.1, TLS 1.2 only, echoing what it gets prefixed by "echo:". */
export async function nodeTlsServer(
  t: TestContext,
  identity: IdentityFiles,
  options: TlsOptions = {},
): Promise<NodeTlsServer> {
  const secured: TLSSocket[] = [];
  const clientErrors: Error[] = [];
  const server = createServer(
    {
      cert: readFileSync(identity.cert),
      key: readFileSync(identity.key),
      maxVersion: 'TLSv1.2',
      ...options,
    },
    (socket) => {
      secured.push(socket);
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
      socket.on('error', () => {});
    },
  );
  server.on('tlsClientError', (e: Error) => clientErrors.push(e));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of secured) s.destroy();
    server.close();
  });
  return { server, port: (server.address() as AddressInfo).port, secured, clientErrors };
}

export interface SServer extends Running {
  readonly port: number;
}

/**
 * `openssl s_server` on a port the kernel picks (`-accept 127.0.0.1:0`), read back from its
 * "ACCEPT 127.0.0.1:<port>" line. One connection, then it exits; killed by the test if not.
 */
export async function sServer(t: TestContext, cwd: string, args: readonly string[]): Promise<SServer> {
  const p = start(t, cwd, ['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', '-tls1_2', ...args]);
  await waitForStdout(p, 'ACCEPT', 15_000);
  const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(p.stdout());
  if (!m) throw new Error(`s_server printed no port: ${p.stdout()}`);
  return { ...p, port: Number(m[1]) };
}

/**
 * The lab sheet's mTLS listener for Mosquitto, logging everything. To stderr, not stdout: a
 * piped stdout is block-buffered by libc, so its lines would arrive only when mosquitto exits.
 */
export function mosquittoConf(port: number, ca: string, server: IdentityFiles): string {
  return [
    'allow_anonymous false',
    `listener ${port} 127.0.0.1`,
    `cafile ${ca}`,
    `certfile ${server.cert}`,
    `keyfile ${server.key}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
    'log_dest stderr',
    'log_type all',
    '',
  ].join('\n');
}

/** Poll `ready` every 10 ms; reject after `ms` (and stop polling). */
export async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
