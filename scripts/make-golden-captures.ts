// Regenerates the golden wire captures in test/golden/wire/: the real Debian `mosquitto_pub`
// publishing one ENV II reading to our broker through the capture relay, in plain MQTT 3.1.1 and
// 5 and in mutual TLS 1.2 and 1.3. The broker runs as a child process under Node's --tls-keylog,
// so each TLS capture comes with the NSS key log of its session. Each capture's expected.json
// holds what tshark reads in it now; test/integration/golden-captures.test.ts holds our analyzer
// and tshark to those facts on every run.
//
//   npx tsx scripts/make-golden-captures.ts [--out DIR]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { systemClock } from '../src/core/clock.js';
import { SeededRng } from '../src/core/rng.js';
import { encodeReading } from '../src/device/apps/reading.js';
import { createLabPki, type LabPki } from '../src/lab/pki.js';
import { canConnect, freePort } from '../src/lab/ports.js';
import { startCaptureRelay } from '../src/wire/capture/index.js';
import {
  GOLDEN,
  type GoldenSpec,
  MOSQUITTO_PUB,
  PUBLISH,
  toolVersions,
} from '../test/integration/golden/captures.js';
import { clientRandom, tsharkFacts } from '../test/integration/golden/tshark-facts.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = join(ROOT, 'test', 'golden', 'wire');

/** OpenSSL's system-wide TLS settings (openssl.cnf, "SSL Configuration"): at most TLS 1.2. */
const TLS12_OPENSSL_CONF = [
  'openssl_conf = openssl_init',
  '[openssl_init]',
  'ssl_conf = ssl_sect',
  '[ssl_sect]',
  'system_default = system_default_sect',
  '[system_default_sect]',
  'MaxProtocol = TLSv1.2',
  '',
].join('\n');

const HELP = `Usage: npx tsx scripts/make-golden-captures.ts [--out DIR]

  --out DIR  where to write the captures, key logs, expected.json files and README.md
             (default test/golden/wire/)

Needs ${MOSQUITTO_PUB} and tshark (bash scripts/setup-system.sh), and dist/ (npm run build).

Examples:
  npx tsx scripts/make-golden-captures.ts
  npx tsx scripts/make-golden-captures.ts --out /tmp/golden`;

function options(): { out: string } {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: DEFAULT_OUT },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  return { out: resolve(values.out) };
}

function requireTools(): void {
  const missing: string[] = [];
  if (!existsSync(MOSQUITTO_PUB)) missing.push(`${MOSQUITTO_PUB} (bash scripts/setup-system.sh)`);
  if (spawnSync('tshark', ['--version']).status !== 0) missing.push('tshark (bash scripts/setup-system.sh)');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) missing.push('dist/ (npm run build)');
  if (missing.length > 0) throw new Error(`make-golden-captures: missing ${missing.join(', ')}`);
}

interface Broker {
  readonly plainPort: number;
  readonly tlsPort: number;
  readonly keylog: string;
  log(): string;
  stop(): Promise<void>;
}

/** Our broker, as the CLI runs it, with a plain listener and a mutual-TLS one. */
async function startBroker(dir: string, pki: LabPki): Promise<Broker> {
  const plainPort = await freePort();
  let tlsPort = await freePort();
  while (tlsPort === plainPort) tlsPort = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      'per_listener_settings false',
      'log_dest stderr',
      'log_type all',
      'connection_messages true',
      'allow_anonymous true',
      `listener ${plainPort} 127.0.0.1`,
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${pki.files.cafile}`,
      `certfile ${pki.files.certfile}`,
      `keyfile ${pki.files.keyfile}`,
      'require_certificate true',
      'use_identity_as_username true',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const keylog = join(dir, 'broker.keys');
  const child = spawn(
    process.execPath,
    [`--tls-keylog=${keylog}`, join(ROOT, 'bin', 'mqtts-lab.js'), 'broker', '-c', conf],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(10_000, 'the broker to listen', async () => {
      if (child.exitCode !== null) throw new Error(`broker exited (${child.exitCode}): ${log}`);
      return (await canConnect(plainPort)) && (await canConnect(tlsPort));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { plainPort, tlsPort, keylog, log: () => log, stop };
}

interface Captured {
  readonly file: string;
  readonly keys?: string;
}

/** One mosquitto_pub run through a fresh relay; writes the capture (and its key log lines). */
async function capture(spec: GoldenSpec, broker: Broker, pki: LabPki, out: string): Promise<Captured> {
  const tls = spec.tls !== undefined;
  const relay = await startCaptureRelay({
    upstreamHost: '127.0.0.1',
    upstreamPort: tls ? broker.tlsPort : broker.plainPort,
    capture: { server: { port: spec.serverPort } },
  });
  try {
    const args = spec.args(relay.port, encodeReading(PUBLISH.reading, systemClock));
    await runTool(MOSQUITTO_PUB, args, pki.dir, clientEnv(spec, pki.dir));
    await waitFor(5_000, 'the relayed connection to close', () => relay.recording.isDone(0));
  } finally {
    await relay.close();
  }
  if (relay.accepted !== 1) throw new Error(`${spec.name}: ${relay.accepted} connections relayed, not 1`);
  if (relay.errors.length > 0)
    throw new Error(`${spec.name}: relay errors ${String(relay.errors[0]?.error)}`);
  const file = join(out, spec.file);
  writeFileSync(file, spec.format === 'pcapng' ? relay.toPcapng() : relay.toPcap());
  if (!tls) return { file };
  const keys = join(out, `${spec.name}.keys`);
  writeFileSync(keys, await sessionKeys(broker.keylog, clientRandom(file), spec.tls === 'tlsv1.3'));
  return { file, keys };
}

/**
 * The broker's key log lines for one session. Node appends them as the handshake goes, so wait
 * until the session's secrets are all there: the master secret (TLS 1.2), or the handshake and
 * application traffic secrets and the exporter secret (TLS 1.3, RFC 8446 §7.1).
 */
async function sessionKeys(keylog: string, random: string, tls13: boolean): Promise<string> {
  const labels = tls13
    ? [
        'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
        'SERVER_HANDSHAKE_TRAFFIC_SECRET',
        'CLIENT_TRAFFIC_SECRET_0',
        'SERVER_TRAFFIC_SECRET_0',
        'EXPORTER_SECRET',
      ]
    : ['CLIENT_RANDOM'];
  let lines: string[] = [];
  await waitFor(5_000, `the key log lines of session ${random}`, () => {
    const text = existsSync(keylog) ? readFileSync(keylog, 'utf8') : '';
    lines = text.split('\n').filter((l) => l.split(' ')[1]?.toLowerCase() === random.toLowerCase());
    return labels.every((label) => lines.some((l) => l.startsWith(`${label} `)));
  });
  return `${lines.join('\n')}\n`;
}

/**
 * libmosquitto 2.0 reads --tls-version as the lowest version it accepts, and our broker offers
 * TLS 1.3, so `--tls-version tlsv1.2` alone negotiates TLS 1.3. A TLS 1.2 client (as a device
 * whose TLS stack stops at 1.2) is made by capping OpenSSL's own maximum in its configuration.
 */
function clientEnv(spec: GoldenSpec, dir: string): NodeJS.ProcessEnv {
  if (spec.tls !== 'tlsv1.2') return process.env;
  const conf = join(dir, 'openssl-tls12.cnf');
  writeFileSync(conf, TLS12_OPENSSL_CONF);
  return { ...process.env, OPENSSL_CONF: conf };
}

function runTool(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

async function waitFor(ms: number, what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Written as the repository's prettier settings print it, so `npm run lint` passes on the output. */
async function writeFormatted(path: string, text: string): Promise<void> {
  const config = (await prettier.resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier.format(text, { ...config, filepath: path }));
}

function readme(out: string, versions: ReturnType<typeof toolVersions>): string {
  const size = (file: string) => `${readFileSync(join(out, file)).length} bytes`;
  const rows = GOLDEN.flatMap((spec) => {
    const what = spec.tls
      ? `mutual TLS ${spec.tls === 'tlsv1.2' ? '1.2' : '1.3'} on 8883, client certificate CN=m5go-01`
      : `MQTT ${spec.mqttVersion === 5 ? '5.0' : '3.1.1'} in clear on 1883${
          spec.credentials ? ', with username and password' : ''
        }${spec.userProperty ? ', with a PUBLISH user property' : ''}`;
    return [
      `| \`${spec.file}\` | ${spec.format}, ${what} | ${size(spec.file)} |`,
      ...(spec.tls
        ? [
            `| \`${spec.name}.keys\` | the broker's NSS key log, this session only | ${size(`${spec.name}.keys`)} |`,
          ]
        : []),
      `| \`${spec.name}.expected.json\` | what tshark read in the capture when it was made | ${size(`${spec.name}.expected.json`)} |`,
    ];
  });
  const commands = GOLDEN.map(
    (spec) =>
      `${spec.tls === 'tlsv1.2' ? 'OPENSSL_CONF=openssl-tls12.cnf ' : ''}mosquitto_pub ${spec
        .args('RELAY_PORT', '<reading>')
        .map(shellQuote)
        .join(' ')}`,
  );
  return `# Golden wire captures

Real traffic, recorded once and checked in: the Debian \`mosquitto_pub\` publishing one ENV II
reading (QoS 1, client id \`m5go-01\`, topic \`m5go/env\`) to the mqtts-lab broker, through the
capture relay (\`src/wire/capture/\`), which writes each relayed connection as one synthesized
Ethernet/IPv4/TCP conversation: client 127.0.0.2:49152, broker 127.0.0.1 on the lab's port, 1883
or 8883, whatever free loopback ports the relay and the broker really listened on.
\`test/integration/golden-captures.test.ts\` checks that our capture analyzer reads in each file
exactly what \`<name>.expected.json\` says, and that tshark, run again on the checked-in file,
still reads the same.

| File | What | Size |
| --- | --- | --- |
${rows.join('\n')}

## Tools

- ${versions.mosquittoPub}
- ${versions.tshark}
- ${versions.node}, ${versions.openssl}; the broker is \`node --tls-keylog=FILE bin/mqtts-lab.js broker -c CONF\`

## How they were made

A throwaway PKI (\`createLabPki\`: the lab CA, the broker's RSA-2048 certificate for localhost and
127.0.0.1, the device certificate O=Ciel Lab, CN=m5go-01) and one broker with a plain listener and
a mutual-TLS listener (\`require_certificate true\`, \`use_identity_as_username true\`). For each
capture a fresh relay sits in front of the broker and \`mosquitto_pub\` runs once through it
(\`<reading>\` is the JSON of \`encodeReading\`, stamped with the time of the run):

\`\`\`sh
${commands.join('\n')}
\`\`\`

libmosquitto 2.0 takes \`--tls-version\` as the lowest version it accepts, and the broker offers TLS
1.3, so \`--tls-version tlsv1.2\` alone negotiates TLS 1.3. The TLS 1.2 capture is made with the
client's OpenSSL capped at TLS 1.2 (\`MaxProtocol = TLSv1.2\` in the \`system_default\` section of
the file \`OPENSSL_CONF\` names), as a device whose TLS stack has no 1.3 would connect.
mosquitto_pub sends the host it is given as the SNI, here the address literal \`127.0.0.1\`
(RFC 6066 §3 allows only host names there); tshark and our analyzer both report it as it is.

The \`.keys\` files are the lines of the broker's key log (Node's \`--tls-keylog\`) whose client
random is the capture's ClientHello random: \`CLIENT_RANDOM\` for TLS 1.2, the handshake and
traffic secrets for TLS 1.3. They decrypt these sessions and nothing else: the PKI and the
broker were thrown away after the run. tshark decrypts with \`tshark -r FILE -o tls.keylog_file:FILE.keys\`:
it dissects TCP port 8883 as MQTT over TLS on its own.

## expected.json

\`frames\`; for plaintext, \`mqtt\`; for TLS, \`tls\` (version and cipher suite from the
ServerHello, SNI, every record as \`[content type, length]\` per direction with TLS 1.3's
\`opaque_type\`, and the client certificate's subject as tshark's x509 dissector shows it, TLS 1.2
only) and \`decrypted\` (the MQTT inside, read with the key log). \`messages\` lists every MQTT
control packet in order. Payloads are hex.

## Regenerating

\`\`\`sh
npm run build          # the broker runs from dist/
npx tsx scripts/make-golden-captures.ts            # or --out DIR
node --import tsx --test test/integration/golden-captures.test.ts
\`\`\`

Every run makes new keys, certificates and timestamps, so every file changes.
`;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
  const { out } = options();
  requireTools();
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'mqtts-lab-golden-'));
  try {
    const pki = await createLabPki({ dir: join(work, 'pki'), rng: new SeededRng('golden-captures') });
    const broker = await startBroker(work, pki);
    try {
      for (const spec of GOLDEN) {
        const c = await capture(spec, broker, pki, out);
        const expected = tsharkFacts(spec, c.file, c.keys);
        await writeFormatted(join(out, `${spec.name}.expected.json`), JSON.stringify(expected));
        console.log(`${spec.file}: ${readFileSync(c.file).length} bytes`);
      }
    } catch (err) {
      console.error(broker.log());
      throw err;
    } finally {
      await broker.stop();
    }
    await writeFormatted(join(out, 'README.md'), readme(out, toolVersions()));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
