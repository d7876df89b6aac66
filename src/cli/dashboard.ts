import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { LabError } from '../core/errors.js';
import { STEPS, type StepNumber } from '../core/findings.js';
import { LabSession } from '../lab/session.js';
import { isLoopbackHost } from '../web/security.js';
import { startDashboard } from '../web/server.js';
import { onStopSignal } from './capture/flags.js';
import type { CliIo } from './io.js';
import { examples } from './options.js';

interface Flags {
  step: string;
  port: string;
  host: string;
  allowRemote?: boolean;
  out: string;
  broker: 'embedded' | 'mosquitto';
  seed: string;
}

export interface ServeFlags {
  readonly host: string;
  readonly port: string;
  readonly allowRemote?: boolean;
}

/** `mqtts-lab dashboard`: one step of the lab kept live, in the browser. */
export function registerDashboard(program: Command, io: CliIo): void {
  const cmd = program
    .command('dashboard')
    .description(
      'serve the web dashboard over a live lab on 127.0.0.1: architecture, readings, consoles, sequence diagram from the capture, slot map, attack buttons, STRIDE matrix',
    )
    .option('--step <n>', 'the step brought up first: 1, 2, 3 or 4 (switch in the page)', '3')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on; beyond loopback needs --allow-remote', '127.0.0.1')
    .option(
      '--allow-remote',
      'UNSAFE: allow --host beyond loopback (anyone who reaches it can run the attacks)',
    )
    .option('-o, --out <dir>', 'where the PKI, captures and evidence go', 'lab-dashboard')
    .addOption(
      new Option('--broker <kind>', 'the step broker: ours (embedded) or the real Mosquitto')
        .choices(['embedded', 'mosquitto'])
        .default('embedded'),
    )
    .option('--seed <text>', 'seed of every random choice the lab makes', 'mqtts-lab');
  cmd.addHelpText(
    'after',
    [
      '',
      'The page draws the running system, not a picture of it: the devices and their secure',
      'elements, the broker and its listener, the readings as they arrive, the devices’ serial',
      'consoles, and the TLS/MQTT sequence read from the live capture. Each attack button runs',
      'the real attack against the running step and shows its evidence. Ctrl-C stops the lab.',
      examples([
        'mqtts-lab dashboard',
        'mqtts-lab dashboard --step 2 --port 0',
        'mqtts-lab dashboard --host 0.0.0.0 --allow-remote   # classroom: prints a warning',
      ]),
    ].join('\n'),
  );
  cmd.action(async (flags: Flags) => {
    checkServeFlags(flags);
    const step = parseStep(flags.step);
    const dir = resolve(io.cwd, flags.out);
    io.stdout(`mqtts-lab dashboard: bringing up step ${step} on the ${flags.broker} broker → ${dir}\n`);
    const session = await LabSession.start({ out: dir, step, broker: flags.broker, seed: flags.seed });
    await serveUntilStopped(io, session, { root: dir, sessionPrefix: '' }, flags);
  });
}

/** Refuse a remote bind before any lab is started. */
export function checkServeFlags(flags: ServeFlags): void {
  if (!isLoopbackHost(flags.host) && flags.allowRemote !== true) {
    throw new LabError(
      'ERR_WEB_REMOTE_BIND',
      `refusing to listen on ${flags.host}: pass --allow-remote to serve beyond loopback`,
      { details: { host: flags.host } },
    );
  }
  parsePort(flags.port);
}

/** Serve the session until SIGINT/SIGTERM, then stop the dashboard and the lab. */
export async function serveUntilStopped(
  io: CliIo,
  session: LabSession,
  where: { root: string; sessionPrefix: string },
  flags: ServeFlags,
): Promise<void> {
  let dashboard;
  try {
    dashboard = await startDashboard({
      session,
      root: where.root,
      sessionPrefix: where.sessionPrefix,
      host: flags.host,
      port: parsePort(flags.port),
      allowRemote: flags.allowRemote === true,
      warn: (line) => io.stderr(`mqtts-lab: ${line}\n`),
    });
  } catch (err) {
    await session.close();
    throw err;
  }
  io.stdout(
    `Dashboard: ${dashboard.url}  (Ctrl-C to stop; files under ${join(where.root, where.sessionPrefix)})\n`,
  );
  await new Promise<void>((done) => {
    const signals = onStopSignal(() => {
      signals.off();
      done();
    });
  });
  io.stdout('Stopping the dashboard and the lab…\n');
  await dashboard.close();
  await session.close();
}

function parseStep(value: string): StepNumber {
  const n = Number(value);
  if (!STEPS.includes(n as StepNumber)) {
    throw new LabError('ERR_OPTIONS_INVALID', `--step takes 1, 2, 3 or 4, not "${value}"`, {
      details: { option: 'step' },
    });
  }
  return n as StepNumber;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new LabError('ERR_OPTIONS_INVALID', `--port takes 0–65535, not "${value}"`, {
      details: { option: 'port' },
    });
  }
  return n;
}
