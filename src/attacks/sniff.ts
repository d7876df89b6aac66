/**
 * Passive sniffing: the step's capture read as an eavesdropper reads it (src/wire/analyze),
 * turned into findings. The lab sheet's closing question — is the data readable or
 * encrypted? — answered per item: the readings, the device's identity, and the pattern of the
 * traffic, which no encryption hides.
 */
import { type Evidence, type Finding, same } from '../core/findings.js';
import { analyzeCapture, type ConnectionAnalysis, formatInterval } from '../wire/analyze/index.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';

const ATTACK = 'sniff';

export const sniffAttack: Attack = {
  name: ATTACK,
  run: (target) => {
    assertLoopback(target.broker.host);
    const analysis = analyzeCapture(target.capture());
    const connections = analysis.connections.filter((c) => c.protocol === 'mqtt' || c.protocol === 'tls');
    return Promise.resolve([
      payloadFinding(target, connections),
      identityFinding(target, connections),
      trafficFinding(target, connections),
    ]);
  },
};

function capture(target: AttackTarget, data: string): Evidence {
  return { kind: 'capture', label: same(`capture ${target.captureFile}`), data, file: target.captureFile };
}

function payloadFinding(target: AttackTarget, conns: readonly ConnectionAnalysis[]): Finding {
  const exposed = conns.filter((c) => c.verdict.payload === 'exposed');
  // The publisher's own PUBLISH first (client → server), then the broker's copies to the subscriber.
  const publishes = exposed
    .flatMap((c) => c.mqtt?.publishes ?? [])
    .filter((p) => p.topic === target.topic)
    .sort((a, b) => (a.direction === b.direction ? 0 : a.direction === 'c2s' ? -1 : 1));
  const base = {
    id: `${ATTACK}/payload@${target.step}`,
    attack: ATTACK,
    step: target.step,
    stride: ['I'] as ['I'],
    title: { en: 'Eavesdropper reads the readings', fr: 'Un espion lit les mesures' },
    attempted: {
      en: `Read topic and payload of every m5go/env message in the step's capture (${conns.length} connections).`,
      fr: `Lire le topic et le contenu de chaque message m5go/env dans la capture de l’étape (${conns.length} connexions).`,
    },
  };
  if (publishes.length > 0) {
    const first = publishes[0]!;
    return {
      ...base,
      outcome: 'succeeded',
      result: {
        en: `${publishes.length} readings read in clear: topic, values and device id.`,
        fr: `${publishes.length} mesures lues en clair : topic, valeurs et identifiant de l’appareil.`,
      },
      evidence: [
        capture(
          target,
          `PUBLISH ${first.topic} (${first.direction}, stream offset ${first.evidence.offset}): ${first.payload.text ?? first.payload.hex ?? ''}`,
        ),
      ],
      mitigation: {
        en: 'Mutual TLS on 8883 (Step 2): the payload travels in encrypted records.',
        fr: 'TLS mutuel sur 8883 (étape 2) : le contenu voyage dans des enregistrements chiffrés.',
      },
    };
  }
  const tls = conns.filter((c) => c.tls !== undefined);
  const records = tls.reduce((n, c) => n + (c.tls?.records.c2s ?? 0) + (c.tls?.records.s2c ?? 0), 0);
  const t = tls[0]?.tls;
  return {
    ...base,
    outcome: 'blocked',
    result: {
      en: `No topic or payload readable: ${records} TLS records${t?.version ? ` (${t.version}, ${t.cipherSuite ?? '?'})` : ''}.`,
      fr: `Aucun topic ni contenu lisible : ${records} enregistrements TLS${t?.version ? ` (${t.version}, ${t.cipherSuite ?? '?'})` : ''}.`,
    },
    evidence: tls.slice(0, 3).map((c) => capture(target, `connection ${c.index}: ${c.verdict.why.payload}`)),
  };
}

function identityFinding(target: AttackTarget, conns: readonly ConnectionAnalysis[]): Finding {
  const seen = conns
    .filter((c) => c.verdict.identity === 'exposed')
    .map((c) => {
      const cert = c.tls?.clientCertificate.certificate;
      if (cert?.subject !== undefined)
        return `connection ${c.index}: client certificate ${cert.subject}${cert.serial ? `, serial ${cert.serial}` : ''} (${c.tls?.version ?? 'TLS'})`;
      if (c.mqtt?.connect)
        return `connection ${c.index}: MQTT client id ${c.mqtt.connect.clientId}${c.mqtt.connect.username ? `, username ${c.mqtt.connect.username}` : ''}`;
      return `connection ${c.index}: ${c.verdict.why.identity}`;
    });
  const base = {
    id: `${ATTACK}/identity@${target.step}`,
    attack: ATTACK,
    step: target.step,
    stride: ['I'] as ['I'],
    title: {
      en: 'Eavesdropper learns which device is talking',
      fr: 'Un espion apprend quel appareil communique',
    },
    attempted: {
      en: 'Find the client identity in the capture: MQTT client id, or the client certificate of the TLS handshake.',
      fr: 'Trouver l’identité du client dans la capture : identifiant MQTT, ou certificat client de la poignée de main TLS.',
    },
  };
  if (seen.length > 0) {
    const tls = target.broker.tls;
    return {
      ...base,
      outcome: 'succeeded',
      result: tls
        ? {
            en: 'The device certificate crosses the wire in clear in the TLS 1.2 handshake: its subject names the device.',
            fr: 'Le certificat de l’appareil passe en clair dans la poignée de main TLS 1.2 : son sujet nomme l’appareil.',
          }
        : {
            en: 'The MQTT CONNECT names the device in clear.',
            fr: 'Le CONNECT MQTT nomme l’appareil en clair.',
          },
      evidence: [capture(target, seen.join('\n'))],
      mitigation: tls
        ? {
            en: 'TLS 1.3 encrypts the client certificate (tls_version tlsv1.3 on the broker, a TLS 1.3 device stack).',
            fr: 'TLS 1.3 chiffre le certificat client (tls_version tlsv1.3 sur le broker, une pile TLS 1.3 sur l’appareil).',
          }
        : { en: 'Mutual TLS 1.3.', fr: 'TLS mutuel 1.3.' },
    };
  }
  return {
    ...base,
    outcome: 'blocked',
    result: {
      en: 'No client identity readable in the capture.',
      fr: 'Aucune identité client lisible dans la capture.',
    },
    evidence: conns
      .slice(0, 3)
      .map((c) => capture(target, `connection ${c.index}: ${c.verdict.why.identity}`)),
  };
}

function trafficFinding(target: AttackTarget, conns: readonly ConnectionAnalysis[]): Finding {
  const lines: string[] = [];
  for (const c of conns) {
    for (const g of c.traffic?.groups ?? []) {
      if (!g.periodic) continue;
      const size = g.plaintextLength ?? g.recordLength;
      lines.push(
        `connection ${c.index} ${g.direction}: ${g.count} records of ~${size.median} bytes${g.intervalUs ? ` every ${formatInterval(g.intervalUs.median)}` : ''}`,
      );
    }
    const pubs = (c.mqtt?.publishes ?? []).filter((p) => p.topic === target.topic && p.direction === 'c2s');
    if (pubs.length >= 3) {
      const gaps = pubs
        .slice(1)
        .map((p, i) => p.evidence.timeUs - pubs[i]!.evidence.timeUs)
        .sort((a, b) => a - b);
      lines.push(
        `connection ${c.index} c2s: ${pubs.length} PUBLISH of ~${pubs[0]!.payload.bytes} bytes every ${formatInterval(gaps[gaps.length >> 1]!)}`,
      );
    }
  }
  return {
    id: `${ATTACK}/traffic-analysis@${target.step}`,
    attack: ATTACK,
    step: target.step,
    stride: ['I'],
    title: { en: 'Traffic analysis: sizes and timing', fr: 'Analyse de trafic : tailles et rythme' },
    attempted: {
      en: 'Group the records by size and interval to recognise periodic sensor readings without decrypting them.',
      fr: 'Grouper les enregistrements par taille et intervalle pour reconnaître des mesures périodiques sans les déchiffrer.',
    },
    outcome: lines.length > 0 ? 'succeeded' : 'blocked',
    result:
      lines.length > 0
        ? target.broker.tls
          ? {
              en: 'The readings are recognisable by their size and period even though they are encrypted.',
              fr: 'Les mesures restent reconnaissables à leur taille et leur période, bien que chiffrées.',
            }
          : {
              en: 'Sizes and timing give the readings away (and here the payload is readable anyway).',
              fr: 'Tailles et rythme trahissent les mesures (et ici le contenu est de toute façon lisible).',
            }
        : {
            en: 'No periodic pattern found in the capture.',
            fr: 'Aucun motif périodique trouvé dans la capture.',
          },
    evidence: lines.length > 0 ? [capture(target, lines.join('\n'))] : [],
    ...(lines.length > 0
      ? {
          mitigation: {
            en: 'Pad readings to a fixed size and send on a jittered schedule (or batch them).',
            fr: 'Compléter les mesures à taille fixe et les envoyer à intervalles aléatoires (ou par lots).',
          },
        }
      : {}),
  };
}
