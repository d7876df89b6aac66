import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRootCa, type CreatedRootCa, issueCertificate } from '../../../src/pki/ca.js';
import { certificateToPem, parseCertificate } from '../../../src/pki/certificate.js';
import { createCsr, parseCsr } from '../../../src/pki/csr.js';
import type { SanEntry } from '../../../src/pki/extensions.js';
import { generatePrivateKey, type KeyType, loadPrivateKey, privateKeyToPem } from '../../../src/pki/keys.js';
import { buildName } from '../../../src/pki/names.js';
import { PROFILES } from '../../../src/pki/profiles.js';
import { keySigner, rsaPssSigner, type Signer } from '../../../src/pki/signer.js';
import type { IdentityFiles, TlsFixtures } from '../../helpers/tls-fixtures.js';
import { makeTlsFixtures } from '../../helpers/tls-fixtures.js';

const DAY = 86_400_000;

/** What our client is configured with: a chain and a signer (a key, or a "secure element"). */
export interface ClientCredentials {
  readonly certificateChain: Uint8Array[];
  readonly signer: Signer;
}

/**
 * The shared mTLS fixtures (lab CA, RSA broker for localhost/127.0.0.1, P-256 and RSA devices)
 * plus what the client tests add: a second CA with an ECDSA broker certificate and the
 * negative server cells (expired, other host name), and a P-256 key that is not the device's.
 */
export interface ClientFixtures {
  readonly fx: TlsFixtures;
  /** DER of the lab CA (issuer of fx.server and the devices). */
  readonly labCa: Uint8Array;
  /** DER of the CA that issued the ECDSA broker certificates below. */
  readonly serversCa: Uint8Array;
  readonly serversCafile: string;
  readonly ecServer: IdentityFiles;
  readonly expiredServer: IdentityFiles;
  readonly wrongHostServer: IdentityFiles;
  readonly device: ClientCredentials;
  readonly deviceRsa: ClientCredentials;
  /** The RSA device signing CertificateVerify with RSASSA-PSS (rsa_pss_rsae_sha256). */
  readonly deviceRsaPss: ClientCredentials;
  /** The device's certificate with a signer whose key is another one: the wrong secure element. */
  readonly wrongSecureElement: ClientCredentials;
}

export async function makeClientFixtures(dir: string): Promise<ClientFixtures> {
  const fx = await makeTlsFixtures(dir);
  const ca = await createRootCa({ subject: { O: 'mqtts-lab test', CN: 'Test Servers CA' } });
  const serversCafile = join(dir, 'servers-ca.crt');
  writeFileSync(serversCafile, certificateToPem(ca.certificate.der), { mode: 0o600 });
  const now = Date.now();
  const [ecServer, expiredServer, wrongHostServer] = await Promise.all([
    broker(dir, ca, 'ec-server', 'localhost', 'p256'),
    broker(dir, ca, 'expired-server', 'localhost', 'p256', {
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - DAY),
    }),
    broker(dir, ca, 'wrong-host-server', 'broker.elsewhere', 'p256', {}, [
      { type: 'dns', value: 'broker.elsewhere' },
    ]),
  ]);
  const der = (file: string) => parseCertificate(readFileSync(file)).der;
  const key = (file: string) => loadPrivateKey(readFileSync(file, 'utf8'), file);
  return {
    fx,
    labCa: der(fx.cafile),
    serversCa: ca.certificate.der,
    serversCafile,
    ecServer,
    expiredServer,
    wrongHostServer,
    device: { certificateChain: [der(fx.client.cert)], signer: keySigner(key(fx.client.key)) },
    deviceRsa: { certificateChain: [der(fx.clientRsa.cert)], signer: keySigner(key(fx.clientRsa.key)) },
    deviceRsaPss: {
      certificateChain: [der(fx.clientRsa.cert)],
      signer: rsaPssSigner(key(fx.clientRsa.key)),
    },
    wrongSecureElement: {
      certificateChain: [der(fx.client.cert)],
      signer: keySigner(await generatePrivateKey('p256')),
    },
  };
}

async function broker(
  dir: string,
  ca: CreatedRootCa,
  name: string,
  cn: string,
  keyType: KeyType,
  validity: { notBefore?: Date; notAfter?: Date } = {},
  sans: readonly SanEntry[] = [],
): Promise<IdentityFiles> {
  const k = await generatePrivateKey(keyType);
  const csr = parseCsr(
    await createCsr({ subject: buildName({ O: 'mqtts-lab test', CN: cn }) }, keySigner(k)),
  );
  const { certificate } = await issueCertificate({ ca, csr, profile: PROFILES.broker, sans, ...validity });
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, certificateToPem(certificate.der), { mode: 0o600 });
  writeFileSync(key, privateKeyToPem(k), { mode: 0o600 });
  return { cert, key, cn };
}
