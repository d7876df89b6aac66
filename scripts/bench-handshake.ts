// Device TLS handshake benchmark: full mutual-TLS handshakes of the project's TLS client (the
// emulated ATECC608B signing CertificateVerify at its typical and maximum timing, or a software
// key) and of Node's TLS client with a software key, against our broker, Mosquitto and
// `openssl s_server -Verify 1`, at TLS 1.3 and 1.2, all in one run. Markdown table on stdout,
// JSON in .bench/bench-handshake.json.
//
//   npm run bench:handshake -- [--n N] [--warmup N] [--server-key p256|rsa-2048] [--out FILE] [--quick]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { KeyType } from '../src/pki/index.js';
import {
  CLIENT_IDS,
  type ClientId,
  type HandshakeSample,
  makeClients,
  measureBytes,
  type WireBytes,
} from './bench/handshake-clients.js';
import { makeHandshakePki } from './bench/handshake-pki.js';
import { type CellResult, markdownTable, summarize } from './bench/handshake-report.js';
import {
  type HandshakeServer,
  missingTools,
  startMosquitto,
  startOurBroker,
  startSServer,
} from './bench/handshake-servers.js';

const HELP = `Usage: npm run bench:handshake -- [--n N] [--warmup N] [--server-key p256|rsa-2048] [--out FILE] [--quick]

Times full mutual-TLS handshakes (new TCP connection each, until the server's Finished is
verified) of four clients against four servers, at TLS 1.3 and 1.2:
  clients  (a) our TLS client, CertificateVerify signed by the emulated ATECC608B, timing typical
           (b) the same at the part's maximum timing
           (c) our TLS client with a software P-256 key
           (d) Node's tls.connect with the same software key
  servers  the mqtts-lab broker (in this process), Mosquitto, openssl s_server -tls1_3 / -tls1_2
Reports median and p95 ms, the ratio to Node's client in the same group, the chip's bus time
(Sign alone and the whole signature), and the bytes of one handshake each way.

  --n N            handshakes per client and cell (default 50, at least 50 for a measurement)
  --warmup N       untimed handshakes per client and cell first (default 5)
  --server-key K   the server certificate's key: p256 (default) or rsa-2048
  --out FILE       JSON output (default .bench/bench-handshake.json)
  --quick          5 handshakes per cell: a smoke test of the harness, not a measurement

Examples:
  npm run bench:handshake
  npm run bench:handshake -- --server-key rsa-2048
  npm run bench:handshake -- --quick`;

const ROOT = join(import.meta.dirname, '..');

interface Options {
  readonly n: number;
  readonly warmup: number;
  readonly serverKey: KeyType;
  readonly out: string;
  readonly quick: boolean;
}

function options(): Options {
  const fail = (why: string): never => {
    console.error(`ERR_OPTIONS_INVALID: ${why}\n\n${HELP}`);
    process.exit(2);
  };
  let values;
  try {
    values = parseArgs({
      options: {
        n: { type: 'string' },
        warmup: { type: 'string', default: '5' },
        'server-key': { type: 'string', default: 'p256' },
        out: { type: 'string', default: join(ROOT, '.bench', 'bench-handshake.json') },
        quick: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const count = (text: string, name: string, min: number): number => {
    const v = Number(text);
    return Number.isInteger(v) && v >= min ? v : fail(`--${name} must be an integer ≥ ${min}, got ${text}`);
  };
  const quick = values.quick;
  const n = values.n !== undefined ? count(values.n, 'n', 1) : quick ? 5 : 50;
  const serverKey = values['server-key'];
  if (serverKey !== 'p256' && serverKey !== 'rsa-2048') return fail(`--server-key is p256 or rsa-2048`);
  return {
    n,
    warmup: count(values.warmup, 'warmup', 0),
    serverKey,
    out: resolve(values.out),
    quick,
  };
}

async function main(): Promise<void> {
  const o = options();
  const missing = missingTools();
  if (missing.length > 0) {
    console.error(`not installed: ${missing.join(', ')} — run "bash scripts/setup-system.sh" first`);
    process.exit(1);
  }
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'bench-handshake-'));
  const servers: HandshakeServer[] = [];
  const cells: CellResult[] = [];
  try {
    const pki = await makeHandshakePki(dir, o.serverKey);
    const clients = makeClients(pki);
    servers.push(await startOurBroker(pki), await startMosquitto(pki));
    servers.push(await startSServer(pki, '1.3'), await startSServer(pki, '1.2'));
    for (const server of servers) {
      for (const version of server.versions) {
        const target = { host: '127.0.0.1', port: server.port };
        const samples = Object.fromEntries(CLIENT_IDS.map((c) => [c, [] as HandshakeSample[]])) as Record<
          ClientId,
          HandshakeSample[]
        >;
        for (let i = 0; i < o.warmup; i++) for (const c of CLIENT_IDS) await clients[c](target, version);
        // Interleaved, each round in a rotated order: drift and position in the round hit every client alike.
        for (let i = 0; i < o.n; i++) {
          for (let k = 0; k < CLIENT_IDS.length; k++) {
            const c = CLIENT_IDS[(i + k) % CLIENT_IDS.length]!;
            samples[c].push(await clients[c](target, version));
          }
        }
        const bytes = {} as Record<ClientId, WireBytes>;
        for (const c of CLIENT_IDS) bytes[c] = await measureBytes(clients[c], target, version);
        cells.push(...summarize(server.name, version, samples, bytes));
        process.stderr.write(
          `${server.name} TLS ${version}: ${o.n} handshakes × ${CLIENT_IDS.length} clients\n`,
        );
      }
    }
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const notes = [
    `${o.n} full handshakes per cell (${o.warmup} untimed first), clients interleaved; server key ${o.serverKey}, client keys P-256.`,
    "SE columns are bus time on the emulator's virtual clock (the clock the device firmware uses): the chip's waits",
    'are not real sleeps, so "median ms" holds only the host\'s work (including the emulation) and "median + SE"',
    'adds the time a real part would take. Driver wait: poll (CryptoAuthLib-style).',
    'Bytes: TCP payload of one handshake through a counting relay, client → server / server → client',
    '(TLS 1.3: with the session tickets the server sends after its Finished).',
  ];
  if (o.quick) notes.unshift('--quick: a smoke test of the harness, not a measurement.');
  console.log(markdownTable(cells));
  console.log('');
  for (const line of notes) console.log(line);
  console.log(`\n${cpus().length} CPU, Node ${process.version}, run took ${seconds.toFixed(0)} s.`);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(
    o.out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        n: o.n,
        warmup: o.warmup,
        serverKey: o.serverKey,
        quick: o.quick,
        seconds,
        cells,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`JSON: ${o.out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
