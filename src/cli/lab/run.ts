import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { LabError } from '../../core/errors.js';
import { type Lang, STEPS, type StepNumber, STRIDE_CATEGORIES } from '../../core/findings.js';
import { type LabRunResult, strideMatrix, writeReport } from '../../assess/index.js';
import { type LabProgress, runLab } from '../../lab/index.js';
import { LabSession } from '../../lab/session.js';
import { checkServeFlags, serveUntilStopped } from '../dashboard.js';
import { keyLogWarning } from '../../wire/tls/keylog.js';
import { type CliIo, Output } from '../io.js';
import { usage } from '../mqtt/client-flags.js';
import { addJson, examples } from '../options.js';
import { VERSION } from '../version.js';

interface Flags {
  step?: string;
  broker: 'embedded' | 'mosquitto';
  out: string;
  seed: string;
  lang?: Lang;
  keylog?: boolean;
  json?: boolean;
  ui?: boolean;
  host: string;
  port: string;
  allowRemote?: boolean;
}

export function registerLabRun(lab: Command, io: CliIo): void {
  const cmd = lab
    .command('run')
    .description(
      'bring up every step of the lab on loopback, attack it for real, and write the evidence-backed STRIDE report',
    )
    .option('--step <n>', 'run only these steps: 1, 2, 3, 4 or a list like 2,3 (default: all)')
    .addOption(
      new Option('--broker <kind>', 'the broker of every step: ours (embedded) or the real Mosquitto')
        .choices(['embedded', 'mosquitto'])
        .default('embedded'),
    )
    .option('-o, --out <dir>', 'where report.md/.html/.json, the pcaps and the evidence go', 'lab-report')
    .option('--seed <text>', 'seed of every random choice the lab makes (rooms, chip serials)', 'mqtts-lab')
    .option(
      '--keylog',
      'UNSAFE, for teaching: the embedded broker writes stepN.keys (NSS key log, 0600) beside each TLS capture, so Wireshark or `capture analyze --keylog` decrypts it',
    )
    .addOption(
      new Option('--lang <lang>', 'language of the report (default: from LANG/LC_ALL)').choices(['en', 'fr']),
    )
    .option(
      '--ui',
      'after the run, serve the dashboard over its results, with the last step brought up again live (under OUT/live)',
    )
    .option(
      '--host <address>',
      'with --ui: address to listen on; beyond loopback needs --allow-remote',
      '127.0.0.1',
    )
    .option('--port <port>', 'with --ui: port to listen on (0: any free port)', '8080')
    .option('--allow-remote', 'with --ui, UNSAFE: allow --host beyond loopback');
  addJson(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      'Step 1 plain MQTT; 2 mutual TLS with the key in flash; 3 the key in secure-element slot 8 (the',
      "seeds' design); 4 the key in slot 0, used only through the chip's Sign command. Each step runs",
      'its broker, its devices and a capture; then every attack runs against it. Findings are results:',
      'the exit status is 0 when the lab ran, whatever the attacks found.',
      examples([
        'mqtts-lab lab run',
        'mqtts-lab lab run --step 3 --out step3-report --lang fr',
        'mqtts-lab lab run --broker mosquitto --seed demo --json',
        'mqtts-lab lab run --step 2 --keylog && mqtts-lab capture analyze lab-report/step2.pcap --keylog lab-report/step2.keys',
        'mqtts-lab lab run --ui --port 0',
      ]),
    ].join('\n'),
  );
  cmd.action(async (flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const steps = parseSteps(flags.step);
    if (flags.ui) checkServeFlags(flags);
    const lang = flags.lang ?? langFromEnv(io.env);
    const dir = resolve(io.cwd, flags.out);
    const say = (line: string) => (out.json ? io.stderr(`${line}\n`) : io.stdout(`${line}\n`));
    say(`mqtts-lab lab run: ${steps.join(', ')} on the ${flags.broker} broker → ${dir}`);
    if (flags.keylog) {
      if (flags.broker !== 'embedded') usage('--keylog needs --broker embedded: Mosquitto writes no key log');
      io.stderr(`${keyLogWarning(join(dir, 'stepN.keys'))}\n`);
    }
    const result = await runLab({
      out: dir,
      broker: flags.broker,
      steps,
      seed: flags.seed,
      tool: `mqtts-lab ${VERSION}`,
      onProgress: (e) => say(progressLine(e)),
      ...(flags.keylog && { keyLog: true }),
    });
    const { files } = writeReport(result, { dir, lang });
    out.result({ report: files, ...summary(result) }, () => summaryText(result, files));
    if (flags.ui) {
      // The run's files stay as written; the live step writes under OUT/live.
      const step = steps[steps.length - 1]!;
      say(`Bringing step ${step} up again for the dashboard…`);
      const session = await LabSession.start({
        out: join(dir, 'live'),
        step,
        broker: flags.broker,
        seed: flags.seed,
        baseline: result,
      });
      await serveUntilStopped(io, session, { root: dir, sessionPrefix: 'live/' }, flags);
    }
  });
}

function parseSteps(spec: string | undefined): StepNumber[] {
  if (spec === undefined) return [...STEPS];
  const steps = spec.split(',').map((s) => Number(s.trim()));
  if (steps.length === 0 || steps.some((n) => !STEPS.includes(n as StepNumber))) {
    throw new LabError('ERR_OPTIONS_INVALID', `--step takes 1, 2, 3, 4 or a list of them, not "${spec}"`, {
      details: { option: 'step' },
    });
  }
  return [...new Set(steps as StepNumber[])].sort();
}

/** The lab's users are French students: a French locale gets the French report. */
export function langFromEnv(env: NodeJS.ProcessEnv): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^fr/i.test(locale) ? 'fr' : 'en';
}

function progressLine(e: LabProgress): string {
  switch (e.kind) {
    case 'pki':
      return `  PKI: CA, broker, devices and the attacker's identities (${e.ms} ms)`;
    case 'step-up':
      return `Step ${e.step}: up in ${e.ms} ms (${e.listener})`;
    case 'attack': {
      const marks = e.findings.map((f) => `${f.id.split('@')[0]} ${OUTCOME_MARK[f.outcome]}`).join(', ');
      return `  ${e.attack.padEnd(14)} ${String(e.ms).padStart(5)} ms  ${marks}`;
    }
    case 'attack-error':
      return `  ${e.attack.padEnd(14)} could not run: ${e.error}`;
    case 'step-done':
      return `  done in ${e.ms} ms, capture ${e.capture}`;
  }
}

const OUTCOME_MARK = { succeeded: 'SUCCEEDED', blocked: 'blocked', 'not-applicable': 'n/a' } as const;
const CELL_MARK = { exposed: '✗', mitigated: '✓', 'not-tested': '–' } as const;

function summary(result: LabRunResult) {
  const matrix = strideMatrix(result);
  return {
    seed: result.seed,
    broker: result.broker,
    durationMs: result.durationMs,
    steps: matrix.rows.map((r) => ({
      step: r.step,
      stride: Object.fromEntries(STRIDE_CATEGORIES.map((c) => [c, r.cells[c].status])),
      ...r.counts,
    })),
    findings: result.findings.length,
  };
}

function summaryText(result: LabRunResult, files: readonly string[]): string {
  const matrix = strideMatrix(result);
  const lines = [
    '',
    `step  ${STRIDE_CATEGORIES.join(' ')}   attacks succeeded / blocked / n/a`,
    ...matrix.rows.map(
      (r) =>
        `  ${r.step}   ${STRIDE_CATEGORIES.map((c) => CELL_MARK[r.cells[c].status]).join(' ')}   ${r.counts.succeeded} / ${r.counts.blocked} / ${r.counts.notApplicable}`,
    ),
    `✗ an attack succeeded  ✓ every attack was blocked  – nothing to attack`,
    '',
    `${result.findings.length} findings in ${(result.durationMs / 1000).toFixed(1)} s. Report: ${files.join(', ')}`,
  ];
  return lines.join('\n');
}
