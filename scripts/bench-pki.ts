// Issuance benchmark: N ECDSA P-256 device certificates made in process (key, CSR, certificate under
// the device profile) against the openssl CLI loop a lab sheet would script for the same job.
// Both run one certificate at a time. A sample of each side's output is checked by `openssl verify`,
// so neither side can win by producing garbage.
//
//   npx tsx scripts/bench-pki.ts [--count N] [--openssl-count M] [--json]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { LabError } from '../src/core/errors.js';
import { type CreatedRootCa, createRootCa, issueCertificate } from '../src/pki/ca.js';
import { certificateToPem } from '../src/pki/certificate.js';
import { createCsr, parseCsr } from '../src/pki/csr.js';
import { generatePrivateKey, privateKeyToPem } from '../src/pki/keys.js';
import { buildName } from '../src/pki/names.js';
import { PROFILES } from '../src/pki/profiles.js';
import { keySigner } from '../src/pki/signer.js';

const HELP = `Usage: npx tsx scripts/bench-pki.ts [--count N] [--openssl-count M] [--json]

  --count N          certificates to issue on each side (default 1000)
  --openssl-count M  run the openssl loop for M < N certificates only and extrapolate its rate to N
  --json             print the results as JSON

Examples:
  npx tsx scripts/bench-pki.ts
  npx tsx scripts/bench-pki.ts --count 200 --json
  npx tsx scripts/bench-pki.ts --count 5000 --openssl-count 500`;

interface Result {
  readonly implementation: string;
  /** Certificates the row speaks for. */
  readonly count: number;
  /** Certificates actually made; less than `count` when the time is extrapolated. */
  readonly measured: number;
  readonly seconds: number;
  readonly certsPerSecond: number;
  readonly extrapolated: boolean;
}

function options(): { count: number; opensslCount: number; json: boolean } {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '1000' },
      'openssl-count': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const count = positiveInt(values.count, '--count');
  const opensslCount =
    values['openssl-count'] === undefined ? count : positiveInt(values['openssl-count'], '--openssl-count');
  if (opensslCount > count)
    throw new LabError('ERR_OPTIONS_INVALID', '--openssl-count cannot exceed --count');
  return { count, opensslCount, json: values.json };
}

function positiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new LabError('ERR_OPTIONS_INVALID', `${name} must be a positive integer, got "${text}"`, {
      details: { option: name },
    });
  }
  return n;
}

/** Run openssl without a shell; a failure is fatal to the benchmark. */
function openssl(cwd: string, args: readonly string[]): string {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.trim().split('\n')[0]}`);
  return r.stdout;
}

async function benchOurs(root: CreatedRootCa, n: number): Promise<{ result: Result; sample: Uint8Array[] }> {
  const sample: Uint8Array[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const key = await generatePrivateKey('p256');
    const csr = parseCsr(await createCsr({ subject: buildName({ CN: `dev-${i}` }) }, keySigner(key)));
    const { certificate } = await issueCertificate({ ca: root, csr, profile: PROFILES.device });
    if (i === 0 || i === n - 1) sample.push(certificate.der);
  }
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    implementation: 'mqtts-lab, in process',
    count: n,
    measured: n,
    seconds,
    certsPerSecond: n / seconds,
    extrapolated: false,
  };
  return { result, sample };
}

/** The lab-sheet loop: three openssl processes per certificate, files in `dir`. */
function benchOpenssl(dir: string, n: number, m: number): Result {
  const t0 = performance.now();
  for (let i = 0; i < m; i++) {
    openssl(dir, ['ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'k.pem']);
    openssl(dir, ['req', '-new', '-key', 'k.pem', '-subj', `/CN=dev-${i}`, '-out', 'r.csr']);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      'r.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-out',
      'c.crt',
    ]);
    if (i === 0) copyFileSync(join(dir, 'c.crt'), join(dir, 'openssl-first.crt'));
  }
  const measuredSeconds = (performance.now() - t0) / 1000;
  const rate = m / measuredSeconds;
  return {
    implementation: 'openssl CLI, 3 processes per cert',
    count: n,
    measured: m,
    seconds: m === n ? measuredSeconds : n / rate,
    certsPerSecond: rate,
    extrapolated: m < n,
  };
}

/** Both samples must verify under the bench root; ours also strictly and as TLS client certificates. */
function verifySamples(dir: string, ours: Uint8Array[], n: number, m: number): string[] {
  const files = ours.map((der, i) => {
    writeFileSync(join(dir, `ours-${i}.crt`), certificateToPem(der));
    return `ours-${i}.crt`;
  });
  openssl(dir, [
    'verify',
    '-no-CApath',
    '-no-CAstore',
    '-x509_strict',
    '-purpose',
    'sslclient',
    '-CAfile',
    'ca.crt',
    ...files,
  ]);
  const subjects = files.map((f) => openssl(dir, ['x509', '-in', f, '-noout', '-subject']).trim());
  const expected = [...new Set([0, n - 1])].map((i) => `subject=CN = dev-${i}`);
  if (subjects.join('|') !== expected.join('|'))
    throw new Error(`sampled subjects ${subjects.join(', ')} are not ${expected.join(', ')}`);
  openssl(dir, ['verify', '-no-CApath', '-no-CAstore', '-CAfile', 'ca.crt', 'openssl-first.crt', 'c.crt']);
  return [
    `mqtts-lab #1 and #${n}: openssl verify -x509_strict -purpose sslclient OK`,
    `openssl #1 and #${m}: openssl verify OK`,
  ];
}

function table(results: readonly Result[]): string {
  const rows = [
    ['implementation', 'count', 'seconds', 'certs/s'],
    ...results.map((r) => [
      r.implementation + (r.extrapolated ? ` (${r.measured} measured)` : ''),
      String(r.count),
      r.seconds.toFixed(2),
      r.certsPerSecond.toFixed(1),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) =>
      row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const { count, opensslCount, json } = options();
  const dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-bench-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const opensslVersion = openssl(dir, ['version']).trim();
    const root = await createRootCa({
      subject: { O: 'mqtts-lab bench', CN: 'Bench Root P-256' },
      keyType: 'p256',
    });
    writeFileSync(join(dir, 'ca.crt'), certificateToPem(root.certificate.der));
    writeFileSync(join(dir, 'ca.key'), privateKeyToPem(root.key!), { mode: 0o600 });

    const ours = await benchOurs(root, count);
    const theirs = benchOpenssl(dir, count, opensslCount);
    const verified = verifySamples(dir, ours.sample, count, opensslCount);
    const ratio = ours.result.certsPerSecond / theirs.certsPerSecond;
    const cpu = cpus();
    const env = {
      date: new Date().toISOString(),
      node: process.version,
      openssl: opensslVersion,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? '?',
    };

    if (json) {
      console.log(
        JSON.stringify(
          { ...env, count, results: [ours.result, theirs], ratioOursToOpenssl: ratio, verified },
          null,
          2,
        ),
      );
      return;
    }
    console.log(
      `Issuing ${count} ECDSA P-256 device certificates (new key + CSR + certificate each), one at a time`,
    );
    console.log(`${env.date}  node ${env.node}  ${env.openssl}  ${env.cpus} x ${env.cpuModel}\n`);
    console.log(table([ours.result, theirs]));
    if (theirs.extrapolated) {
      console.log(
        `\nopenssl: ${opensslCount} certificates measured; its time for ${count} is extrapolated from that rate.`,
      );
    }
    console.log(`\nratio ours/openssl (certs/s): ${ratio.toFixed(1)}x`);
    for (const line of verified) console.log(`verified: ${line}`);
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  const code = (err as { code?: string }).code ?? 'ERR_BENCH';
  console.error(`bench-pki: ${code}: ${(err as Error).message ?? String(err)}`);
  process.exit(code.startsWith('ERR_OPTIONS') || code.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
});
