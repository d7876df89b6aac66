/**
 * The lab's PKI for a run: the teacher's CA (as in the lab sheet), the broker's identity, the
 * two devices, and the identities an attacker may hold (another CA's certificate, a same-DN
 * fake root, expired, not-yet-valid, revoked, a device outside the ACL, the operator). Made
 * fresh for every run, never checked in; the files the broker reads are written 0600.
 */
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type Clock, systemClock } from '../core/clock.js';
import { writeFileAtomic } from '../core/fs.js';
import type { Rng } from '../core/rng.js';
import type { AttackerIdentities, PemIdentity } from '../attacks/target.js';
import {
  buildName,
  certificateToPem,
  createCsr,
  createRootCa,
  crlToPem,
  generatePrivateKey,
  issueCertificate,
  type KeyType,
  parseCsr,
  privateKeyToPem,
  PROFILES,
  type ProfileName,
  keySigner,
  signCrl,
} from '../pki/index.js';
import type { CreatedRootCa } from '../pki/ca.js';

const DAY = 86_400_000;
const CA_SUBJECT = { C: 'FR', O: 'Ciel Lab', OU: 'mqtts-lab', CN: 'Ciel Lab CA' } as const;

export interface LabPki {
  readonly dir: string;
  readonly caCertPem: string;
  /** Paths the broker's configuration names. */
  readonly files: {
    readonly cafile: string;
    readonly certfile: string;
    readonly keyfile: string;
    readonly crlfile: string;
  };
  readonly broker: PemIdentity;
  /** The publisher's identity when its key is made off-chip (Steps 2 and 3, as the seeds do). */
  readonly publisher: PemIdentity;
  readonly subscriber: PemIdentity;
  readonly attacker: AttackerIdentities;
  /** Issue a device certificate for a CSR made elsewhere (Step 4: signed inside the secure element). */
  issueFromCsr(csrDer: Uint8Array): Promise<string>;
}

export interface LabPkiOptions {
  readonly dir: string;
  readonly rng: Rng;
  readonly clock?: Clock;
  /** The lab sheet's student name: the broker's O="Ciel <name>", OU="iot <name>". */
  readonly student?: string;
}

export async function createLabPki(options: LabPkiOptions): Promise<LabPki> {
  const clock = options.clock ?? systemClock;
  const dir = options.dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const student = options.student ?? 'lab';
  const ca = await createRootCa({ subject: CA_SUBJECT, keyType: 'p256', clock, rng: options.rng });
  const other = await createRootCa({
    subject: { O: 'Elsewhere Ltd', CN: 'Elsewhere Root CA' },
    clock,
    rng: options.rng,
  });
  // RFC 5280 §6.1: a path is anchored by the trusted key, not by the name: this root has the
  // lab CA's exact subject and its own key.
  const fake = await createRootCa({ subject: CA_SUBJECT, clock, rng: options.rng });
  const now = clock.now().getTime();
  const issue = (
    issuer: CreatedRootCa,
    name: string,
    cn: string,
    profile: ProfileName,
    keyType: KeyType = 'p256',
    subject: Record<string, string> = { O: 'Ciel Lab', CN: cn },
    validity: { notBefore?: Date; notAfter?: Date } = {},
  ) => identity(issuer, name, cn, profile, keyType, subject, validity, clock, options.rng);

  const broker = await issue(ca, 'broker', 'localhost', 'broker', 'rsa-2048', {
    O: `Ciel ${student}`,
    OU: `iot ${student}`,
    CN: 'localhost',
  });
  const publisher = await issue(ca, 'm5go-01', 'm5go-01', 'device');
  const subscriber = await issue(ca, 'm5stack-01', 'm5stack-01', 'device');
  const revoked = await issue(ca, 'revoked', 'm5go-revoked', 'device');
  const attacker: AttackerIdentities = {
    otherCa: await issue(other, 'other-ca', 'm5go-01', 'device'),
    fakeRoot: await issue(fake, 'fake-root', 'm5go-01', 'device'),
    expired: await issue(ca, 'expired', 'm5go-expired', 'device', 'p256', undefined, {
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - DAY),
    }),
    notYetValid: await issue(ca, 'not-yet-valid', 'm5go-future', 'device', 'p256', undefined, {
      notBefore: new Date(now + DAY),
      notAfter: new Date(now + 30 * DAY),
    }),
    revoked,
    intruder: await issue(ca, 'intruder', 'm5go-99', 'device'),
    operator: await issue(ca, 'operator', 'lab-operator', 'device'),
  };
  const crlDer = await signCrl(
    {
      issuer: ca.certificate.subject,
      issuerKeyId: ca.certificate.extensions.subjectKeyId,
      crlNumber: 1,
      thisUpdate: new Date(now - DAY),
      nextUpdate: new Date(now + 7 * DAY),
      entries: [{ serial: revoked.serial, revokedAt: new Date(now - DAY), reason: 'keyCompromise' }],
    },
    ca.signer,
  );

  const caCertPem = certificateToPem(ca.certificate.der);
  const put = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileAtomic(path, text, { mode: 0o600, overwrite: true });
    return path;
  };
  const files = {
    cafile: put('ca.crt', caCertPem),
    certfile: put('broker.crt', broker.certPem),
    keyfile: put('broker.key', broker.keyPem),
    crlfile: put('crl.pem', crlToPem(crlDer)),
  };
  for (const id of [publisher, subscriber]) {
    put(`${id.name}.crt`, id.certPem);
    put(`${id.name}.key`, id.keyPem);
  }
  return {
    dir,
    caCertPem,
    files,
    broker,
    publisher,
    subscriber,
    attacker,
    issueFromCsr: async (csrDer) => {
      const { certificate } = await issueCertificate({
        ca,
        csr: parseCsr(csrDer),
        profile: PROFILES.device,
        clock,
        rng: options.rng,
      });
      return certificateToPem(certificate.der);
    },
  };
}

async function identity(
  ca: CreatedRootCa,
  name: string,
  cn: string,
  profile: ProfileName,
  keyType: KeyType,
  subject: Record<string, string>,
  validity: { notBefore?: Date; notAfter?: Date },
  clock: Clock,
  rng: Rng,
): Promise<PemIdentity & { serial: string }> {
  const key: KeyObject = await generatePrivateKey(keyType);
  const csr = parseCsr(await createCsr({ subject: buildName(subject) }, keySigner(key)));
  const { certificate } = await issueCertificate({
    ca,
    csr,
    profile: PROFILES[profile],
    clock,
    rng,
    ...validity,
  });
  return {
    name,
    cn,
    certPem: certificateToPem(certificate.der),
    keyPem: privateKeyToPem(key),
    serial: certificate.serial,
  };
}
