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
import {
  TLS13_CIPHER_SUITE_NAMES,
  TLS13_CIPHER_SUITES,
  type Tls13CipherSuiteName,
} from './tls13/cipher-suites.js';

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

export type TlsVersion = '1.2' | '1.3';

/** The general client (TlsClientConnection): the TLS 1.2 options plus the version choice. */
export interface TlsClientOptions extends Tls12ClientOptions {
  /** Versions offered; default both, TLS 1.3 preferred (RFC 8446 §4.2.1 supported_versions). */
  readonly versions?: readonly TlsVersion[];
  /** TLS 1.3 suites (RFC 8446 §B.4) in our order of preference; default all three. */
  readonly tls13CipherSuites?: readonly Tls13CipherSuiteName[];
  /** ALPN protocol names (RFC 7301), e.g. 'mqtt'; none offered by default. */
  readonly alpnProtocols?: readonly string[];
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
  /** Offered versions, highest first; ['1.2'] for Tls12ClientConnection. */
  readonly versions: readonly TlsVersion[];
  readonly tls13Suites: readonly number[];
  readonly alpn: readonly string[];
}

const bytes = z.instanceof(Uint8Array);
const signerSchema = z.custom<Signer>(
  (v) =>
    typeof (v as Signer | undefined)?.sign === 'function' &&
    (v as Signer).publicKeyInfo instanceof Uint8Array &&
    Object.hasOwn(SIGNATURE_ALGORITHMS, (v as Signer).signatureAlgorithm) &&
    ((v as Signer).rsaPadding === undefined ||
      ((v as Signer).rsaPadding === 'pss' && (v as Signer).signatureAlgorithm.endsWith('WithRSAEncryption'))),
  'expected a Signer (sign, publicKeyInfo, signatureAlgorithm, optional rsaPadding "pss" for RSA)',
);
const parsedCertificate = z.custom<ParsedCertificate>(
  (v) =>
    typeof v === 'object' && v !== null && (v as ParsedCertificate).der instanceof Uint8Array && 'spki' in v,
  'expected a DER or parsed certificate',
);
const unique = <T>(a: readonly T[]) => new Set(a).size === a.length;

const FIELDS = {
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
  keylog: z.custom<(line: string) => void>((v) => typeof v === 'function', 'expected a function').optional(),
  cipherSuites: z.array(z.enum(CIPHER_SUITE_NAMES)).min(1).refine(unique, 'repeated cipher suite').optional(),
  groups: z.array(z.enum(GROUP_NAMES)).min(1).refine(unique, 'repeated group').optional(),
  requireExtendedMasterSecret: z.boolean().optional(),
};

type BaseOptions = z.infer<z.ZodObject<typeof FIELDS>>;

function crossCheck(o: BaseOptions, ctx: z.RefinementCtx): void {
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
}

const SCHEMA = z.strictObject(FIELDS).superRefine(crossCheck);

// RFC 7301 §3.1: ProtocolName<1..2^8-1>, in printable ASCII here (what brokers use: "mqtt").
const alpnName = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'expected 1-255 printable ASCII characters');

const GENERAL_SCHEMA = z
  .strictObject({
    ...FIELDS,
    versions: z
      .array(z.enum(['1.2', '1.3']))
      .min(1)
      .refine(unique, 'repeated version')
      .optional(),
    tls13CipherSuites: z
      .array(z.enum(TLS13_CIPHER_SUITE_NAMES))
      .min(1)
      .refine(unique, 'repeated cipher suite')
      .optional(),
    alpnProtocols: z.array(alpnName).min(1).max(16).refine(unique, 'repeated protocol').optional(),
  })
  .superRefine(crossCheck);

export function resolveOptions(options: Tls12ClientOptions, where = 'Tls12ClientConnection'): ClientSettings {
  return settingsFrom(parseOptions(SCHEMA, options, where), {});
}

/** The general client's options: both versions by default, TLS 1.3 first. */
export function resolveClientOptions(
  options: TlsClientOptions,
  where = 'TlsClientConnection',
): ClientSettings {
  const { versions, tls13CipherSuites, alpnProtocols, ...rest } = parseOptions(
    GENERAL_SCHEMA,
    options,
    where,
  );
  return settingsFrom(rest, { versions: versions ?? ['1.3', '1.2'], tls13CipherSuites, alpnProtocols });
}

function settingsFrom(
  o: BaseOptions,
  g: {
    versions?: readonly TlsVersion[] | undefined;
    tls13CipherSuites?: readonly Tls13CipherSuiteName[] | undefined;
    alpnProtocols?: readonly string[] | undefined;
  },
): ClientSettings {
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
    // Highest first whatever the order given: RFC 8446 §4.2.1 lists versions by preference.
    versions: Object.freeze(
      g.versions
        ? (['1.3', '1.2'] as const).filter((v) => g.versions!.includes(v))
        : (['1.2'] as TlsVersion[]),
    ),
    tls13Suites: Object.freeze(
      (g.tls13CipherSuites ?? TLS13_CIPHER_SUITE_NAMES).map((n) => TLS13_CIPHER_SUITES[n].id),
    ),
    alpn: Object.freeze([...(g.alpnProtocols ?? [])]),
  });
}
