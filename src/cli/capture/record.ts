import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { assertAbsent } from '../../core/fs.js';
import { startCaptureRelay } from '../../wire/capture/index.js';
import { writeCaptureFile } from '../../wire/pcap/index.js';
import { type CliIo, Output } from '../io.js';
import { addJson, examples } from '../options.js';
import { countFlag, hostPortFlag, onStopSignal, portFlag } from './flags.js';

interface Flags {
  listen: string;
  to: string;
  out: string;
  format?: 'pcap' | 'pcapng';
  count?: string;
  force?: boolean;
  json?: boolean;
}

/** How often the relay is asked whether enough connections have closed. */
const POLL_MS = 20;

export function registerRecord(capture: Command, io: CliIo): void {
  const cmd = capture
    .command('record')
    .description(
      'relay 127.0.0.1:PORT to HOST:PORT and record every byte both ways; write the capture when it stops',
    )
    .requiredOption('--listen <port>', 'port to listen on, on 127.0.0.1 (0: any free port)')
    .requiredOption('--to <host:port>', 'where to relay to (the broker)')
    .requiredOption('-o, --out <file>', 'the capture file to write')
    .addOption(
      new Option(
        '--format <format>',
        'file format (default: from the extension, .pcapng or else pcap)',
      ).choices(['pcap', 'pcapng']),
    )
    .option('--count <n>', 'stop after n connections have closed (default: run until Ctrl-C / SIGTERM)');
  addJson(cmd.option('--force', 'replace an existing capture file'));
  cmd.addHelpText(
    'after',
    [
      '',
      'Point the device or client at the listening port instead of the broker. Each relayed',
      'connection is one clean TCP conversation in the file (synthesized frames: see docs/capture.md).',
      'The file is written atomically once recording stops.',
      examples([
        'mqtts-lab capture record --listen 18883 --to localhost:8883 -o step2.pcapng',
        'mqtts-lab capture record --listen 11883 --to 127.0.0.1:1883 -o step1.pcap --count 1',
        'mqtts-lab capture record --listen 0 --to broker.lan:8883 -o tls.pcapng --count 3 --json',
      ]),
    ].join('\n'),
  );
  cmd.action(async (flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const listenPort = portFlag(flags.listen, 'listen', true);
    const upstream = hostPortFlag(flags.to, 'to');
    const count = countFlag(flags.count);
    const path = resolve(io.cwd, flags.out);
    if (flags.force !== true) assertAbsent(path); // refuse before recording, not after
    const relay = await startCaptureRelay({
      listenHost: '127.0.0.1',
      listenPort,
      upstreamHost: upstream.host,
      upstreamPort: upstream.port,
    });
    const until = count === undefined ? 'until Ctrl-C' : `until ${count} connection(s) have closed`;
    const line = `listening on 127.0.0.1:${relay.port}, relaying to ${flags.to}, recording ${until}`;
    if (out.json) io.stderr(`mqtts-lab: ${line}\n`);
    else io.stdout(`${line}\n`);
    let timer: NodeJS.Timeout | undefined;
    let signals: { off(): void } | undefined;
    try {
      await new Promise<void>((done) => {
        signals = onStopSignal(done);
        if (count === undefined) return;
        timer = setInterval(() => {
          let closed = 0;
          for (let i = 0; i < relay.accepted; i++) if (relay.recording.isDone(i)) closed++;
          if (closed >= count) done();
        }, POLL_MS);
      });
    } finally {
      clearInterval(timer);
      signals?.off();
      await relay.close();
    }
    const packets = relay.recording.packets();
    const format = writeCaptureFile(path, packets, {
      ...(flags.format && { format: flags.format }),
      overwrite: flags.force === true,
    });
    for (const e of relay.errors)
      out.warn(
        `connection ${e.connection} (${e.direction}): ${e.error instanceof Error ? e.error.message : String(e.error)}`,
      );
    if (relay.recording.truncated) out.warn('the recording reached its size limit: later data is missing');
    const result = {
      path,
      format,
      listening: { host: '127.0.0.1', port: relay.port },
      upstream,
      connections: relay.accepted,
      packets: packets.length,
      truncated: relay.recording.truncated,
    };
    out.result(
      result,
      () => `${path}: ${format}, ${result.connections} connection(s), ${result.packets} packets`,
    );
  });
}
