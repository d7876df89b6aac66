// The differential test of broker authentication: every require_certificate ×
// use_identity_as_username × allow_anonymous × password_file configuration on a TLS listener,
// every client credential, over TLS 1.2 and 1.3, MQTT 3.1.1 and 5 — Mosquitto 2.0.11 is the
// oracle, our broker (the built CLI) must answer the same: the same layer refuses (handshake vs
// CONNACK), with the same code, and an accepted client gets the same username. The observed
// matrix must also be the one docs/broker-auth.md shows.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { test, type TestContext } from 'node:test';
import { type BrokerKind, startBroker } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';
import {
  type AuthConfig,
  cellKey,
  cellText,
  CONFIGS,
  configName,
  CREDENTIALS,
  type Credential,
  formatTables,
  readDocTables,
  type Result,
  type Row,
} from './auth-matrix/cells.js';
import { type Attempt, type TlsVersion, tryConnect } from './auth-matrix/client.js';
import { makeMatrixFiles, type MatrixFiles } from './auth-matrix/fixtures.js';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'broker-auth.md');
const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.3'];
const MQTT_VERSIONS = [4, 5] as const;
/** MQTT 5 reason code for each 3.1.1 return code Mosquitto sends here. */
const V5_OF: Readonly<Record<number, number>> = { 0: 0, 4: 0x86, 5: 0x87 };

interface Variant {
  readonly tls: TlsVersion;
  readonly mqtt: 4 | 5;
}
const VARIANTS: readonly Variant[] = TLS_VERSIONS.flatMap((tls) =>
  MQTT_VERSIONS.map((mqtt) => ({ tls, mqtt })),
);
const clientId = (c: Credential, v: Variant) => `${c.column}-${v.tls.slice(-3)}-v${v.mqtt}`;

function listenerConf(port: number, c: AuthConfig, files: MatrixFiles): string {
  return [
    `listener ${port} 127.0.0.1`,
    `cafile ${files.cafile}`,
    `certfile ${files.fx.server.cert}`,
    `keyfile ${files.fx.server.key}`,
    // Only consulted when a certificate is verified, i.e. with require_certificate true.
    `crlfile ${files.crlfile}`,
    `require_certificate ${c.requireCertificate}`,
    `use_identity_as_username ${c.useIdentityAsUsername}`,
    `allow_anonymous ${c.allowAnonymous}`,
    ...(c.passwordFile ? [`password_file ${files.passwordFile}`] : []),
    '',
  ].join('\n');
}

function identityFiles(files: MatrixFiles, c: Credential): { cert?: Buffer; key?: Buffer } {
  if (c.identity === undefined) return {};
  const id = c.identity === 'noCn' ? files.noCn : files.fx[c.identity];
  return { cert: readFileSync(id.cert), key: readFileSync(id.key) };
}

/**
 * The username a broker gave `id`, from its "New client connected … as ID (p4, c1, k60,
 * u'NAME')." line: null when the line has no u'…' part, undefined while no line is logged.
 */
function loggedUser(log: string, id: string): string | null | undefined {
  const m = new RegExp(`New client connected from \\S+ as ${id} \\(p\\d, c\\d, k\\d+(, u'(.*)')?\\)\\.`).exec(
    log,
  );
  if (!m) return undefined;
  return m[1] === undefined ? null : (m[2] ?? '');
}

/**
 * The one difference Node allows no fix for: its TLS server verifies a client certificate after
 * the handshake (node's VerifyCallback always returns 1) and then drops the connection, so no
 * alert is sent. Mosquitto's OpenSSL refuses inside the handshake with an alert naming why.
 * Same layer, same refusal; only the alert is missing.
 */
const VERIFY_ALERTS = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
]);
const alertGap = (want: Result, got: Result): boolean =>
  want.kind === 'tls' && got.kind === 'tls' && got.alert === null && VERIFY_ALERTS.has(want.alert ?? '');

/** The log lines that tell a student why a client was refused or who it is, sorted, timestamps off. */
function verdictLines(log: string): string[] {
  const lines = log
    .split('\n')
    .map((l) => l.replace(/^\d+: /, '').replace(/from [\d.]+:\d+ /, 'from ADDR '))
    .filter((l) => /^(OpenSSL Error|Client \S+ disconnected[,:]|New client connected)/.test(l))
    .sort();
  // startBroker's port probe connects and closes before any ClientHello: depending on timing
  // Mosquitto logs it as an EOF (plus a protocol error) or as "Client connection from … failed",
  // so each EOF line and one protocol-error line go; no matrix attempt ends in an EOF.
  let drop = lines.filter((l) => l.includes('unexpected eof while reading')).length;
  return lines.filter((l) => {
    if (l.includes('unexpected eof while reading')) return false;
    if (drop > 0 && l === 'Client <unknown> disconnected: Protocol error.') {
      drop--;
      return false;
    }
    return true;
  });
}

/** Lines one log has more often than the other: a readable diff of two multisets. */
function lineDiff(ours: readonly string[], theirs: readonly string[]) {
  const rest = [...theirs];
  const onlyOurs: string[] = [];
  for (const line of ours) {
    const i = rest.indexOf(line);
    if (i < 0) onlyOurs.push(line);
    else rest.splice(i, 1);
  }
  return { onlyOurs, onlyMosquitto: rest };
}

/** Every attempt of every credential against one broker; results keyed by client id. */
async function observe(
  t: TestContext,
  kind: BrokerKind,
  dir: string,
  config: AuthConfig,
  files: MatrixFiles,
): Promise<{ results: Map<string, Result>; log: () => string }> {
  const port = await freePort();
  const broker = await startBroker(t, kind, dir, listenerConf(port, config, files), port);
  const ca = readFileSync(files.cafile);
  const attempts = CREDENTIALS.flatMap((c) =>
    VARIANTS.map(async (v): Promise<[string, Result]> => {
      const id = clientId(c, v);
      const attempt: Attempt = {
        port,
        ca,
        ...identityFiles(files, c),
        tlsVersion: v.tls,
        protocolVersion: v.mqtt,
        clientId: id,
        ...(c.username !== undefined ? { username: c.username } : {}),
        ...(c.password !== undefined ? { password: c.password } : {}),
      };
      return [id, await tryConnect(attempt)];
    }),
  );
  const results = new Map<string, Result>(await Promise.all(attempts));
  // The log line is written before CONNACK is sent, but reaches us through a pipe: poll briefly.
  const accepted = [...results].filter(([, r]) => r.kind === 'connack' && r.code === 0).map(([id]) => id);
  for (let waited = 0; waited < 3000; waited += 50) {
    if (accepted.every((id) => loggedUser(broker.log(), id) !== undefined)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const id of accepted)
    results.set(id, { kind: 'connack', code: 0, user: loggedUser(broker.log(), id) });
  return { results, log: broker.log };
}

test('auth matrix: Mosquitto 2.0.11 and mqtts-lab agree cell by cell', { concurrency: 4 }, async (t) => {
  const dir = tempDir(t);
  const files = await makeMatrixFiles(dir);
  const observed = new Map<string, Row>();
  /** Mosquitto's alert → how many refusals our broker made with no alert instead. */
  const gaps = new Map<string, number>();

  await Promise.all(
    CONFIGS.map((config, n) =>
      t.test(configName(config), async (st) => {
        const cdir = join(dir, `config-${n}`);
        mkdirSync(cdir, { mode: 0o755 });
        const [theirs, ours] = await Promise.all([
          observe(st, 'mosquitto', cdir, config, files),
          observe(st, 'mqtts-lab', cdir, config, files),
        ]);
        const base = (c: Credential) => theirs.results.get(clientId(c, { tls: 'TLSv1.3', mqtt: 4 }))!;
        observed.set(
          cellKey(config),
          CREDENTIALS.map((c) => cellText(config, c, base(c))),
        );
        // Every disagreement of the configuration at once, not just the first.
        const disagreements: string[] = [];
        for (const c of CREDENTIALS) {
          for (const v of VARIANTS) {
            const id = clientId(c, v);
            const [want, got] = [theirs.results.get(id)!, ours.results.get(id)!];
            const where = `${c.column} (${c.label}), ${v.tls}, MQTT ${v.mqtt === 5 ? 5 : '3.1.1'}`;
            assert.notEqual(want.kind, 'error', `${where}: Mosquitto neither refused nor answered`);
            if (want.kind === 'tls' && alertGap(want, got)) {
              gaps.set(want.alert ?? '', (gaps.get(want.alert ?? '') ?? 0) + 1);
            } else if (!isDeepStrictEqual(got, want)) {
              disagreements.push(`${where}: mosquitto ${JSON.stringify(want)}, ours ${JSON.stringify(got)}`);
            }
            // The same layer refuses whatever the TLS version; MQTT 5 maps 4 → 0x86, 5 → 0x87.
            const b = base(c);
            assert.equal(want.kind, b.kind, `${where}: differs from TLS 1.3`);
            if (want.kind === 'connack' && b.kind === 'connack') {
              assert.equal(want.code, v.mqtt === 5 ? V5_OF[b.code] : b.code, `${where}: code`);
              assert.equal(want.user, b.user, `${where}: username`);
            }
          }
        }
        assert.deepEqual(disagreements, []);
        // Refusals and identities read the same in both logs (a pipe away: poll briefly).
        for (let waited = 0; waited < 2000; waited += 50) {
          if (isDeepStrictEqual(verdictLines(ours.log()), verdictLines(theirs.log()))) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.deepEqual(lineDiff(verdictLines(ours.log()), verdictLines(theirs.log())), {
          onlyOurs: [],
          onlyMosquitto: [],
        });
      }),
    ),
  );

  const table = formatTables(observed);
  for (const line of table.split('\n')) t.diagnostic(line);
  // Shown, not hidden: the refusals where only the alert differs (Node cannot send it).
  for (const [alert, n] of gaps) t.diagnostic(`${n} refusals: Mosquitto alert ${alert}, ours none`);
  assert.deepEqual(
    readDocTables(readFileSync(DOC, 'utf8')),
    observed,
    `docs/broker-auth.md differs from:\n${table}`,
  );
});
