import { isIP } from 'node:net';
import { LabError } from '../core/errors.js';
import { isDnsName, type KeyUsageName, OID, type SanEntry } from './extensions.js';

export const PROFILE_NAMES = ['ca', 'intermediate', 'broker', 'device'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface Profile {
  readonly name: ProfileName;
  readonly ca: boolean;
  /** basicConstraints pathLenConstraint for CA profiles (RFC 5280 §4.2.1.9). */
  readonly pathLen?: number;
  readonly extKeyUsage: readonly string[];
  readonly defaultDays: number;
  /** What the profile is for, shown in help. */
  readonly summary: string;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = Object.freeze({
  ca: { name: 'ca', ca: true, extKeyUsage: [], defaultDays: 3650, summary: 'self-signed root CA' },
  intermediate: {
    name: 'intermediate',
    ca: true,
    pathLen: 0,
    extKeyUsage: [],
    defaultDays: 1825,
    summary: 'subordinate CA that may sign only end-entity certificates (pathlen 0)',
  },
  broker: {
    name: 'broker',
    ca: false,
    extKeyUsage: [OID.serverAuth],
    defaultDays: 365,
    summary: 'MQTT broker TLS server: serverAuth, SAN from CN plus localhost/127.0.0.1/::1 when none asked',
  },
  device: {
    name: 'device',
    ca: false,
    extKeyUsage: [OID.clientAuth],
    defaultDays: 365,
    summary: 'device / MQTT client: clientAuth',
  },
});

export function getProfile(name: string): Profile {
  const p = (PROFILES as Record<string, Profile>)[name];
  if (!p) {
    throw new LabError(
      'ERR_PKI_PROFILE_UNKNOWN',
      `unknown profile "${name}" (use ${PROFILE_NAMES.join(', ')})`,
      {
        details: { profile: name },
      },
    );
  }
  return p;
}

/**
 * Key usage bits by profile and key algorithm. CAs: keyCertSign + cRLSign (RFC 5280 §4.2.1.3).
 * TLS end entities: digitalSignature; RSA keys also keyEncipherment, which TLS 1.2 RSA key
 * transport needs (RFC 5246 §7.4.2).
 */
export function keyUsageFor(profile: Profile, keyAlgorithm: 'rsa' | 'ec'): KeyUsageName[] {
  if (profile.ca) return ['digitalSignature', 'keyCertSign', 'cRLSign'];
  return keyAlgorithm === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
}

/**
 * The SANs a certificate gets: what was asked (CSR extensionRequest and --san), and for a
 * broker its CN. Clients check the SAN, not the CN (RFC 6125 §6.4.4), so a broker certificate
 * made from the lab sheet's CSR (CN = hostname, no SAN) would otherwise fail every modern
 * client. A broker with no SAN asked also gets localhost, 127.0.0.1 and ::1, because the lab
 * runs everything on one machine.
 */
export function sansFor(
  profile: Profile,
  cn: string | undefined,
  requested: readonly SanEntry[],
): SanEntry[] {
  const out: SanEntry[] = [];
  const add = (e: SanEntry) => {
    if (!out.some((x) => x.type === e.type && x.value.toLowerCase() === e.value.toLowerCase())) out.push(e);
  };
  if (profile.name === 'broker' && cn) {
    if (isIP(cn)) add({ type: 'ip', value: cn });
    else if (isDnsName(cn)) add({ type: 'dns', value: cn.toLowerCase() });
  }
  for (const e of requested) add(e);
  if (profile.name === 'broker' && requested.length === 0) {
    add({ type: 'dns', value: 'localhost' });
    add({ type: 'ip', value: '127.0.0.1' });
    add({ type: 'ip', value: '::1' });
  }
  return out;
}
