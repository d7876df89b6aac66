/**
 * The seeds' own security claims (shared/seeds/, French), each checked against the findings of
 * the run. The finding ids read here are the contract with the attack authors; a claim whose
 * findings are absent is "unchecked", never assumed to hold.
 */
import type { Finding, Text } from '../core/findings.js';
import { allBlocked, type ClaimCheck, succeeded } from './claim-checks.js';
import { checkCoverage, checkOpaque, checkRepudiation } from './claim-rules.js';

export type { ClaimCheck, Verdict } from './claim-checks.js';

export interface ClaimSource {
  /** The seed file in shared/seeds/. */
  readonly file: string;
  /** Where in the document (its section). */
  readonly where: Text;
  /** Verbatim French, at most 15 words. */
  readonly quote: string;
}

export interface Claim {
  readonly id: string;
  readonly source: ClaimSource;
  readonly claim: Text;
  check(findings: readonly Finding[]): ClaimCheck;
}

export interface ClaimResult extends ClaimCheck {
  readonly id: string;
  readonly source: ClaimSource;
  readonly claim: Text;
}

const STEP2 = '000_6d254ff295d2c054.txt';
const STEP3 = '001_cda0cbf0e4475cca.txt';

export const SEED_CLAIMS: readonly Claim[] = [
  {
    id: 'step2-opaque',
    source: {
      file: STEP2,
      where: { en: 'Step 2, STRIDE, Information disclosure', fr: 'Étape 2, STRIDE, Divulgation d’info' },
      quote: 'Toute interception ne révèle que du texte chiffré aléatoire.',
    },
    claim: {
      en: 'Under mutual TLS an eavesdropper sees only random ciphertext: nothing of the exchange is discernible.',
      fr: 'Sous TLS mutuel, une écoute ne voit que du chiffré aléatoire : rien de l’échange n’est discernable.',
    },
    check: checkOpaque,
  },
  {
    id: 'step3-complete-coverage',
    source: {
      file: STEP3,
      where: { en: 'Step 3, STRIDE analysis', fr: 'Étape 3, analyse STRIDE' },
      quote: "Avec l'implémentation du Secure Element, nous obtenons une Couverture Complète.",
    },
    claim: {
      en: 'With the secure element, all six STRIDE categories are covered.',
      fr: 'Avec le Secure Element, les six catégories STRIDE sont couvertes.',
    },
    check: checkCoverage,
  },
  {
    id: 'step3-key-protected',
    source: {
      file: STEP3,
      where: { en: 'Step 3, authentication pipeline', fr: 'Étape 3, pipeline d’authentification' },
      quote: 'La clé privée est hébergée dans le coffre-fort matériel (Slot 8)',
    },
    claim: {
      en: 'The private key in slot 8 of the secure element cannot be read, sniffed or replaced.',
      fr: 'La clé privée du slot 8 du Secure Element ne peut être ni lue, ni écoutée, ni remplacée.',
    },
    check: (findings) =>
      allBlocked(findings, ['i2c/read-slot8@3', 'i2c/sniff-boot@3', 'i2c/overwrite-slot8@3'], {
        fails: {
          en: 'The slot 8 key is exposed on the I2C bus.',
          fr: 'La clé du slot 8 est exposée sur le bus I2C.',
        },
        holds: {
          en: 'The I2C attacks on slot 8 were blocked.',
          fr: 'Les attaques I2C sur le slot 8 ont été bloquées.',
        },
      }),
  },
  {
    id: 'step3-wrong-se',
    source: {
      file: STEP3,
      where: { en: 'Step 3, live check 2 (cloning)', fr: 'Étape 3, vérification 2 (clonabilité)' },
      quote: 'Le broker renvoie bad signature et ferme le socket.',
    },
    claim: {
      en: 'A device with the wrong secure element is rejected by the broker.',
      fr: 'Un dispositif muni du mauvais Secure Element est rejeté par le broker.',
    },
    check: (findings) =>
      allBlocked(findings, ['se/wrong@3'], {
        fails: { en: 'The wrong secure element got through.', fr: 'Le mauvais Secure Element est passé.' },
        holds: { en: 'The broker rejected it.', fr: 'Le broker l’a rejeté.' },
      }),
  },
  {
    id: 'step3-unplugged',
    source: {
      file: STEP3,
      where: {
        en: 'Step 3, live check 1 (physical tampering)',
        fr: 'Étape 3, vérification 1 (falsification physique)',
      },
      quote: 'le dispositif refuse de poursuivre, empêchant toute connectivité réseau.',
    },
    claim: {
      en: 'Without its secure element the device halts and never reaches the network.',
      fr: 'Sans son Secure Element, le dispositif s’arrête et n’accède jamais au réseau.',
    },
    check: (findings) =>
      allBlocked(findings, ['se/unplugged@3'], {
        fails: {
          en: 'The device went on without its secure element.',
          fr: 'Le dispositif a continué sans son Secure Element.',
        },
        holds: { en: 'The device halted.', fr: 'Le dispositif s’est arrêté.' },
      }),
  },
  {
    id: 'step3-ram',
    source: {
      file: STEP3,
      where: { en: 'Step 3, limitations (RAM exposure)', fr: 'Étape 3, limitations (exposition RAM)' },
      quote: "elle existe brièvement dans la RAM de l'ESP32 durant la séquence de démarrage",
    },
    claim: {
      en: 'The key is in RAM only briefly, during boot: RAM extraction is a theoretical risk.',
      fr: 'La clé n’est en RAM que brièvement, au démarrage : l’extraction RAM est un risque théorique.',
    },
    check: (findings) =>
      allBlocked(findings, ['ram/key-after-boot@3'], {
        fails: {
          en: 'The seed’s own limitation is confirmed: the key is still in RAM after boot.',
          fr: 'La limitation signalée par le document est confirmée : la clé est encore en RAM après le démarrage.',
        },
        holds: {
          en: 'No key was found in RAM after boot.',
          fr: 'Aucune clé trouvée en RAM après le démarrage.',
        },
      }),
  },
  {
    id: 'step2-flash',
    source: {
      file: STEP2,
      where: { en: 'Step 2, STRIDE, Spoofing', fr: 'Étape 2, STRIDE, Usurpation' },
      quote: "Si extraite physiquement, un attaquant peut cloner l'identité du dispositif",
    },
    claim: {
      en: 'The key compiled into flash can be dumped and the device identity cloned.',
      fr: 'La clé compilée en flash peut être extraite et l’identité du dispositif clonée.',
    },
    check: (findings) =>
      succeeded(findings, 'flash-dump/key@2', {
        holds: { en: 'Confirmed by the flash dump.', fr: 'Confirmé par le dump de la flash.' },
        fails: {
          en: 'The flash dump did not yield the key.',
          fr: 'Le dump de la flash n’a pas livré la clé.',
        },
      }),
  },
  {
    id: 'non-repudiation',
    source: {
      file: STEP3,
      where: { en: 'Step 3, STRIDE, Repudiation', fr: 'Étape 3, STRIDE, Répudiation' },
      quote: "Preuve d'origine irréfutable.",
    },
    claim: {
      en: 'The certificate identity proves which device produced a reading.',
      fr: 'L’identité du certificat prouve quel dispositif a produit une mesure.',
    },
    check: checkRepudiation,
  },
];

export function checkClaims(findings: readonly Finding[]): ClaimResult[] {
  return SEED_CLAIMS.map((c) => ({ id: c.id, source: c.source, claim: c.claim, ...c.check(findings) }));
}
