// Files shared by every configuration of the auth matrix: the TLS fixture set, plus what it
// lacks — a valid certificate without a CN (use_identity_as_username's own refusal) — and a
// password file made by mosquitto_passwd itself, the oracle for the $7$ hash format.
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRootCa, issueCertificate } from '../../../src/pki/ca.js';
import { certificateToPem } from '../../../src/pki/certificate.js';
import { crlToPem, signCrl } from '../../../src/pki/crl.js';
import { createCsr, parseCsr } from '../../../src/pki/csr.js';
import { generatePrivateKey, privateKeyToPem } from '../../../src/pki/keys.js';
import { buildName } from '../../../src/pki/names.js';
import { PROFILES } from '../../../src/pki/profiles.js';
import { keySigner } from '../../../src/pki/signer.js';
import { requireTool } from '../../helpers/brokers.js';
import { makeTlsFixtures, type TlsFixtures } from '../../helpers/tls-fixtures.js';

export const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
export const USER = 'alice';
export const PASSWORD = 'secret';

export interface MatrixFiles {
  readonly fx: TlsFixtures;
  /** The lab CA and the CA of the no-CN certificate, in one file (Mosquitto reads every one). */
  readonly cafile: string;
  /** Both CAs' CRLs in one file: Mosquitto's X509_load_crl_file loads every CRL in it. */
  readonly crlfile: string;
  readonly passwordFile: string;
  readonly noCn: { readonly cert: string; readonly key: string };
}

const DAY = 86_400_000;

export async function makeMatrixFiles(dir: string): Promise<MatrixFiles> {
  requireTool(MOSQUITTO_PASSWD);
  const fx = await makeTlsFixtures(dir);
  // Our CA code cannot re-open the fixtures' CA key, so the no-CN certificate has a CA of its own,
  // trusted beside the lab CA; with crlfile set, OpenSSL then needs that CA's CRL too.
  const ca = await createRootCa({ subject: { O: 'mqtts-lab test', CN: 'No-CN CA' } });
  const key = await generatePrivateKey('p256');
  const csr = parseCsr(await createCsr({ subject: buildName({ O: 'mqtts-lab test' }) }, keySigner(key)));
  const { certificate } = await issueCertificate({ ca, csr, profile: PROFILES.device });
  const now = Date.now();
  const crl = await signCrl(
    {
      issuer: ca.certificate.subject,
      issuerKeyId: ca.certificate.extensions.subjectKeyId,
      crlNumber: 1,
      thisUpdate: new Date(now - DAY),
      nextUpdate: new Date(now + 7 * DAY),
      entries: [],
    },
    ca.signer,
  );
  const noCn = {
    cert: put(dir, 'no-cn.crt', certificateToPem(certificate.der)),
    key: put(dir, 'no-cn.key', privateKeyToPem(key)),
  };
  const cafile = put(
    dir,
    'ca-bundle.crt',
    readFileSync(fx.cafile, 'utf8') + certificateToPem(ca.certificate.der),
  );
  const crlfile = put(dir, 'crl-bundle.pem', readFileSync(fx.crlfile, 'utf8') + crlToPem(crl));
  const passwordFile = join(dir, 'passwd');
  const made = spawnSync(MOSQUITTO_PASSWD, ['-c', '-b', passwordFile, USER, PASSWORD], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  // Mosquitto drops root privileges to user "mosquitto" before it reads any of these.
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  return { fx, cafile, crlfile, passwordFile, noCn };
}

function put(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
