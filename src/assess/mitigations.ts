/**
 * Residual risks — attack cases that succeeded somewhere in the run — and a concrete mitigation
 * for each. The finding's own mitigation wins (its author saw the evidence); the catalog below
 * covers findings that carry none.
 */
import type { Finding, StepNumber, StrideCategory, Text } from '../core/findings.js';
import { caseOf, type LabRunResult, stepsThatRan } from './types.js';

export interface ResidualRisk {
  /** The attack case, e.g. `i2c/read-slot8`. */
  readonly case: string;
  readonly title: Text;
  /** Every category the succeeded findings speak to, primary ones first. */
  readonly stride: readonly StrideCategory[];
  /** Steps where the case succeeded, ascending. */
  readonly steps: readonly StepNumber[];
  /** The succeeded findings, latest step first. */
  readonly findingIds: readonly string[];
  /** Still open in the last step that ran: the risks a deployment of that design carries. */
  readonly inLastStep: boolean;
  readonly mitigation: Text;
  readonly mitigationSource: 'finding' | 'catalog' | 'none';
}

const SLOT0: Text = {
  en: 'Generate the key inside the chip in slot 0 (GenKey) and sign there (Sign for the TLS CertificateVerify, as in Step 4): the private key never crosses the I2C bus, never reaches the MCU’s RAM, and slot 0 can be neither read nor written.',
  fr: 'Générer la clé dans la puce, slot 0 (GenKey), et signer dans la puce (Sign pour le CertificateVerify TLS, comme à l’étape 4) : la clé privée ne traverse jamais le bus I2C, n’atteint jamais la RAM du MCU, et le slot 0 n’est ni lisible ni inscriptible.',
};

/** Longest match first: an exact case, or an attack prefix ending in "/". */
const CATALOG: ReadonlyArray<readonly [string, Text]> = [
  [
    'sniff/identity',
    {
      en: 'Use TLS 1.3 (Mosquitto: tls_version tlsv1.3): the Certificate message is encrypted, so the device identity no longer crosses the wire in clear.',
      fr: 'Passer en TLS 1.3 (Mosquitto : tls_version tlsv1.3) : le message Certificate y est chiffré, l’identité du dispositif ne circule plus en clair.',
    },
  ],
  [
    'sniff/traffic-analysis',
    {
      en: 'Pad readings to a fixed size and publish on a fixed schedule (or in batches), so record lengths and timing stop revealing what the device does.',
      fr: 'Bourrer les mesures à une taille fixe et publier à intervalle fixe (ou par lots), pour que longueurs et instants d’envoi ne révèlent plus l’activité du dispositif.',
    },
  ],
  [
    'sniff/',
    {
      en: 'Encrypt the channel: MQTT over mutual TLS on port 8883 (Step 2).',
      fr: 'Chiffrer le canal : MQTT sur TLS mutuel, port 8883 (étape 2).',
    },
  ],
  [
    'cert/',
    {
      en: 'Mutual TLS: require_certificate true, use_identity_as_username true, allow_anonymous false, with the lab CA as cafile — the broker then refuses any client without a certificate it issued.',
      fr: 'TLS mutuel : require_certificate true, use_identity_as_username true, allow_anonymous false, avec la CA du lab en cafile — le broker refuse alors tout client sans certificat émis par elle.',
    },
  ],
  [
    'tamper/',
    {
      en: 'Mutual TLS: authenticated encryption (AES-GCM) detects a modified record and ends the session.',
      fr: 'TLS mutuel : le chiffrement authentifié (AES-GCM) détecte un enregistrement modifié et met fin à la session.',
    },
  ],
  [
    'replay/',
    {
      en: 'Mutual TLS: record sequence numbers make a replayed record fail; above TLS, put a counter or timestamp in signed readings.',
      fr: 'TLS mutuel : les numéros de séquence des enregistrements font échouer un rejeu ; au-dessus de TLS, inclure un compteur ou un horodatage dans des mesures signées.',
    },
  ],
  [
    'acl/',
    {
      en: 'An ACL per identity (acl_file with use_identity_as_username): each device may write only its own topics, everything else is denied.',
      fr: 'Une ACL par identité (acl_file avec use_identity_as_username) : chaque dispositif n’écrit que sur ses propres topics, tout le reste est refusé.',
    },
  ],
  [
    'flash-dump/',
    {
      en: 'Keep no key in flash (secure element, slot 0), and enable ESP32 flash encryption and secure boot v2 so a dump yields only ciphertext.',
      fr: 'Ne garder aucune clé en flash (Secure Element, slot 0), et activer le chiffrement de la flash et le Secure Boot v2 de l’ESP32 : un dump ne livre que du chiffré.',
    },
  ],
  [
    'tls/',
    {
      en: 'Pin the protocol: tls_version tlsv1.2 (or tlsv1.3) on the broker and the device, so TLS 1.0 and 1.1 (deprecated by RFC 8996) are refused.',
      fr: 'Fixer le protocole : tls_version tlsv1.2 (ou tlsv1.3) côté broker et dispositif, pour refuser TLS 1.0 et 1.1 (dépréciés par la RFC 8996).',
    },
  ],
  [
    'dos/',
    {
      en: 'Bound what one peer can hold: max_connections, a short handshake and CONNECT timeout, per-address connection limits at the firewall.',
      fr: 'Borner ce qu’un pair peut retenir : max_connections, un délai court pour le handshake et le CONNECT, une limite de connexions par adresse au pare-feu.',
    },
  ],
  ['i2c/', SLOT0],
  [
    'ram/',
    {
      en: `${SLOT0.en} Until then, zeroize key buffers right after the handshake and enable secure boot so no other firmware can read RAM.`,
      fr: `${SLOT0.fr} D’ici là, remettre à zéro les buffers de clé juste après le handshake et activer le Secure Boot pour qu’aucun autre firmware ne lise la RAM.`,
    },
  ],
  [
    'repudiation/',
    {
      en: 'Sign each reading inside the chip and verify the signature at the subscriber: TLS authenticates a connection to the broker, not a reading to whoever consumes it.',
      fr: 'Signer chaque mesure dans la puce et vérifier la signature chez l’abonné : TLS authentifie une connexion auprès du broker, pas une mesure auprès de qui la consomme.',
    },
  ],
];

export function catalogMitigation(caseName: string): Text | undefined {
  const hit = CATALOG.find(([key]) => (key.endsWith('/') ? caseName.startsWith(key) : caseName === key));
  return hit?.[1];
}

const NONE: Text = {
  en: 'No mitigation is recorded for this case; see its evidence.',
  fr: 'Aucune parade n’est enregistrée pour ce cas ; voir ses preuves.',
};

export function residualRisks(result: LabRunResult): ResidualRisk[] {
  const last = stepsThatRan(result).at(-1)?.step;
  const byCase = new Map<string, Finding[]>();
  for (const f of result.findings) {
    if (f.outcome !== 'succeeded') continue;
    const list = byCase.get(caseOf(f.id)) ?? [];
    byCase.set(caseOf(f.id), [...list, f]);
  }
  const risks = [...byCase].map(([name, found]): ResidualRisk => {
    const latest = [...found].sort((a, b) => b.step - a.step);
    const own = latest.find((f) => f.mitigation !== undefined)?.mitigation;
    const listed = catalogMitigation(name);
    return {
      case: name,
      title: latest[0]!.title,
      stride: [...new Set(latest.flatMap((f) => f.stride))],
      steps: [...new Set(found.map((f) => f.step))].sort((a, b) => a - b),
      findingIds: latest.map((f) => f.id),
      inLastStep: found.some((f) => f.step === last),
      mitigation: own ?? listed ?? NONE,
      mitigationSource: own ? 'finding' : listed ? 'catalog' : 'none',
    };
  });
  // Risks still open at the end come first, then the most recent; ties keep the attacks' order.
  return risks.sort(
    (a, b) => Number(b.inLastStep) - Number(a.inLastStep) || b.steps.at(-1)! - a.steps.at(-1)!,
  );
}
