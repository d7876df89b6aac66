import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { LabError } from '../core/errors.js';
import { STEPS, type StepNumber } from '../core/findings.js';
import { LabSession } from '../lab/session.js';
import { type CaptureFile, loadCaptureFiles } from '../web/captures.js';
import { isLoopbackHost } from '../web/security.js';
import { startDashboard } from '../web/server.js';
import { onStopSignal } from './capture/flags.js';
import type { CliIo } from './io.js';
import { usage } from './mqtt/client-flags.js';
import { examples } from './options.js';

interface Flags {
  step: string;
  port: string;
  host: string;
  allowRemote?: boolean;
  out: string;
  broker: 'embedded' | 'mosquitto';
  seed: string;
  capture?: CaptureArg[];
}

interface CaptureArg {
  readonly path: string;
  readonly keyLogPath?: string;
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
    .option('--seed <text>', 'seed of every random choice the lab makes', 'mqtts-lab')
    .option(
      '--capture <file>',
      'also offer this pcap or pcapng file in the Sequence and Eavesdropper views (repeatable)',
      (path: string, previous: CaptureArg[] = []) => [...previous, { path }],
    )
    .option(
      '--keylog <file>',
      "TLS key log (NSS format) of the --capture just before it: adds the key holder's view, apart from the eavesdropper's",
      (path: string) => {
        // Commander parses in command-line order: the key log belongs to the last --capture.
        const captures = (cmd.getOptionValue('capture') as CaptureArg[] | undefined) ?? [];
        const last = captures[captures.length - 1];
        if (last === undefined) usage('--keylog FILE follows the --capture FILE it decrypts');
        if (last.keyLogPath !== undefined) usage(`--capture ${last.path} has two --keylog files`);
        cmd.setOptionValue('capture', [...captures.slice(0, -1), { ...last, keyLogPath: path }]);
        return path;
      },
    );
  cmd.addHelpText(
    'after',
    [
      '',
      'The page draws the running system, not a picture of it: the devices and their secure',
      'elements, the broker and its listener, the readings as they arrive, the devices’ serial',
      'consoles, and the TLS/MQTT sequence read from the live capture. Each attack button runs',
      'the real attack against the running step and shows its evidence. Ctrl-C stops the lab.',
      'The Sequence and Eavesdropper views pick a capture: the live one, the stepN.pcap files saved',
      'in --out, and each --capture file (a TLS 1.3 capture shows its encrypted handshake).',
      examples([
        'mqtts-lab dashboard',
        'mqtts-lab dashboard --step 2 --port 0',
        'mqtts-lab dashboard --capture tls13.pcap --capture tls12.pcap --keylog tls12.keys',
        'mqtts-lab dashboard --host 0.0.0.0 --allow-remote   # classroom: prints a warning',
      ]),
    ].join('\n'),
  );
  cmd.action(async (flags: Flags) => {
    checkServeFlags(flags);
    const step = parseStep(flags.step);
    const dir = resolve(io.cwd, flags.out);
    const captures = openCaptures(io, flags.capture ?? []);
    io.stdout(`mqtts-lab dashboard: bringing up step ${step} on the ${flags.broker} broker → ${dir}\n`);
    const session = await LabSession.start({ out: dir, step, broker: flags.broker, seed: flags.seed });
    await serveUntilStopped(io, session, { root: dir, sessionPrefix: '', captures }, flags);
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
  where: { root: string; sessionPrefix: string; captures?: readonly CaptureFile[] },
  flags: ServeFlags,
): Promise<void> {
  let dashboard;
  try {
    dashboard = await startDashboard({
      session,
      root: where.root,
      sessionPrefix: where.sessionPrefix,
      ...(where.captures && { captures: where.captures }),
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

/**
 * Read the --capture files before the lab starts: a missing file stops here with its code; a
 * capture the pcap reader refuses is printed with the reader's code and still listed, so the
 * page shows the same error.
 */
function openCaptures(io: CliIo, args: readonly CaptureArg[]): CaptureFile[] {
  const files = loadCaptureFiles(
    args.map((a) => ({
      path: resolve(io.cwd, a.path),
      ...(a.keyLogPath !== undefined && { keyLogPath: resolve(io.cwd, a.keyLogPath) }),
    })),
  );
  files.forEach((f, i) => {
    if (f.error) io.stderr(`mqtts-lab: --capture ${args[i]!.path}: ${f.error.code}: ${f.error.message}\n`);
  });
  return files;
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
