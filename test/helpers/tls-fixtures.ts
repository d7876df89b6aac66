import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRootCa, type CreatedRootCa, issueCertificate } from '../../src/pki/ca.js';
import { certificateToPem } from '../../src/pki/certificate.js';
import { crlToPem, signCrl } from '../../src/pki/crl.js';
import { createCsr, parseCsr } from '../../src/pki/csr.js';
import { generatePrivateKey, type KeyType, privateKeyToPem } from '../../src/pki/keys.js';
import { buildName } from '../../src/pki/names.js';
import { PROFILES, type ProfileName } from '../../src/pki/profiles.js';
import { keySigner } from '../../src/pki/signer.js';

const DAY = 86_400_000;

/** Paths of one identity: certificate and unencrypted private key (PEM). */
export interface IdentityFiles {
  readonly cert: string;
  readonly key: string;
  readonly cn: string;
}

/**
 * The mTLS fixture matrix, generated per run (never checked in): a lab CA with a CRL, a broker
 * certificate for localhost/127.0.0.1, device certificates (P-256 and RSA-2048), and the
 * negative cells — another CA's client, an expired client, a not-yet-valid client, a revoked
 * client.
 */
export interface TlsFixtures {
  readonly dir: string;
  readonly cafile: string;
  readonly crlfile: string;
  readonly otherCafile: string;
  readonly server: IdentityFiles;
  readonly client: IdentityFiles;
  readonly clientRsa: IdentityFiles;
  readonly otherCaClient: IdentityFiles;
  readonly expired: IdentityFiles;
  readonly notYetValid: IdentityFiles;
  readonly revoked: IdentityFiles;
  /** Serial of each identity above, by certificate file. */
  readonly serials: ReadonlyMap<string, string>;
  /** Issue another client certificate from the test CA (e.g. one about to expire). */
  issueClient(
    name: string,
    cn: string,
    validity?: { notBefore?: Date; notAfter?: Date },
  ): Promise<IdentityFiles>;
  /** Issue a device certificate for a CSR made elsewhere (e.g. signed inside a secure element). */
  issueFromCsr(name: string, csrDer: Uint8Array): Promise<string>;
  /** Rewrite `crlfile` with these serials revoked (a fresh CRL number each time). */
  writeCrl(serials: readonly string[]): Promise<void>;
}

export async function makeTlsFixtures(dir: string): Promise<TlsFixtures> {
  const ca = await createRootCa({ subject: { O: 'mqtts-lab test', CN: 'Test CA' } });
  const other = await createRootCa({ subject: { O: 'elsewhere', CN: 'Other CA' } });
  const cafile = put(dir, 'ca.crt', certificateToPem(ca.certificate.der));
  const otherCafile = put(dir, 'other-ca.crt', certificateToPem(other.certificate.der));
  const now = Date.now();
  const server = await identity(dir, 'server', ca, 'broker', 'localhost', 'rsa-2048');
  const client = await identity(dir, 'client', ca, 'device', 'm5go-01', 'p256');
  const clientRsa = await identity(dir, 'client-rsa', ca, 'device', 'm5stack-01', 'rsa-2048');
  const otherCaClient = await identity(dir, 'other-client', other, 'device', 'm5go-01', 'p256');
  const expired = await identity(dir, 'expired', ca, 'device', 'm5go-expired', 'p256', {
    notBefore: new Date(now - 30 * DAY),
    notAfter: new Date(now - DAY),
  });
  const notYetValid = await identity(dir, 'future', ca, 'device', 'm5go-future', 'p256', {
    notBefore: new Date(now + DAY),
    notAfter: new Date(now + 30 * DAY),
  });
  const revokedId = await identity(dir, 'revoked', ca, 'device', 'm5go-revoked', 'p256');
  let crlNumber = 0;
  const crlPath = join(dir, 'crl.pem');
  const writeCrl = async (serials: readonly string[]) => {
    const der = await signCrl(
      {
        issuer: ca.certificate.subject,
        issuerKeyId: ca.certificate.extensions.subjectKeyId,
        crlNumber: ++crlNumber,
        thisUpdate: new Date(Date.now() - DAY),
        nextUpdate: new Date(Date.now() + 7 * DAY),
        entries: serials.map((serial) => ({
          serial,
          revokedAt: new Date(Date.now() - DAY),
          reason: 'keyCompromise',
        })),
      },
      ca.signer,
    );
    writeFileSync(crlPath, crlToPem(der), { mode: 0o600 });
  };
  await writeCrl([revokedId.serial]);
  const crlfile = crlPath;
  const serials = new Map(
    [client, clientRsa, otherCaClient, expired, notYetValid, revokedId].map((i) => [i.cert, i.serial]),
  );
  return {
    dir,
    cafile,
    crlfile,
    otherCafile,
    server,
    client,
    clientRsa,
    otherCaClient,
    expired,
    notYetValid,
    revoked: revokedId,
    serials,
    issueClient: (name, cn, validity = {}) => identity(dir, name, ca, 'device', cn, 'p256', validity),
    issueFromCsr: async (name, csrDer) => {
      const { certificate } = await issueCertificate({ ca, csr: parseCsr(csrDer), profile: PROFILES.device });
      return put(dir, `${name}.crt`, certificateToPem(certificate.der));
    },
    writeCrl,
  };
}

function put(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

async function identity(
  dir: string,
  name: string,
  ca: CreatedRootCa,
  profile: ProfileName,
  cn: string,
  keyType: KeyType,
  validity: { notBefore?: Date; notAfter?: Date } = {},
): Promise<IdentityFiles & { serial: string }> {
  const key = await generatePrivateKey(keyType);
  const csr = parseCsr(
    await createCsr({ subject: buildName({ O: 'mqtts-lab test', CN: cn }) }, keySigner(key)),
  );
  const { certificate } = await issueCertificate({ ca, csr, profile: PROFILES[profile], ...validity });
  return {
    cn,
    cert: put(dir, `${name}.crt`, certificateToPem(certificate.der)),
    key: put(dir, `${name}.key`, privateKeyToPem(key)),
    serial: certificate.serial,
  };
}
