import type { Clock } from '../../core/clock.js';
import { clockSchema, parseOptions, rngSchema, z } from '../../core/options.js';
import { type Rng, systemRng } from '../../core/rng.js';
import { systemClock } from '../../core/clock.js';
import { SIGNATURE_ALGORITHMS } from '../../pki/algorithms.js';
import { type ParsedCertificate, parseCertificateDer } from '../../pki/certificate.js';
import { isHostReference, referenceIdentity } from '../../pki/hostname.js';
import type { Signer } from '../../pki/signer.js';
import { CIPHER_SUITE_NAMES, CIPHER_SUITES, type CipherSuiteName } from './cipher-suites.js';
import { GROUP_IDS, GROUP_NAMES, type GroupName } from './key-share.js';
import { SIGNATURE_SCHEMES } from './signature-schemes.js';

export interface Tls12ClientOptions {
  /**
   * The host the client means to reach (DNS name or IP literal). Sent as SNI when it is a DNS
   * name (RFC 6066 §3 forbids IP literals there) and always checked against the server
   * certificate (RFC 6125). Required unless `rejectUnauthorized` is false.
   */
  readonly serverName?: string;
  /** The CAs the server's chain must lead to (DER or parsed). Required unless `rejectUnauthorized` is false. */
  readonly trustAnchors?: readonly (Uint8Array | ParsedCertificate)[];
  /** Our DER chain, leaf first, sent when the server asks (CertificateRequest). Needs `signer`. */
  readonly certificateChain?: readonly Uint8Array[];
  /** Signs CertificateVerify. Deliberately NOT checked against the certificate's key (docs/tls-client.md). */
  readonly signer?: Signer;
  /** Lab use only: `false` accepts a server chain that fails validation (the failures are still reported). */
  readonly rejectUnauthorized?: boolean;
  readonly clock?: Clock;
  /** Client random and ephemeral keys; a SeededRng makes a lab run replayable. */
  readonly rng?: Rng;
  /** NSS key log lines (`CLIENT_RANDOM <hex> <hex>`) for Wireshark; nothing is logged without it. */
  readonly keylog?: (line: string) => void;
  readonly cipherSuites?: readonly CipherSuiteName[];
  readonly groups?: readonly GroupName[];
  /** Abort when the server does not echo extended_master_secret (RFC 7627 §5.3). Default false. */
  readonly requireExtendedMasterSecret?: boolean;
}

/** The validated, frozen settings a connection runs on. */
export interface ClientSettings {
  readonly serverName: string | undefined;
  /** DNS name for SNI, undefined for an IP literal or no name. */
  readonly sniName: string | undefined;
  readonly anchors: readonly ParsedCertificate[];
  readonly certificateChain: readonly Uint8Array[];
  readonly signer: Signer | undefined;
  readonly rejectUnauthorized: boolean;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly keylog: ((line: string) => void) | undefined;
  readonly suites: readonly number[];
  readonly groups: readonly GroupName[];
  readonly groupIds: readonly number[];
  readonly signatureSchemes: readonly number[];
  readonly requireExtendedMasterSecret: boolean;
}

const bytes = z.instanceof(Uint8Array);
const signerSchema = z.custom<Signer>(
  (v) =>
    typeof (v as Signer | undefined)?.sign === 'function' &&
    (v as Signer).publicKeyInfo instanceof Uint8Array &&
    Object.hasOwn(SIGNATURE_ALGORITHMS, (v as Signer).signatureAlgorithm),
  'expected a Signer (sign, publicKeyInfo, signatureAlgorithm)',
);
const parsedCertificate = z.custom<ParsedCertificate>(
  (v) =>
    typeof v === 'object' && v !== null && (v as ParsedCertificate).der instanceof Uint8Array && 'spki' in v,
  'expected a DER or parsed certificate',
);
const unique = <T>(a: readonly T[]) => new Set(a).size === a.length;

const SCHEMA = z
  .strictObject({
    serverName: z.string().refine(isHostReference, 'expected a DNS name or an IP address').optional(),
    trustAnchors: z.array(z.union([bytes, parsedCertificate])).optional(),
    certificateChain: z
      .array(bytes.refine((b) => b.length > 0 && b.length <= 0xffffff))
      .max(16)
      .optional(),
    signer: signerSchema.optional(),
    rejectUnauthorized: z.boolean().optional(),
    clock: clockSchema.optional(),
    rng: rngSchema.optional(),
    keylog: z
      .custom<(line: string) => void>((v) => typeof v === 'function', 'expected a function')
      .optional(),
    cipherSuites: z
      .array(z.enum(CIPHER_SUITE_NAMES))
      .min(1)
      .refine(unique, 'repeated cipher suite')
      .optional(),
    groups: z.array(z.enum(GROUP_NAMES)).min(1).refine(unique, 'repeated group').optional(),
    requireExtendedMasterSecret: z.boolean().optional(),
  })
  .superRefine((o, ctx) => {
    const strict = o.rejectUnauthorized !== false;
    if (strict && (o.trustAnchors ?? []).length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['trustAnchors'],
        message: 'required unless rejectUnauthorized is false',
      });
    if (strict && o.serverName === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['serverName'],
        message: 'required unless rejectUnauthorized is false',
      });
    if ((o.certificateChain ?? []).length > 0 && o.signer === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['signer'],
        message: 'a certificateChain needs a signer for CertificateVerify',
      });
    if (o.signer !== undefined && (o.certificateChain ?? []).length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['certificateChain'],
        message: 'a signer needs the certificate chain it signs for',
      });
  });

export function resolveOptions(options: Tls12ClientOptions, where = 'Tls12ClientConnection'): ClientSettings {
  const o = parseOptions(SCHEMA, options, where);
  const groups = o.groups ?? GROUP_NAMES;
  const name = o.serverName;
  return Object.freeze({
    serverName: name,
    sniName: name !== undefined && referenceIdentity(name).type === 'dns' ? name : undefined,
    anchors: Object.freeze(
      (o.trustAnchors ?? []).map((a, i) =>
        a instanceof Uint8Array ? parseCertificateDer(a, `trust anchor ${i}`) : a,
      ),
    ),
    certificateChain: Object.freeze([...(o.certificateChain ?? [])]),
    signer: o.signer,
    rejectUnauthorized: o.rejectUnauthorized !== false,
    clock: o.clock ?? systemClock,
    rng: o.rng ?? systemRng,
    keylog: o.keylog,
    suites: Object.freeze((o.cipherSuites ?? CIPHER_SUITE_NAMES).map((n) => CIPHER_SUITES[n].id)),
    groups: Object.freeze([...groups]),
    groupIds: Object.freeze(groups.map((g) => GROUP_IDS[g])),
    signatureSchemes: Object.freeze(SIGNATURE_SCHEMES.map((s) => s.id)),
    requireExtendedMasterSecret: o.requireExtendedMasterSecret === true,
  });
}
