/**
 * Elevation of privilege through the broker's ACL: a device with a valid certificate (m5go-99)
 * publishes a reading on `m5go/env`, which its grant (`devices/m5go-99/#`) does not include. In
 * Step 1 there is no ACL and no identity, and an anonymous client does the same. Blocked means
 * the M5Stack never got the message — judged from its own state, while an operator's
 * subscription shows the intruder's connection itself worked (its allowed message arrives).
 */
import type { Evidence, Finding } from '../core/findings.js';
import { assertLoopback } from './loopback.js';
import { closeClient, describeProbe, probeMqtt, type ProbeResult, type ProbeTls } from './mqtt-probe.js';
import {
  attackerClientId,
  connectionLines,
  logSince,
  nextMessage,
  publishQos1,
  subscribeWithin,
} from './mqtt-session.js';
import { forgeReading, receptionEvidence, watchSubscriber } from './repudiation.js';
import type { Attack, AttackTarget, PemIdentity } from './target.js';

/** How long the subscriber is watched after the publish (it gets a reading within ms when allowed). */
const WATCH_MS = 1_000;

export const aclAttack: Attack = {
  name: 'acl',
  async run(target) {
    assertLoopback(target.broker.host);
    return [await publishOutsideGrant(target)];
  },
};

async function publishOutsideGrant(target: AttackTarget): Promise<Finding> {
  const { broker, step } = target;
  const intruder = broker.tls ? target.identities.intruder : undefined;
  const own = intruder ? `devices/${intruder.cn}/x` : undefined;
  const tlsFor = (id: PemIdentity): ProbeTls => ({
    caCertPem: target.caCertPem,
    servername: broker.servername,
    identity: { certPem: id.certPem, keyPem: id.keyPem },
  });
  const mark = broker.log().length;
  const forged = forgeReading(target);
  const clientId = attackerClientId('acl', target.rng);
  const outcomes: string[] = [];
  let attacker: ProbeResult | undefined;
  let observer: ProbeResult | undefined;
  let allowedSeen = 'no observer';
  const closeAll = async () => {
    // Before reading the log, so that the broker's lines about the end are in it.
    if (attacker?.kind === 'connected') await closeClient(attacker.client);
    if (observer?.kind === 'connected') await closeClient(observer.client);
  };
  try {
    // The operator may read everything: it sees whether the broker let either message through.
    if (own !== undefined) {
      observer = await probeMqtt({
        host: broker.host,
        port: broker.port,
        clientId: attackerClientId('acl-observer', target.rng),
        tls: tlsFor(target.identities.operator),
      });
      if (observer.kind === 'connected') await subscribeWithin(observer.client, 'devices/#', 2_000);
    }
    const reception = await watchSubscriber(
      target,
      forged,
      async () => {
        attacker = await probeMqtt({
          host: broker.host,
          port: broker.port,
          clientId,
          ...(intruder ? { tls: tlsFor(intruder) } : {}),
        });
        if (attacker.kind !== 'connected') return;
        outcomes.push(
          `PUBLISH ${target.topic} (QoS 1) ${forged.payload}\n→ ${await publishQos1(attacker.client, target.topic, forged.payload, 2_000)}`,
        );
        if (own === undefined) return;
        const arrival =
          observer?.kind === 'connected'
            ? nextMessage(observer.client, own, WATCH_MS)
            : Promise.resolve(undefined);
        const payload = `allowed message from ${clientId}`;
        outcomes.push(
          `PUBLISH ${own} (QoS 1) "${payload}"\n→ ${await publishQos1(attacker.client, own, payload, 2_000)}`,
        );
        const got = await arrival;
        allowedSeen = got
          ? `the operator received it on ${got.topic} after ${got.afterMs} ms`
          : `not received within ${WATCH_MS} ms`;
      },
      WATCH_MS,
    );
    await closeAll();
    const lines = connectionLines(
      await logSince(broker.log, mark, /disconnected/),
      attacker?.localPort,
      clientId,
    );
    const evidence: Evidence[] = [
      {
        kind: 'connection',
        label: { en: 'The publishing client', fr: 'Le client qui publie' },
        data: [attacker ? describeProbe(attacker) : 'no attempt', ...outcomes].join('\n'),
      },
      ...(own !== undefined
        ? [
            {
              kind: 'connection' as const,
              label: {
                en: 'The allowed message, seen by the operator',
                fr: 'Le message autorisé, vu par l’opérateur',
              },
              data: `${own}: ${allowedSeen}`,
            },
          ]
        : []),
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
    const delivered = reception.displayed !== undefined;
    const connected = attacker?.kind === 'connected';
    return {
      id: `acl/publish-outside-grant@${step}`,
      attack: 'acl',
      step,
      stride: ['E'],
      title: {
        en: `Publish on ${target.topic} without the right to`,
        fr: `Publier sur ${target.topic} sans en avoir le droit`,
      },
      attempted: intruder
        ? {
            en: `With a valid device certificate (CN ${intruder.cn}, granted devices/${intruder.cn}/# only), publish a reading on ${target.topic}, then a message on ${own}.`,
            fr: `Avec un certificat d’appareil valide (CN ${intruder.cn}, autorisé sur devices/${intruder.cn}/# seulement), publier une mesure sur ${target.topic}, puis un message sur ${own}.`,
          }
        : {
            en: `As an anonymous client, publish a forged reading on ${target.topic}.`,
            fr: `En client anonyme, publier une mesure forgée sur ${target.topic}.`,
          },
      outcome: delivered ? 'succeeded' : 'blocked',
      result: delivered
        ? {
            en: `The M5Stack displayed the injected reading as ${forged.reading.deviceId} #${forged.reading.seq}: ${intruder ? 'the ACL did not stop it' : 'no ACL, no identity'}.`,
            fr: `Le M5Stack a affiché la mesure injectée comme ${forged.reading.deviceId} n°${forged.reading.seq} : ${intruder ? 'l’ACL ne l’a pas arrêtée' : 'ni ACL, ni identité'}.`,
          }
        : connected
          ? {
              en: `The broker dropped the reading (the M5Stack saw nothing in ${WATCH_MS} ms) while the intruder's own topic worked: ${allowedSeen}.`,
              fr: `Le broker a écarté la mesure (rien chez le M5Stack en ${WATCH_MS} ms) alors que le topic propre à l’intrus fonctionnait : ${allowedSeen}.`,
            }
          : {
              en: `The client could not even connect (${attacker ? describeProbe(attacker) : 'no attempt'}).`,
              fr: `Le client n’a même pas pu se connecter (${attacker ? describeProbe(attacker) : 'aucune tentative'}).`,
            },
      evidence,
      ...(delivered
        ? {
            mitigation: {
              en: 'Give each identity an acl_file grant for its own topics only (m5go-01 write m5go/env, m5stack-01 read m5go/env) and authenticate every client (mutual TLS, use_identity_as_username).',
              fr: 'Donner à chaque identité, dans l’acl_file, ses seuls topics (m5go-01 write m5go/env, m5stack-01 read m5go/env) et authentifier chaque client (TLS mutuel, use_identity_as_username).',
            },
          }
        : {}),
    };
  } finally {
    await closeAll();
  }
}
