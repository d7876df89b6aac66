/**
 * Is the device's private key in its RAM once it has booted? Two places to look. The
 * firmware's own buffers (DeviceRam: `pemKey`, `slotData`) are searched byte for byte for the
 * key's DER, its PEM text and its raw scalar — measured. The TLS stack's copy is not a buffer
 * the lab can dump (on the ESP32 it is mbedTLS's pk context in SRAM; here a key object inside
 * Node's OpenSSL), so it is established from what the stack does: a TLS 1.2 client proves
 * possession of the key with a CertificateVerify signature in every handshake. If the bus
 * shows no Sign command for those handshakes, the host CPU signed, so it held the key; if
 * every handshake has its Sign on the bus, the signatures came from the chip.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Evidence, Finding } from '../core/findings.js';
import { decodeSlotKey, type RunningDevice } from '../device/index.js';
import { OPCODE } from '../hardware/atecc608b/index.js';
import { consoleText, makeFinding, notApplicable, waitFor } from './hardware-kit.js';
import { commandCounts, decodeAteccTrace } from './i2c-trace.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';

const ATTACK = 'ram';

export const ramKeyAfterBoot: Attack = {
  name: ATTACK,
  async run(target: AttackTarget): Promise<Finding[]> {
    assertLoopback(target.broker.host);
    const base = {
      attack: ATTACK,
      kase: 'key-after-boot',
      step: target.step,
      stride: ['I'] as const,
      title: { en: 'Device key in RAM after boot', fr: 'Clé du device en RAM après le démarrage' },
      attempted: {
        en: 'After boot: searched the firmware’s key buffers for the key (DER, PEM text, raw scalar), and counted the secure element’s Sign commands on the bus against the TLS handshakes the device completed, to tell whether the host or the chip signs.',
        fr: 'Après le démarrage : recherche de la clé (DER, texte PEM, scalaire brut) dans les tampons du firmware, et comparaison du nombre de commandes Sign de l’élément sécurisé sur le bus avec celui des poignées de main TLS réussies, pour savoir qui signe : l’hôte ou la puce.',
      },
    };
    if (target.step === 1) {
      return [
        notApplicable(
          { ...base, evidence: [] },
          { en: 'Step 1 has no key: plain MQTT.', fr: 'L’étape 1 n’a pas de clé : MQTT en clair.' },
        ),
      ];
    }
    const d = target.publisher;
    await waitFor(10_000, () => (d.link?.stats.connects ?? 0) > 0);
    const known = knownKey(target);
    const needles = known === undefined ? [] : keyNeedles(known);
    const buffers = d.ram.names();
    const hits = needles.flatMap(([what, bytes]) => d.ram.find(bytes).map((name) => `${what} in ${name}`));
    const exchanges = decodeAteccTrace(d.board.tap.records());
    const signs = exchanges.filter((e) => e.opcode === OPCODE.SIGN && e.payload?.length === 64).length;
    const handshakes = d.link?.stats.connects ?? 0;
    const hostSigned = handshakes > signs;
    const evidence: Evidence[] = [
      {
        kind: 'measure',
        label: { en: 'Firmware key buffers after boot', fr: 'Tampons de clé du firmware après le démarrage' },
        data: [
          `buffers allocated: ${buffers.length === 0 ? 'none' : buffers.join(', ')}`,
          known === undefined
            ? 'key bytes to search for: none obtainable (the key never left the chip)'
            : `searched for: ${needles.map(([w]) => w).join(', ')}`,
          `found: ${hits.length === 0 ? 'nowhere' : hits.join('; ')}`,
        ].join('\n'),
      },
      {
        kind: 'bus',
        label: { en: 'Who signs the TLS handshakes', fr: 'Qui signe les poignées de main TLS' },
        data: `TLS handshakes completed: ${handshakes}\nsecure-element commands on the bus since power-up: ${commandCounts(exchanges)}\nSign answers (R‖S, 64 bytes): ${signs}`,
      },
      {
        kind: 'device-console',
        label: { en: 'Publisher console (boot)', fr: 'Console du publieur (démarrage)' },
        data: consoleText(d.console.lines().slice(0, 12)),
      },
    ];
    const inRam = hits.length > 0 || hostSigned;
    const modelled = {
      en: 'Measured: the firmware buffers and the bus. Inferred, not dumped: the TLS stack’s copy (mbedTLS pk context on the ESP32, an OpenSSL key object here).',
      fr: 'Mesuré : les tampons du firmware et le bus. Déduit, non extrait : la copie de la pile TLS (contexte pk de mbedTLS sur l’ESP32, objet clé OpenSSL ici).',
    };
    return [
      makeFinding({
        ...base,
        outcome: inRam ? 'succeeded' : 'blocked',
        evidence,
        result: inRam
          ? {
              en: `${hits.length > 0 ? `The key is still in the firmware's buffers (${hits.join('; ')}). ` : `The firmware's buffers${buffers.length ? ` (${buffers.join(', ')})` : ''} were zeroed, but `}${hostSigned ? `${handshakes} handshake(s) were signed with ${signs} Sign command(s) on the bus: the host signed, so the TLS stack holds the private key in RAM for the session — a RAM dump (JTAG, a memory-disclosure bug) yields it.` : ''} ${modelled.en}`,
              fr: `${hits.length > 0 ? `La clé est toujours dans les tampons du firmware (${hits.join(' ; ')}). ` : `Les tampons du firmware${buffers.length ? ` (${buffers.join(', ')})` : ''} ont été remis à zéro, mais `}${hostSigned ? `${handshakes} poignée(s) de main ont été signées avec ${signs} commande(s) Sign sur le bus : l’hôte a signé, donc la pile TLS garde la clé privée en RAM pour la session — un dump de la RAM (JTAG, faille de divulgation mémoire) la livre.` : ''} ${modelled.fr}`,
            }
          : {
              en: `No key buffer holds the key${buffers.length ? '' : ' (none was ever allocated)'}, and each of the ${handshakes} handshake(s) has its Sign command on the bus (${signs}): the signatures come from the chip, the key never reached the host's RAM. ${modelled.en}`,
              fr: `Aucun tampon ne contient la clé${buffers.length ? '' : ' (aucun n’a jamais été alloué)'}, et chacune des ${handshakes} poignée(s) de main a sa commande Sign sur le bus (${signs}) : les signatures viennent de la puce, la clé n’a jamais atteint la RAM de l’hôte. ${modelled.fr}`,
            },
        ...(inRam
          ? {
              mitigation: {
                en: 'Let the TLS stack sign through the secure element (ECDSA callback / PKCS#11 on the slot-0 key, Step 4) so the key never enters RAM; zeroizing the firmware’s buffers is not enough while the TLS context keeps a copy. Secure boot, flash encryption and a disabled JTAG make RAM dumps harder.',
                fr: 'Faire signer la pile TLS par l’élément sécurisé (callback ECDSA / PKCS#11 sur la clé du slot 0, étape 4) pour que la clé n’entre jamais en RAM ; remettre à zéro les tampons du firmware ne suffit pas tant que le contexte TLS en garde une copie. Secure boot, chiffrement de la flash et JTAG désactivé rendent les dumps de RAM plus difficiles.',
              },
            }
          : {}),
      }),
    ];
  },
};

/**
 * The device's key as the lab can know it, to search for: the PEM in flash (Step 2) or what
 * slot 8 gives anyone who reads it (Step 3). A slot-0 key cannot be had at all.
 */
function knownKey(target: AttackTarget): KeyObject | undefined {
  const d: RunningDevice = target.publisher;
  try {
    if (target.publisherSettings.keySource === 'flash' && target.publisherSettings.clientKey !== undefined) {
      return createPrivateKey(target.publisherSettings.clientKey);
    }
    const slot8 = d.board.secureElement?.readSlot(8);
    if (target.publisherSettings.keySource === 'se-slot8' && slot8) return decodeSlotKey(slot8).key;
  } catch {
    return undefined;
  }
  return undefined;
}

/** The forms a key takes in a buffer: DER, the PEM text's first base64 line, the raw scalar. */
function keyNeedles(key: KeyObject): [string, Uint8Array][] {
  const der = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  const pemLine = (key.export({ type: 'pkcs8', format: 'pem' }) as string).split('\n')[1] ?? '';
  const out: [string, Uint8Array][] = [
    ['PKCS#8 DER', der],
    ['PEM base64', new Uint8Array(Buffer.from(pemLine))],
  ];
  const d = key.export({ format: 'jwk' }).d;
  if (d !== undefined) out.push(['raw scalar', new Uint8Array(Buffer.from(d, 'base64url'))]);
  return out;
}
