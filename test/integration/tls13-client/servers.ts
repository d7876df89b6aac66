import type { TestContext } from 'node:test';
import { type Running, start, waitForStdout } from '../../helpers/process.js';

export interface SServer13 extends Running {
  readonly port: number;
}

/**
 * `openssl s_server -tls1_3` on a port the kernel picks, one connection, then it exits (killed
 * by the test if not). Without -rev it prints what it receives and sends its stdin, where a
 * line "K" makes it send a KeyUpdate that requests ours (OpenSSL s_server's key update command).
 */
export async function sServer13(t: TestContext, cwd: string, args: readonly string[]): Promise<SServer13> {
  const p = start(t, cwd, ['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', '-tls1_3', ...args]);
  await waitForStdout(p, 'ACCEPT', 15_000);
  const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(p.stdout());
  if (!m) throw new Error(`s_server printed no port: ${p.stdout()}`);
  return { ...p, port: Number(m[1]) };
}

/** The lab sheet's Mosquitto listener (tls_version tlsv1.2 is a minimum in Mosquitto 2.0). */
export { mosquittoConf, nodeTlsServer, until } from '../tls12-client/servers.js';
