import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readFileChecked } from '../../core/fs.js';
import { analyzeCaptureFile, renderAnalysisText } from '../../wire/analyze/index.js';
import { parseKeyLog } from '../../wire/tls/keylog.js';
import { type CliIo, Output } from '../io.js';
import { addJson, examples, wholeNumber } from '../options.js';

interface Flags {
  maxMessages?: number;
  keylog?: string;
  json?: boolean;
}

export function registerAnalyze(capture: Command, io: CliIo): void {
  const cmd = capture
    .command('analyze')
    .argument('<file>', 'a pcap or pcapng capture (ours, tshark, tcpdump, Wireshark)')
    .description(
      "the eavesdropper's view: per TCP connection, what a passive observer learns (plaintext MQTT: everything; TLS: the handshake, sizes and times)",
    )
    .option('--max-messages <n>', 'PUBLISH packets and filters listed per connection', wholeNumber, 1000)
    .option(
      '--keylog <file>',
      'TLS key log (NSS SSLKEYLOGFILE format, e.g. from `broker --keylog`): also show what its holder reads inside the records',
    );
  addJson(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      'Each item carries a verdict: exposed (read in clear), hidden (encrypted) or partial (part of',
      'it, or inferred), and where it was read (direction, time, bytes). Record sizes and times',
      'under TLS are grouped: a periodic record of one size is stated as an inference, never as a fact.',
      'With --keylog, TLS connections whose secrets it holds are decrypted (AES-GCM, ChaCha20-Poly1305;',
      "TLS 1.2 and 1.3) and shown apart: that is the key holder's view, not the eavesdropper's.",
      examples([
        'mqtts-lab capture analyze step1.pcapng',
        'mqtts-lab capture analyze step2.pcap --json',
        'mqtts-lab capture analyze step2.pcap --keylog step2.keys',
        'tshark -i lo -f "tcp port 8883" -w live.pcapng && mqtts-lab capture analyze live.pcapng',
      ]),
    ].join('\n'),
  );
  cmd.action(async (file: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const keyLog =
      flags.keylog === undefined
        ? undefined
        : parseKeyLog(readFileChecked(resolve(io.cwd, flags.keylog)).toString('utf8'), flags.keylog);
    const analysis = await analyzeCaptureFile(resolve(io.cwd, file), {
      maxMessages: flags.maxMessages ?? 1000,
      ...(keyLog && { keyLog }),
    });
    out.result(analysis, () => renderAnalysisText(analysis, file));
  });
}
