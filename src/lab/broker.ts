/**
 * A step's broker: one mosquitto.conf text, run by our embedded broker or by the real
 * Mosquitto, so the same run can be compared on both. The configuration is the lab sheet's
 * (listener, cafile/certfile/keyfile, require_certificate, use_identity_as_username,
 * tls_version tlsv1.2), plus what the seeds leave out and the lab shows the value of: a CRL and
 * an ACL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { parseMosquittoConf, startBroker } from '../broker/index.js';
import type { TimedSecurityEvent } from '../broker/events.js';
import type { LabPki } from './pki.js';
import { canConnect, freePort } from './ports.js';

export const MOSQUITTO_PATH = '/usr/sbin/mosquitto';
export type BrokerKind = 'embedded' | 'mosquitto';

export interface LabBroker {
  readonly kind: BrokerKind;
  readonly host: string;
  readonly port: number;
  readonly confFile: string;
  log(): string;
  stop(): Promise<void>;
}

/** The ACL of Steps 2–4: each identity (certificate CN, use_identity_as_username) gets what its role needs. */
export const LAB_ACL = [
  '# mqtts-lab: who may do what (the certificate CN is the username)',
  'user m5go-01',
  'topic write m5go/env',
  '',
  'user m5stack-01',
  'topic read m5go/env',
  '',
  'user lab-operator',
  'topic readwrite #',
  '',
  '# every other device: its own subtree only',
  'pattern write devices/%u/#',
  '',
].join('\n');

export interface ConfFiles {
  readonly cafile: string;
  readonly certfile: string;
  readonly keyfile: string;
  readonly crlfile: string;
  readonly aclfile: string;
}

/** Step 1: the lab sheet before TLS — plain MQTT, anyone may connect. Steps 2–4: mutual TLS. */
export function brokerConf(tls: boolean, port: number, files: ConfFiles | undefined): string {
  const common = [
    'per_listener_settings false',
    'log_dest stderr',
    'log_type all',
    'connection_messages true',
  ];
  if (!tls || files === undefined) {
    return [...common, `listener ${port} 127.0.0.1`, 'allow_anonymous true', ''].join('\n');
  }
  return [
    ...common,
    `listener ${port} 127.0.0.1`,
    `cafile ${files.cafile}`,
    `certfile ${files.certfile}`,
    `keyfile ${files.keyfile}`,
    `crlfile ${files.crlfile}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
    `acl_file ${files.aclfile}`,
    '',
  ].join('\n');
}

export interface StartLabBrokerOptions {
  readonly kind: BrokerKind;
  readonly dir: string;
  readonly tls: boolean;
  readonly pki: LabPki;
  readonly port?: number;
  /** Lab teaching mode: the embedded broker hands every TLS session's secrets here. */
  readonly keyLog?: (line: Buffer) => void;
  /**
   * The embedded broker's security decisions as typed events (the dashboard streams them).
   * Mosquitto has no such interface: its log is the record.
   */
  readonly onSecurityEvent?: (event: TimedSecurityEvent) => void;
}

export async function startLabBroker(o: StartLabBrokerOptions): Promise<LabBroker> {
  const port = o.port ?? (await freePort());
  const aclfile = join(o.dir, 'acl');
  writeFileAtomic(aclfile, LAB_ACL, { mode: 0o600, overwrite: true });
  const files: ConfFiles = { ...o.pki.files, aclfile };
  const confFile = join(o.dir, 'mosquitto.conf');
  writeFileAtomic(confFile, brokerConf(o.tls, port, files), { mode: 0o600, overwrite: true });
  if (o.keyLog && o.kind !== 'embedded') {
    throw new LabError('ERR_LAB_SETUP', 'a TLS key log needs the embedded broker: Mosquitto writes none', {
      details: { broker: o.kind },
    });
  }
  return o.kind === 'embedded'
    ? startEmbedded(confFile, port, o.dir, o.keyLog, o.onSecurityEvent)
    : startMosquitto(o.tls, port, files, confFile);
}

async function startEmbedded(
  confFile: string,
  port: number,
  dir: string,
  keyLog: ((line: Buffer) => void) | undefined,
  onSecurityEvent?: (event: TimedSecurityEvent) => void,
): Promise<LabBroker> {
  const text = readFileSync(confFile, 'utf8');
  const lines: string[] = [];
  const sink = (line: string) => lines.push(line.endsWith('\n') ? line : `${line}\n`);
  const running = await startBroker(parseMosquittoConf(text, { file: confFile, baseDir: dir }), {
    stderr: sink,
    stdout: sink,
    configFile: confFile,
    ...(keyLog && { keyLog }),
  });
  if (onSecurityEvent) running.broker.events.subscribe(onSecurityEvent);
  return {
    kind: 'embedded',
    host: '127.0.0.1',
    port,
    confFile,
    log: () => lines.join(''),
    stop: () => running.close(),
  };
}

async function startMosquitto(
  tls: boolean,
  port: number,
  files: ConfFiles,
  confFile: string,
): Promise<LabBroker> {
  if (!existsSync(MOSQUITTO_PATH)) {
    throw new LabError(
      'ERR_LAB_TOOL_MISSING',
      `${MOSQUITTO_PATH} is not installed (run scripts/setup-system.sh)`,
      {
        details: { path: MOSQUITTO_PATH },
      },
    );
  }
  const staged = stageForMosquitto(tls, port, files);
  const child = spawn(MOSQUITTO_PATH, ['-c', staged.confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', (e) => (log += `${String(e)}\n`));
  try {
    await waitForListener(port, child, () => log);
  } catch (err) {
    child.kill('SIGKILL');
    staged.cleanup();
    throw err;
  }
  return {
    kind: 'mosquitto',
    host: '127.0.0.1',
    port,
    confFile,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      staged.cleanup();
    },
  };
}

/**
 * Mosquitto started as root drops to the `mosquitto` user before it reads its TLS files — as
 * a packaged broker does, with files under /etc/mosquitto owned by that user. Give it a copy
 * it owns (mode unchanged, 0600) in a directory it can reach, and leave the run's own files as
 * they are. Run as another user, it reads them directly.
 */
function stageForMosquitto(
  tls: boolean,
  port: number,
  files: ConfFiles,
): { confFile: string; cleanup(): void } {
  const owner = process.getuid?.() === 0 ? systemUser('mosquitto') : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-mosquitto-'));
  const copy = (path: string, name: string) => {
    const to = join(dir, name);
    copyFileSync(path, to);
    chmodSync(to, 0o600);
    if (owner) chownSync(to, owner.uid, owner.gid);
    return to;
  };
  const staged: ConfFiles = {
    cafile: copy(files.cafile, 'ca.crt'),
    certfile: copy(files.certfile, 'broker.crt'),
    keyfile: copy(files.keyfile, 'broker.key'),
    crlfile: copy(files.crlfile, 'crl.pem'),
    aclfile: copy(files.aclfile, 'acl'),
  };
  const confFile = join(dir, 'mosquitto.conf');
  writeFileAtomic(confFile, brokerConf(tls, port, staged), { mode: 0o600 });
  if (owner) {
    chownSync(confFile, owner.uid, owner.gid);
    chownSync(dir, owner.uid, owner.gid);
  }
  chmodSync(dir, 0o700);
  return { confFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // no passwd file: nobody to drop to
  }
  return undefined;
}

async function waitForListener(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new LabError(
        'ERR_LAB_SETUP',
        `mosquitto exited (${child.exitCode}) before listening: ${log().trim()}`,
        {
          details: { reason: 'broker-exited', port },
        },
      );
    }
    if (await canConnect(port)) return;
    if (Date.now() > deadline) {
      throw new LabError('ERR_LAB_SETUP', `mosquitto is not listening on 127.0.0.1:${port} after 10 s`, {
        details: { reason: 'broker-listen', port },
      });
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
