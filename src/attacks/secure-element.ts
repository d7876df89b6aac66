/**
 * The seed's Step 3 live checks 1 and 2, run for real: boot the publisher's firmware with its
 * secure element unplugged (it must halt before any network activity), then with the wrong
 * part (Step 3: another valid P-256 key in slot 8; Step 4: a fresh TNGTLS part, whose slot-0
 * key is another one) — the broker must refuse the handshake.
 */
import type { Evidence, Finding, Text } from '../core/findings.js';
import { SeededRng } from '../core/rng.js';
import { p256PublicKeyInfo, provisionPart, type RunningDevice } from '../device/index.js';
import { Atecc608b } from '../hardware/atecc608b/index.js';
import { fingerprint } from '../pki/index.js';
import { attackerKey } from './key-scalar.js';
import {
  brokerLogSince,
  bootVariant,
  brokerVerdict,
  consoleText,
  firmwareCertificates,
  indexedTrace,
  makeFinding,
  notApplicable,
  waitFor,
} from './hardware-kit.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';

const ATTACK = 'secure-element';
const BOOT_WAIT_MS = 15_000;
/** Long enough for a device that did not halt to have opened its first connection. */
const QUIET_MS = 500;

export const secureElement: Attack = {
  name: ATTACK,
  async run(target: AttackTarget): Promise<Finding[]> {
    assertLoopback(target.broker.host);
    return [await unplugged(target), await wrong(target)];
  },
};

const NO_SE: Text = {
  en: 'has no secure element: its firmware never looks for one',
  fr: 'n’a pas d’élément sécurisé : son firmware n’en cherche aucun',
};

async function unplugged(target: AttackTarget): Promise<Finding> {
  const base = {
    attack: ATTACK,
    family: 'se',
    kase: 'unplugged',
    step: target.step,
    stride: ['S', 'D'] as const,
    title: {
      en: 'Device runs without its secure element',
      fr: 'Le device fonctionne sans son élément sécurisé',
    },
    attempted: {
      en: 'Booted the publisher’s firmware with the secure element unplugged from Port A.',
      fr: 'Démarrage du firmware du publieur avec l’élément sécurisé débranché du Port A.',
    },
  };
  if (target.step <= 2) {
    return notApplicable(
      { ...base, evidence: [] },
      { en: `Step ${target.step} ${NO_SE.en}.`, fr: `L’étape ${target.step} ${NO_SE.fr}.` },
    );
  }
  const mark = target.broker.log().length;
  const boot = { label: 'publisher, secure element unplugged', suffix: 'unplugged' };
  return withDevice(target, boot, async (d, clientId) => {
    await waitFor(QUIET_MS, () => (d.link?.stats.connects ?? 0) > 0);
    await new Promise((r) => setTimeout(r, 200)); // let a connection, if any, reach the broker's log
    const named = brokerLogLines(target, mark, clientId);
    const seen = named.length > 0;
    const halted = d.status === 'halted' && d.link === undefined;
    const probe = d.board.tap.records();
    const evidence: Evidence[] = [
      { kind: 'device-console', label: CONSOLE, data: consoleText(d.console.lines()) },
      {
        kind: 'bus',
        label: { en: 'The firmware’s probe of 0x35', fr: 'Le sondage de 0x35 par le firmware' },
        data: indexedTrace(
          probe,
          probe.map((_, i) => i),
          8,
        ),
      },
      {
        kind: 'broker-log',
        label: LOG,
        data: seen ? named.join('\n') : `(no line names ${clientId}: the device opened no connection)`,
      },
    ];
    if (halted && !seen) {
      return makeFinding({
        ...base,
        outcome: 'blocked',
        evidence,
        result: {
          en: `The device halted before any network activity (${d.haltReason?.code}: ${d.haltReason?.message}); the broker logged no new connection.`,
          fr: `Le device s’est arrêté avant toute activité réseau (${d.haltReason?.code} : ${d.haltReason?.message}) ; le broker n’a journalisé aucune nouvelle connexion.`,
        },
      });
    }
    return makeFinding({
      ...base,
      outcome: 'succeeded',
      evidence,
      result: {
        en: `Without its secure element the device ${halted ? 'halted, yet the broker saw a connection' : `kept running (${d.link?.stats.connects ?? 0} connection(s))`}.`,
        fr: `Sans son élément sécurisé le device ${halted ? 's’est arrêté, mais le broker a vu une connexion' : `a continué (${d.link?.stats.connects ?? 0} connexion(s))`}.`,
      },
      mitigation: {
        en: 'Make the firmware refuse to start without its secure element, and keep the key only there.',
        fr: 'Faire refuser le démarrage au firmware sans son élément sécurisé, et n’y garder la clé que là.',
      },
    });
  });
}

async function wrong(target: AttackTarget): Promise<Finding> {
  const base = {
    attack: ATTACK,
    family: 'se',
    kase: 'wrong',
    step: target.step,
    stride: ['S'] as const,
    title: { en: 'A wrong secure element is accepted', fr: 'Un mauvais élément sécurisé est accepté' },
    attempted: {
      en:
        target.step === 3
          ? 'Booted the publisher’s firmware with another part: a TNGTLS whose slot 8 holds another valid P-256 key.'
          : 'Booted the publisher’s firmware with another part: a fresh TNGTLS, whose slot-0 key is not the one the certificate names.',
      fr:
        target.step === 3
          ? 'Démarrage du firmware du publieur avec une autre puce : un TNGTLS dont le slot 8 contient une autre clé P-256 valide.'
          : 'Démarrage du firmware du publieur avec une autre puce : un TNGTLS neuf, dont la clé du slot 0 n’est pas celle que nomme le certificat.',
    },
  };
  if (target.step <= 2) {
    return notApplicable(
      { ...base, evidence: [] },
      { en: `Step ${target.step} ${NO_SE.en}.`, fr: `L’étape ${target.step} ${NO_SE.fr}.` },
    );
  }
  const part = Atecc608b.create({ rng: new SeededRng(target.rng.bytes(32)), timing: 'typical' });
  let keyLine: string;
  if (target.publisherSettings.keySource === 'se-slot8') {
    const key = attackerKey(target.rng);
    await provisionPart(part, key.pkcs8);
    keyLine = `slot 8 of the wrong part: SPKI SHA-256 ${key.spkiSha256}`;
  } else {
    keyLine = `slot 0 of the wrong part: SPKI SHA-256 ${fingerprint(p256PublicKeyInfo(part.publicKey(0)!))}`;
  }
  const device = firmwareCertificates(target).device;
  const mark = target.broker.log().length;
  const boot = { label: 'publisher, wrong secure element', suffix: 'wrong-se', secureElement: part };
  return withDevice(target, boot, async (d, clientId) => {
    await waitFor(
      BOOT_WAIT_MS,
      () => d.status === 'halted' || (d.link?.stats.connects ?? 0) > 0 || (d.link?.stats.failures ?? 0) > 0,
    );
    // The broker writes its verdict on the CertificateVerify as the handshake ends.
    await brokerVerdict(target, mark, clientId);
    const connects = d.link?.stats.connects ?? 0;
    const evidence: Evidence[] = [
      {
        kind: 'key',
        label: {
          en: 'Keys: the wrong part’s and the certificate’s',
          fr: 'Clés : celle de la mauvaise puce et celle du certificat',
        },
        data: `${keyLine}\ncertificate in flash (${device?.subject ?? '?'}): SPKI SHA-256 ${device?.spkiSha256 ?? '?'}`,
      },
      { kind: 'device-console', label: CONSOLE, data: consoleText(d.console.lines()) },
      { kind: 'broker-log', label: LOG, data: brokerLogSince(target, mark, [clientId]) || '(no line)' },
    ];
    if (connects > 0) {
      return makeFinding({
        ...base,
        outcome: 'succeeded',
        evidence,
        result: {
          en: `The device with the wrong part connected (${connects} connection(s)): the broker did not tie the certificate to the key.`,
          fr: `Le device avec la mauvaise puce s’est connecté (${connects} connexion(s)) : le broker n’a pas lié le certificat à la clé.`,
        },
      });
    }
    const why =
      d.status === 'halted' ? `halted: ${d.haltReason?.code}` : (d.link?.stats.lastError ?? 'no connection');
    return makeFinding({
      ...base,
      outcome: 'blocked',
      evidence,
      result: {
        en: `The broker refused the device with the wrong part (${why}): the CertificateVerify signed by the wrong key does not verify against the certificate's public key.`,
        fr: `Le broker a refusé le device avec la mauvaise puce (${why}) : la signature CertificateVerify faite par la mauvaise clé ne se vérifie pas avec la clé publique du certificat.`,
      },
    });
  });
}

const CONSOLE: Text = { en: 'Console of the booted device', fr: 'Console du device démarré' };
const LOG: Text = { en: 'Broker log meanwhile', fr: 'Journal du broker pendant ce temps' };

/** Boot a variant of the publisher, act, and stop it whatever happens. */
async function withDevice<T>(
  target: AttackTarget,
  options: Parameters<typeof bootVariant>[1],
  f: (d: RunningDevice, clientId: string) => Promise<T>,
): Promise<T> {
  const { device, clientId } = await bootVariant(target, options);
  try {
    return await f(device, clientId);
  } finally {
    await device.stop();
  }
}

/** The broker's lines since `mark` that name the client id. */
function brokerLogLines(target: AttackTarget, mark: number, clientId: string): string[] {
  return target.broker
    .log()
    .slice(mark)
    .split('\n')
    .filter((l) => l.includes(clientId));
}
