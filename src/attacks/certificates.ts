/**
 * Spoofing the broker's client authentication: connect as an MQTT client with no certificate,
 * then with each kind of bad certificate (another CA, a look-alike root, expired, not yet
 * valid, revoked), and try to read `m5go/env`. The outcome is what the broker did — a refused
 * handshake, a CONNACK — never what its configuration promises.
 */
import { type Evidence, type Finding, same, type Text } from '../core/findings.js';
import { assertLoopback } from './loopback.js';
import { closeClient, describeProbe, probeMqtt, type ProbeResult } from './mqtt-probe.js';
import {
  attackerClientId,
  connectionLines,
  logSince,
  nextMessage,
  readingWaitMs,
  subscribeWithin,
} from './mqtt-session.js';
import type { Attack, AttackerIdentities, AttackTarget, PemIdentity } from './target.js';

interface CertCase {
  readonly name: string;
  readonly identity?: (ids: AttackerIdentities) => PemIdentity;
  /** "with …" / "avec …": how the client introduces itself. */
  readonly with: Text;
}

const CASES: readonly CertCase[] = [
  { name: 'no-certificate', with: { en: 'with no client certificate', fr: 'sans certificat client' } },
  {
    name: 'other-ca',
    identity: (i) => i.otherCa,
    with: { en: 'with a certificate from an unrelated CA', fr: 'avec un certificat d’une autre AC' },
  },
  {
    name: 'fake-root',
    identity: (i) => i.fakeRoot,
    with: {
      en: 'with a certificate from a self-made root bearing the lab CA’s exact name',
      fr: 'avec un certificat d’une racine fabriquée portant exactement le nom de l’AC du lab',
    },
  },
  {
    name: 'expired',
    identity: (i) => i.expired,
    with: { en: 'with an expired lab certificate', fr: 'avec un certificat du lab expiré' },
  },
  {
    name: 'not-yet-valid',
    identity: (i) => i.notYetValid,
    with: { en: 'with a lab certificate not valid yet', fr: 'avec un certificat du lab pas encore valide' },
  },
  {
    name: 'revoked',
    identity: (i) => i.revoked,
    with: {
      en: 'with a revoked lab certificate (in the CRL)',
      fr: 'avec un certificat du lab révoqué (dans la CRL)',
    },
  },
];

/** A refusal in the broker's words: Mosquitto's OpenSSL line or ours, whatever the log has. */
const REFUSAL =
  /OpenSSL Error|Client connection from \S+ failed|disconnected|closed its connection|Socket error|New client connected/;

export const certificatesAttack: Attack = {
  name: 'certificates',
  async run(target) {
    assertLoopback(target.broker.host);
    const findings: Finding[] = [];
    let anonymous: string | undefined;
    for (const c of CASES) {
      if (!target.broker.tls && c.identity !== undefined) {
        findings.push(notApplicable(target, c, anonymous));
        continue;
      }
      const f = await attempt(target, c);
      if (c.identity === undefined) anonymous = f.evidence[0]?.data;
      findings.push(f);
    }
    return findings;
  },
};

async function attempt(target: AttackTarget, c: CertCase): Promise<Finding> {
  const { broker } = target;
  const identity = c.identity?.(target.identities);
  const mark = broker.log().length;
  const probe = await probeMqtt({
    host: broker.host,
    port: broker.port,
    clientId: attackerClientId(`cert-${c.name}`, target.rng),
    // TLS 1.2, as the lab's ESP32 devices: the refusal happens inside the handshake.
    ...(broker.tls
      ? {
          tls: {
            caCertPem: target.caCertPem,
            servername: broker.servername,
            maxVersion: 'TLSv1.2' as const,
            ...(identity ? { identity: { certPem: identity.certPem, keyPem: identity.keyPem } } : {}),
          },
        }
      : {}),
  });
  const evidence: Evidence[] = [
    {
      kind: 'connection',
      label: { en: 'What the client saw', fr: 'Ce que le client a vu' },
      data: describeProbe(probe),
    },
  ];
  let read: string | undefined;
  if (probe.kind === 'connected') {
    try {
      read = await readTopic(target, probe, evidence);
    } finally {
      await closeClient(probe.client);
    }
  }
  const lines = connectionLines(await logSince(broker.log, mark, REFUSAL), probe.localPort);
  if (lines.length > 0) {
    evidence.push({
      kind: 'broker-log',
      label: { en: 'Broker log for this connection', fr: 'Journal du broker pour cette connexion' },
      data: lines.join('\n'),
    });
  }
  const ok = probe.kind === 'connected';
  const over: Text = broker.tls ? same('TLS 1.2') : { en: 'plain TCP', fr: 'TCP en clair' };
  return {
    id: `cert/${c.name}@${target.step}`,
    attack: 'certificates',
    step: target.step,
    stride: ['S'],
    title: titleOf(c),
    attempted: {
      en: `An MQTT client over ${over.en} ${c.with.en} sends CONNECT, then SUBSCRIBE ${target.topic}.`,
      fr: `Un client MQTT en ${over.fr} ${c.with.fr} envoie CONNECT, puis SUBSCRIBE ${target.topic}.`,
    },
    outcome: ok ? 'succeeded' : 'blocked',
    result: ok ? acceptedText(read) : refusedText(probe, lines.length > 0),
    evidence,
    ...(ok
      ? {
          mitigation: broker.tls
            ? {
                en: 'Verify every client certificate: require_certificate true, the lab CA alone as cafile, a current crlfile.',
                fr: 'Vérifier chaque certificat client : require_certificate true, la seule AC du lab en cafile, une crlfile à jour.',
              }
            : {
                en: 'Use the mutual-TLS listener (Step 2): require_certificate true, use_identity_as_username true, allow_anonymous false.',
                fr: 'Utiliser l’écoute TLS mutuelle (étape 2) : require_certificate true, use_identity_as_username true, allow_anonymous false.',
              },
        }
      : {}),
  };
}

/** SUBSCRIBE, then wait for one live reading; returns it, and records both in `evidence`. */
async function readTopic(
  target: AttackTarget,
  probe: Extract<ProbeResult, { kind: 'connected' }>,
  evidence: Evidence[],
): Promise<string | undefined> {
  const granted = await subscribeWithin(probe.client, target.topic, 2_000);
  evidence.push({
    kind: 'connection',
    label: { en: 'SUBACK', fr: 'SUBACK' },
    data: `SUBSCRIBE ${target.topic} → ${typeof granted === 'number' ? `granted QoS ${granted}` : granted}`,
  });
  if (typeof granted !== 'number' || granted === 128) return undefined;
  const wait = readingWaitMs(target.subscriber.subscriber?.state.readings ?? []);
  const got = await nextMessage(probe.client, target.topic, wait);
  evidence.push({
    kind: 'connection',
    label: { en: 'Message received on the topic', fr: 'Message reçu sur le topic' },
    data: got ? `after ${got.afterMs} ms: ${got.payload}` : `nothing within ${wait} ms`,
  });
  return got?.payload;
}

function titleOf(c: CertCase): Text {
  return { en: `Connect to the broker ${c.with.en}`, fr: `Se connecter au broker ${c.with.fr}` };
}

function acceptedText(read: string | undefined): Text {
  return read !== undefined
    ? {
        en: 'The broker accepted the connection (CONNACK 0) and delivered a live reading to the intruder.',
        fr: 'Le broker a accepté la connexion (CONNACK 0) et a livré une mesure en direct à l’intrus.',
      }
    : {
        en: 'The broker accepted the connection (CONNACK 0); no reading arrived while the client listened.',
        fr: 'Le broker a accepté la connexion (CONNACK 0) ; aucune mesure n’est arrivée pendant l’écoute.',
      };
}

function refusedText(p: ProbeResult, logged: boolean): Text {
  const log: Text = logged
    ? { en: ' The broker logged the refusal.', fr: ' Le broker a journalisé le refus.' }
    : same('');
  const t: Text =
    p.kind === 'tls-refused'
      ? {
          en: `The TLS handshake failed${p.alert ? ` with alert ${p.alert}` : ''} (${p.code}): no MQTT session.`,
          fr: `La négociation TLS a échoué${p.alert ? ` avec l’alerte ${p.alert}` : ''} (${p.code}) : pas de session MQTT.`,
        }
      : p.kind === 'connack-refused'
        ? {
            en: `The broker refused the CONNECT with return code ${p.returnCode}.`,
            fr: `Le broker a refusé le CONNECT avec le code retour ${p.returnCode}.`,
          }
        : {
            en: `The broker dropped the connection before any CONNACK (${describeProbe(p)}).`,
            fr: `Le broker a coupé la connexion avant tout CONNACK (${describeProbe(p)}).`,
          };
  return { en: t.en + log.en, fr: t.fr + log.fr };
}

function notApplicable(target: AttackTarget, c: CertCase, anonymous: string | undefined): Finding {
  const { host, port } = target.broker;
  return {
    id: `cert/${c.name}@${target.step}`,
    attack: 'certificates',
    step: target.step,
    stride: ['S'],
    title: titleOf(c),
    attempted: {
      en: `Connect to the broker ${c.with.en}.`,
      fr: `Se connecter au broker ${c.with.fr}.`,
    },
    outcome: 'not-applicable',
    result: {
      en: 'Step 1 has no TLS: there is no handshake in which to present a certificate, and none is needed (see cert/no-certificate).',
      fr: 'L’étape 1 n’a pas de TLS : aucune négociation où présenter un certificat, et aucun n’est demandé (voir cert/no-certificate).',
    },
    evidence: [
      {
        kind: 'connection',
        label: { en: 'The listener speaks plain MQTT', fr: 'L’écoute parle MQTT en clair' },
        data: `${host}:${port}: plain TCP, no TLS${anonymous ? `; a client without a certificate got: ${anonymous}` : ''}`,
      },
    ],
  };
}
