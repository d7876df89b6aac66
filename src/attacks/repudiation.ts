/**
 * Repudiation: a reading that says it is m5go-01's, injected by someone else, reaches the M5Stack
 * and is displayed as m5go-01's. TLS authenticates each hop (device → broker, broker →
 * subscriber), not the reading: whoever may publish on the topic — anyone in Step 1, the broker
 * or its operator in Steps 2–4 — can speak for the device, and the device can deny what it
 * sent. The outcome is read from what the subscriber did: Step 4's subscriber verifies each
 * reading's signature against the publisher's certificate and flags this one (its console says
 * so on the line naming the reading's seq), which makes it 'blocked'; nothing here knows which
 * step verifies.
 */
import type { Evidence, Finding } from '../core/findings.js';
import type { Reading, ReadingStatus } from '../device/index.js';
import { assertLoopback } from './loopback.js';
import { closeClient, describeProbe, probeMqtt, type ProbeResult } from './mqtt-probe.js';
import { attackerClientId, connectionLines, logSince, publishQos1, readingWaitMs } from './mqtt-session.js';
import type { Attack, AttackTarget, PemIdentity } from './target.js';

export interface ForgedReading {
  readonly reading: Reading;
  readonly payload: string;
}

/**
 * A reading in the publisher's format, claiming its device id and its next seq (so the
 * subscriber's sequence tracker sees nothing odd), 15 °C warmer than the last real one. Marked
 * by its timestamp: UTC written "+00:00", which the firmware (toISOString, "Z") never writes.
 */
export function forgeReading(target: AttackTarget): ForgedReading {
  const deviceId = target.publisherSettings.clientId;
  const state = target.subscriber.subscriber?.state;
  const last = [...(state?.readings ?? [])].reverse().find((r) => r.deviceId === deviceId);
  const reading: Reading = {
    deviceId,
    seq: (last?.seq ?? 0) + 1,
    timestamp: target.clock.now().toISOString().replace('Z', '+00:00'),
    temperature: Math.min(125, Math.round(((last?.temperature ?? 21) + 15) * 100) / 100),
    humidity: last?.humidity ?? 45,
    pressure: last?.pressure ?? 1013.25,
  };
  return { reading, payload: JSON.stringify(reading) };
}

export interface Reception {
  /** The forged reading as the subscriber displayed it, if it did. */
  readonly displayed: Reading | undefined;
  /** How the subscriber took it: as is, verified, or flagged (with why). */
  readonly status: ReadingStatus | undefined;
  /** The device's own reading that came after it, if one did within the wait. */
  readonly next: Reading | undefined;
  /** Something on the subscriber said the reading was not trustworthy. */
  readonly flagged: boolean;
  /** The console line that said so. */
  readonly flagLine: string | undefined;
  /** The subscriber's console while it was watched. */
  readonly console: readonly string[];
  readonly invalidBefore: number;
  readonly invalidAfter: number;
}

/** Words a subscriber that checks where a reading comes from would print. */
const DOUBT = /forg|unsigned|unverified|signature|untrusted|not from|rejected/i;

/**
 * Watch the subscriber while `act` runs and for `ms` after it (less if the reading shows up):
 * did it display the forged reading, and did anything flag it? Once displayed, wait for the
 * device's own next reading too, so what the forgery does to the subscriber's sequence view
 * (the real reading of the same seq arriving second) happens inside the attack, not the next.
 */
export async function watchSubscriber(
  target: AttackTarget,
  forged: ForgedReading,
  act: () => Promise<void>,
  ms: number,
): Promise<Reception> {
  const app = target.subscriber.subscriber;
  const lines: string[] = [];
  const offLine = target.subscriber.console.onLine((l) => lines.push(l.text));
  const invalidBefore = app?.state.invalid ?? 0;
  let displayed: Reading | undefined;
  let status: ReadingStatus | undefined;
  let next: Reading | undefined;
  let wake: (() => void) | undefined;
  const offReading = app?.onReading((r, how) => {
    if (r.deviceId !== forged.reading.deviceId) return;
    if (r.timestamp === forged.reading.timestamp) {
      displayed = r;
      status = how;
    } else if (displayed !== undefined) next ??= r;
    wake?.();
  });
  const until = (check: () => boolean, waitMs: number) =>
    new Promise<void>((resolve) => {
      if (check()) return resolve();
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      wake = () => check() && done();
    });
  try {
    await act();
    await until(() => displayed !== undefined, ms);
    if (displayed !== undefined)
      await until(() => next !== undefined, readingWaitMs(app?.state.readings ?? []));
  } finally {
    offLine();
    offReading?.();
  }
  const flagLine = lines.find((l) => DOUBT.test(l) && l.includes(`#${forged.reading.seq}`));
  return {
    displayed,
    status,
    next,
    flagged: flagLine !== undefined,
    flagLine,
    console: lines,
    invalidBefore,
    invalidAfter: app?.state.invalid ?? 0,
  };
}

/** Evidence of what the subscriber did: its console, and the readings as it stored them. */
export function receptionEvidence(target: AttackTarget, r: Reception): Evidence[] {
  const state = target.subscriber.subscriber?.state;
  // readings and events grow and shrink together: the same index is the same message.
  const eventOf = (reading: Reading | undefined) => {
    const at = reading && state ? state.readings.lastIndexOf(reading) : -1;
    return at >= 0 ? (state?.events[at]?.kind ?? 'none') : 'none';
  };
  return [
    {
      kind: 'device-console',
      label: { en: 'M5Stack subscriber console', fr: 'Console de l’abonné M5Stack' },
      data: r.console.length > 0 ? r.console.join('\n') : '(nothing printed)',
    },
    {
      kind: 'measure',
      label: { en: 'Subscriber state', fr: 'État de l’abonné' },
      data: [
        `forged reading displayed: ${r.displayed ? JSON.stringify(r.displayed) : 'no'}`,
        ...(r.status
          ? [`taken as: ${r.status.kind === 'flagged' ? `flagged (${r.status.reason})` : r.status.kind}`]
          : []),
        `flagged on the console: ${r.flagLine ?? 'no'}`,
        `sequence event for it: ${eventOf(r.displayed)}`,
        ...(r.next
          ? [`the device's own next reading: #${r.next.seq}, sequence event ${eventOf(r.next)}`]
          : []),
        `invalid payloads: ${r.invalidBefore} → ${r.invalidAfter}`,
        `received: ${state?.received ?? 'no subscriber app'}`,
      ].join('\n'),
    },
  ];
}

export const repudiationAttack: Attack = {
  name: 'repudiation',
  async run(target) {
    assertLoopback(target.broker.host);
    const { broker, step } = target;
    const operator: PemIdentity | undefined = broker.tls ? target.identities.operator : undefined;
    const mark = broker.log().length;
    const forged = forgeReading(target);
    const clientId = attackerClientId('forger', target.rng);
    let probe: ProbeResult | undefined;
    let puback = 'not sent';
    const reception = await watchSubscriber(
      target,
      forged,
      async () => {
        probe = await probeMqtt({
          host: broker.host,
          port: broker.port,
          clientId,
          ...(operator
            ? {
                tls: {
                  caCertPem: target.caCertPem,
                  servername: broker.servername,
                  identity: { certPem: operator.certPem, keyPem: operator.keyPem },
                },
              }
            : {}),
        });
        if (probe.kind !== 'connected') return;
        try {
          puback = await publishQos1(probe.client, target.topic, forged.payload, 2_000);
        } finally {
          await closeClient(probe.client);
        }
      },
      1_000,
    );
    const accepted = reception.displayed !== undefined && !reception.flagged;
    const lines = connectionLines(
      await logSince(broker.log, mark, /disconnected/),
      probe?.localPort,
      clientId,
    );
    const who = operator
      ? {
          en: `the operator's certificate (CN ${operator.cn})`,
          fr: `le certificat de l’opérateur (CN ${operator.cn})`,
        }
      : { en: 'an anonymous plain-MQTT client', fr: 'un client MQTT anonyme en clair' };
    const evidence: Evidence[] = [
      {
        kind: 'connection',
        label: { en: 'The injecting client', fr: 'Le client qui injecte' },
        data: `${probe ? describeProbe(probe) : 'no attempt'}\nPUBLISH ${target.topic} ${forged.payload}\n→ ${puback}`,
      },
      ...receptionEvidence(target, reception),
      ...(lines.length > 0
        ? [
            {
              kind: 'broker-log' as const,
              label: { en: 'Broker log', fr: 'Journal du broker' },
              data: lines.join('\n'),
            },
          ]
        : []),
    ];
    const finding: Finding = {
      id: `repudiation/forged-reading@${step}`,
      attack: 'repudiation',
      step,
      stride: ['R'],
      title: {
        en: 'A reading in m5go-01’s name, sent by someone else',
        fr: 'Une mesure au nom de m5go-01, envoyée par un autre',
      },
      attempted: {
        en: `With ${who.en}, publish on ${target.topic} a reading that claims to be ${forged.reading.deviceId} #${forged.reading.seq}.`,
        fr: `Avec ${who.fr}, publier sur ${target.topic} une mesure qui se dit de ${forged.reading.deviceId} n°${forged.reading.seq}.`,
      },
      outcome: accepted ? 'succeeded' : 'blocked',
      result: accepted
        ? {
            en: `The M5Stack displayed it as ${forged.reading.deviceId}'s reading #${forged.reading.seq}: nothing in the message tells it who wrote it, so the device can deny its readings and anyone on the path can write for it.`,
            fr: `Le M5Stack l’a affichée comme la mesure n°${forged.reading.seq} de ${forged.reading.deviceId} : rien dans le message ne dit qui l’a écrite ; l’appareil peut nier ses mesures et quiconque sur le chemin peut écrire à sa place.`,
          }
        : reception.displayed
          ? {
              en: 'The M5Stack received the reading but flagged it as not coming from the device.',
              fr: 'Le M5Stack a reçu la mesure mais l’a signalée comme ne venant pas de l’appareil.',
            }
          : {
              en: 'The forged reading was not displayed by the M5Stack.',
              fr: 'La mesure forgée n’a pas été affichée par le M5Stack.',
            },
      evidence,
      ...(accepted
        ? {
            mitigation: {
              en: 'Sign each reading end to end inside the secure element (ECDSA with the slot-0 key) and have the subscriber verify it against the device certificate before displaying it.',
              fr: 'Signer chaque mesure de bout en bout dans l’élément sécurisé (ECDSA avec la clé du slot 0) et faire vérifier la signature par l’abonné avec le certificat de l’appareil avant affichage.',
            },
          }
        : {}),
    };
    return [finding];
  },
};
