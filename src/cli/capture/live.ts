import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { LabError } from '../../core/errors.js';
import { assertAbsent, readFileChecked, writeFileAtomic } from '../../core/fs.js';
import { readCapture } from '../../wire/pcap/index.js';
import { type CliIo, Output } from '../io.js';
import { addJson, examples } from '../options.js';
import { countFlag, onStopSignal, portFlag } from './flags.js';

interface Flags {
  interface: string;
  port: string;
  out: string;
  count?: string;
  format?: 'pcap' | 'pcapng';
  tool: 'tshark' | 'dumpcap';
  force?: boolean;
  json?: boolean;
}

/** How long the capture tool may take to start capturing, and to stop once asked. */
const START_MS = 20_000;
const STOP_MS = 10_000;
const SETUP = 'install it with `bash scripts/setup-system.sh` (tshark brings dumpcap)';

export function registerLive(capture: Command, io: CliIo): void {
  const cmd = capture
    .command('live')
    .description('capture a real interface with tshark (or dumpcap): what a sniffer on the host records')
    .requiredOption('-i, --interface <name>', 'interface to capture on, e.g. lo')
    .requiredOption('--port <port>', 'TCP port to capture (capture filter "tcp port N")')
    .requiredOption('-o, --out <file>', 'the capture file to write')
    .option('--count <n>', 'stop after n packets (default: run until Ctrl-C / SIGTERM)')
    .addOption(new Option('--format <format>', 'file format (default pcapng)').choices(['pcap', 'pcapng']))
    .addOption(
      new Option('--tool <tool>', 'capture program').choices(['tshark', 'dumpcap']).default('tshark'),
    );
  addJson(cmd.option('--force', 'replace an existing capture file'));
  cmd.addHelpText(
    'after',
    [
      '',
      'Needs capture rights on the interface (root, or membership of the wireshark group). The tool',
      'writes to a temporary file; it is moved to --out atomically once the tool has stopped.',
      examples([
        'mqtts-lab capture live -i lo --port 8883 -o step2-live.pcapng',
        'mqtts-lab capture live -i lo --port 1883 -o step1.pcap --format pcap --count 200',
      ]),
    ].join('\n'),
  );
  cmd.action(async (flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const port = portFlag(flags.port, 'port');
    const count = countFlag(flags.count);
    const path = resolve(io.cwd, flags.out);
    if (flags.force !== true) assertAbsent(path);
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    const args = ['-i', flags.interface, '-f', `tcp port ${port}`, '-w', tmp];
    if (count !== undefined) args.push('-c', String(count));
    if (flags.format === 'pcap') args.push(...(flags.tool === 'tshark' ? ['-F', 'pcap'] : ['-P']));
    if (flags.tool === 'tshark') args.push('-q');
    try {
      await runTool(flags.tool, args, () => {
        const line = `capturing on ${flags.interface} (tcp port ${port}) with ${flags.tool}${count ? `, ${count} packets` : ', until Ctrl-C'}`;
        if (out.json) io.stderr(`mqtts-lab: ${line}\n`);
        else io.stdout(`${line}\n`);
      });
      const bytes = readFileChecked(tmp);
      const capture = readCapture(bytes);
      writeFileAtomic(path, bytes, { overwrite: flags.force === true });
      const result = {
        path,
        format: capture.format,
        interface: flags.interface,
        port,
        packets: capture.packets.length,
      };
      out.result(result, () => `${path}: ${result.format}, ${result.packets} packets`);
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* never written, or already moved */
      }
    }
  });
}

/** Run the tool; `started` once it says it captures; SIGINT/SIGTERM stop it cleanly (it flushes the file). */
function runTool(tool: string, args: readonly string[], started: () => void): Promise<void> {
  return new Promise<void>((done, fail) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let capturing = false;
    let stopping: NodeJS.Timeout | undefined;
    const startTimer = setTimeout(() => child.kill('SIGKILL'), START_MS);
    const signals = onStopSignal(() => {
      child.kill('SIGINT');
      stopping = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // tshark logs "-- File: …", dumpcap "File: …", once the capture runs.
      if (!capturing && /File: /.test(stderr)) {
        capturing = true;
        clearTimeout(startTimer);
        started();
      }
    });
    const finish = (err?: LabError) => {
      clearTimeout(startTimer);
      clearTimeout(stopping);
      signals.off();
      if (err) fail(err);
      else done();
    };
    child.once('error', (err: NodeJS.ErrnoException) =>
      finish(
        new LabError(
          err.code === 'ENOENT' ? 'ERR_FS_NOT_FOUND' : 'ERR_FS_IO',
          err.code === 'ENOENT' ? `${tool} is not installed: ${SETUP}` : `${tool}: ${err.message}`,
          { cause: err, details: { tool } },
        ),
      ),
    );
    child.once('close', (code, signal) => {
      if (capturing && (code === 0 || signal === 'SIGINT')) return finish();
      const why = stderr
        .trim()
        .split('\n')
        .filter((l) => !/Running as user/.test(l))
        .slice(-3)
        .join(' ');
      finish(
        new LabError(
          'ERR_FS_IO',
          `${tool} ${capturing ? 'failed' : 'did not start capturing'} (exit ${code ?? signal}): ${why}`,
          {
            details: { tool, exitCode: code },
          },
        ),
      );
    });
  });
}
