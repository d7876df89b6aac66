import { type Command, Option } from 'commander';
import { loadMosquittoConf, parseMosquittoConf } from '../broker/config/index.js';
import type { BrokerConfig } from '../broker/config/types.js';
import { startBroker } from '../broker/start.js';
import { LabError } from '../core/errors.js';
import { readFileChecked } from '../core/fs.js';
import type { CliIo } from './io.js';
import { KEYLOG_FLAG_HELP, openCliKeyLog } from './keylog.js';
import { usage } from './mqtt/client-flags.js';
import { collect, examples } from './options.js';

interface Flags {
  configFile?: string;
  port?: string[];
  verbose?: boolean;
  bind?: string;
  cafile?: string;
  certfile?: string;
  keyfile?: string;
  crlfile?: string;
  requireCertificate?: boolean;
  useIdentityAsUsername?: boolean;
  allowAnonymous?: boolean;
  passwordFile?: string;
  tlsVersion?: string;
  printConfig?: boolean;
  keylog?: string;
  metrics?: string;
}

/**
 * `mqtts-lab broker`: Mosquitto's command line (`-c`, `-p`, `-v`) plus flags for quick use that
 * are turned into mosquitto.conf lines, so every way of starting it goes through one parser.
 */
export function registerBroker(program: Command, io: CliIo): void {
  const cmd = program
    .command('broker')
    .description('MQTT 3.1.1/5.0 broker configured like Mosquitto 2.0 (mosquitto.conf), with mutual TLS')
    .option('-c, --config-file <file>', 'read this mosquitto.conf')
    .option(
      '-p, --port <port>',
      'listen on this port when the configuration has no listener (repeatable)',
      collect,
    )
    .option('-v, --verbose', 'log every type (log_type all)')
    .option('--bind <address>', 'quick use: bind_address of the listener')
    .option('--cafile <file>', 'quick use: CA certificate(s) that client certificates must chain to')
    .option('--certfile <file>', "quick use: the broker's certificate (enables TLS)")
    .option('--keyfile <file>', "quick use: the broker's private key")
    .option('--crlfile <file>', 'quick use: CRL of revoked client certificates')
    .option('--require-certificate', 'quick use: clients must present a certificate from --cafile')
    .option('--use-identity-as-username', "quick use: the certificate's CN is the MQTT username")
    .option('--allow-anonymous', 'quick use: accept clients without a username')
    .option('--password-file <file>', 'quick use: Mosquitto password file')
    .addOption(
      new Option('--tls-version <version>', 'quick use: lowest TLS version').choices(['tlsv1.2', 'tlsv1.3']),
    )
    .option('--print-config', 'print the configuration the flags amount to and exit')
    .option('--keylog <file>', KEYLOG_FLAG_HELP)
    .option(
      '--metrics <[address:]port>',
      'serve Prometheus metrics at http://ADDRESS:PORT/metrics (address 127.0.0.1 unless given; as metrics_listener)',
    )
    .addHelpText(
      'after',
      examples([
        'mqtts-lab broker -c mosquitto.conf',
        'mqtts-lab broker -p 1883 -v',
        'mqtts-lab broker -p 8883 --cafile tls/ca.crt --certfile tls/broker.crt --keyfile tls/broker.key \\\n    --require-certificate --use-identity-as-username --tls-version tlsv1.2',
        'mqtts-lab broker -p 8883 --certfile tls/broker.crt --keyfile tls/broker.key --print-config',
        'mqtts-lab broker -c mosquitto.conf --keylog lab.keys   # then: capture analyze cap.pcap --keylog lab.keys',
        'mqtts-lab broker -c mosquitto.conf --metrics 9234      # then: curl http://127.0.0.1:9234/metrics',
      ]),
    );
  cmd.action(async (flags: Flags) => {
    const ports = (flags.port ?? []).map((p) => Number(p));
    const quick = quickConfig(flags, ports);
    const metricsLine = flags.metrics === undefined ? undefined : metricsListenerLine(flags.metrics);
    if (flags.printConfig) {
      const text = (quick ?? '') + (metricsLine ? `${metricsLine}\n` : '');
      io.stdout(text || '# no quick-use flags: the configuration is the -c file or Mosquitto defaults\n');
      return;
    }
    let config: BrokerConfig;
    if (flags.configFile) {
      if (quick) usage('quick-use flags cannot be combined with -c; put them in the file');
      config = await loadMosquittoConf(flags.configFile, {
        baseDir: io.cwd,
        ports,
        verbose: flags.verbose === true,
      });
    } else {
      config = parseMosquittoConf(
        quick ?? '',
        { file: '<command line>', baseDir: io.cwd },
        { ports: quick ? [] : ports, verbose: flags.verbose === true },
      );
    }
    if (metricsLine) config = withMetrics(config, metricsLine, flags.configFile);
    const keyLog = openCliKeyLog(io, flags.keylog);
    const running = await startBroker(config, {
      stdout: (line) => io.stdout(line),
      stderr: (line) => io.stderr(line),
      ...(flags.configFile ? { configFile: flags.configFile } : {}),
      ...(keyLog && { keyLog: (line: Buffer) => keyLog.write(line) }),
    });
    // SIGHUP: re-read certificates, CRLs, ACL and password files, as Mosquitto does.
    const reload = () => void running.reload();
    process.on('SIGHUP', reload);
    try {
      await untilSignal();
    } finally {
      process.off('SIGHUP', reload);
      await running.close();
    }
  });
  registerReload(cmd, io);
}

/** `mqtts-lab broker reload`: SIGHUP to the broker whose pid_file the configuration names. */
function registerReload(broker: Command, io: CliIo): void {
  broker
    .command('reload')
    .description('make a running broker re-read its certificates, CRLs, ACL and password file (SIGHUP)')
    .option('-c, --config-file <file>', 'the mosquitto.conf whose pid_file names the broker')
    .option('--pid <pid>', 'the broker process id')
    .addHelpText(
      'after',
      examples(['mqtts-lab broker reload -c mosquitto.conf', 'mqtts-lab broker reload --pid 4242']),
    )
    .action(async (flags: { configFile?: string; pid?: string }) => {
      let pid: number;
      if (flags.pid !== undefined) {
        pid = Number(flags.pid);
        if (!Number.isInteger(pid) || pid <= 0) usage(`--pid ${flags.pid} is not a process id`);
      } else if (flags.configFile) {
        const config = await loadMosquittoConf(flags.configFile, { baseDir: io.cwd });
        if (!config.pidFile) usage(`${flags.configFile} has no pid_file: give --pid`);
        pid = Number.parseInt(readFileChecked(config.pidFile).toString('utf8'), 10);
        if (!Number.isInteger(pid) || pid <= 0) usage(`${config.pidFile} does not hold a process id`);
      } else {
        usage('give -c mosquitto.conf (with pid_file) or --pid');
      }
      try {
        process.kill(pid, 'SIGHUP');
      } catch (err) {
        throw new LabError('ERR_BROKER_NOT_RUNNING', `no broker process ${pid}: ${(err as Error).message}`, {
          cause: err,
          details: { pid },
        });
      }
      io.stdout(`sent SIGHUP to broker process ${pid}\n`);
    });
}

function quickConfig(flags: Flags, ports: number[]): string | undefined {
  const lines: string[] = [];
  const add = (option: string, value: string | boolean | undefined) => {
    if (value !== undefined && value !== false)
      lines.push(value === true ? `${option} true` : `${option} ${value}`);
  };
  add('bind_address', flags.bind);
  add('cafile', flags.cafile);
  add('certfile', flags.certfile);
  add('keyfile', flags.keyfile);
  add('crlfile', flags.crlfile);
  add('require_certificate', flags.requireCertificate);
  add('use_identity_as_username', flags.useIdentityAsUsername);
  add('tls_version', flags.tlsVersion);
  add('allow_anonymous', flags.allowAnonymous);
  add('password_file', flags.passwordFile);
  if (lines.length === 0) return undefined;
  const listeners = (ports.length > 0 ? ports : [flags.certfile ? 8883 : 1883]).map((p) => `listener ${p}`);
  // Security options are global; listener options follow their listener line.
  const global = lines.filter((l) => l.startsWith('allow_anonymous') || l.startsWith('password_file'));
  const perListener = lines.filter((l) => !global.includes(l));
  return [...global, ...listeners.flatMap((l) => [l, ...perListener])].join('\n') + '\n';
}

/** `--metrics [ADDRESS:]PORT` as the mosquitto.conf line it stands for. */
function metricsListenerLine(value: string): string {
  const match = /^(?:\[([^\]]+)\]:|([^:]+):)?(\d+)$/.exec(value);
  if (!match) usage(`--metrics ${value}: expected PORT or ADDRESS:PORT ([ADDRESS]:PORT for IPv6)`);
  const host = match[1] ?? match[2];
  return `metrics_listener ${match[3]}${host === undefined ? '' : ` ${host}`}`;
}

/** The configuration with the endpoint --metrics asks for; one place may set it, not two. */
function withMetrics(config: BrokerConfig, line: string, file: string | undefined): BrokerConfig {
  if (config.metrics) usage(`${file ?? 'the configuration'} already sets metrics_listener: drop --metrics`);
  const { metrics, warnings } = parseMosquittoConf(line, { file: '--metrics', baseDir: '/' });
  return Object.freeze({ ...config, metrics, warnings: Object.freeze([...config.warnings, ...warnings]) });
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
