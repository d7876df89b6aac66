/**
 * An active attacker on the path flips one bit of one reading in transit. Plain MQTT has no
 * integrity check: the changed value reaches the subscriber as a normal reading. Under TLS the
 * record's AEAD tag no longer verifies (RFC 5246 §6.2.3.3, bad_record_mac): the broker ends the
 * session and the reading is lost instead of altered.
 */
import { type Evidence, type Finding, same } from '../core/findings.js';
import type { Reading } from '../device/index.js';
import { assertLoopback } from './loopback.js';
import type { Attack, AttackTarget } from './target.js';
import { logSince } from './mqtt-session.js';
import { waitFor } from './wait.js';

const ATTACK = 'tamper';
const TEMPERATURE = Buffer.from('"temperature":');
/** TLS record header: content type application_data (23), version 3.3. */
const APPLICATION_DATA = 23;

export const tamperAttack: Attack = {
  name: ATTACK,
  run: async (target) => {
    assertLoopback(target.broker.host);
    return [target.broker.tls ? await flipInRecord(target) : await flipInPlaintext(target)];
  },
};

const base = (target: AttackTarget) => ({
  id: `${ATTACK}/bit-flip@${target.step}`,
  attack: ATTACK,
  step: target.step,
  stride: ['T'] as ['T'],
  title: { en: 'One bit flipped in transit', fr: 'Un bit inversé en transit' },
});

async function flipInPlaintext(target: AttackTarget): Promise<Finding> {
  let flipped: { seq: number; offset: number; before: string; after: string } | undefined;
  target.setTamper((chunk, direction) => {
    if (flipped || direction !== 'client-to-server') return chunk;
    const buf = Buffer.from(chunk);
    const at = buf.indexOf(TEMPERATURE);
    if (at < 0 || buf.indexOf(target.topic) < 0) return chunk;
    // The first digit of the value: flipping its low bit keeps it a digit (2↔3, 4↔5…), so the
    // JSON stays valid and only the number changes.
    let d = at + TEMPERATURE.length;
    while (d < buf.length && !(buf[d]! >= 0x30 && buf[d]! <= 0x39)) d++;
    if (d >= buf.length) return chunk;
    const reading = () => buf.subarray(buf.indexOf('{'), buf.lastIndexOf('}') + 1).toString('utf8');
    const before = reading();
    buf[d] = buf[d]! ^ 0x01;
    const seq = Number(/"seq":(\d+)/.exec(before)?.[1] ?? NaN);
    flipped = { seq, offset: d, before, after: reading() };
    return buf;
  });
  const state = target.subscriber.subscriber!.state;
  const invalidBefore = state.invalid;
  let received: Reading | undefined;
  try {
    if (await waitFor(3_000, () => flipped !== undefined)) {
      const seq = flipped!.seq;
      await waitFor(3_000, () => (received = state.readings.find((r) => r.seq === seq)) !== undefined);
    }
  } finally {
    target.setTamper(undefined);
  }
  const evidence: Evidence[] = [];
  if (flipped) {
    evidence.push({
      kind: 'capture',
      label: same(
        `${target.captureFile}: PUBLISH #${flipped.seq}, byte ${flipped.offset} of the chunk ^ 0x01`,
      ),
      data: `sent:     ${flipped.before}\nforwarded: ${flipped.after}`,
      file: target.captureFile,
    });
  }
  if (received) {
    evidence.push({
      kind: 'device-console',
      label: { en: 'subscriber displayed', fr: 'affiché par l’abonné' },
      data: JSON.stringify(received),
    });
  }
  const accepted =
    flipped !== undefined &&
    received !== undefined &&
    state.invalid === invalidBefore &&
    JSON.stringify(received) !== flipped.before;
  return {
    ...base(target),
    attempted: {
      en: 'Flip one bit of the temperature inside a PUBLISH between the publisher and the broker.',
      fr: 'Inverser un bit de la température dans un PUBLISH entre le publieur et le broker.',
    },
    outcome: accepted ? 'succeeded' : flipped ? 'blocked' : 'not-applicable',
    result: accepted
      ? {
          en: `The subscriber displayed reading #${flipped!.seq} with the altered temperature ${received!.temperature} °C; nothing flagged it.`,
          fr: `L’abonné a affiché la mesure n°${flipped!.seq} avec la température modifiée ${received!.temperature} °C ; rien ne l’a signalée.`,
        }
      : {
          en: flipped
            ? 'The altered reading was not accepted.'
            : 'No reading passed during the attack window.',
          fr: flipped
            ? 'La mesure modifiée n’a pas été acceptée.'
            : 'Aucune mesure n’est passée pendant la fenêtre d’attaque.',
        },
    evidence,
    ...(accepted
      ? {
          mitigation: {
            en: 'TLS (Step 2): every record carries an integrity tag.',
            fr: 'TLS (étape 2) : chaque enregistrement porte une étiquette d’intégrité.',
          },
        }
      : {}),
  };
}

async function flipInRecord(target: AttackTarget): Promise<Finding> {
  const link = target.publisher.link!;
  const connectsBefore = connects(target);
  const logMark = target.broker.log().length;
  let flipped: { connection: number; length: number } | undefined;
  const lost = new Promise<string>((resolve) =>
    link.once('disconnected', (why: unknown) => resolve(String(why))),
  );
  target.setTamper((chunk, direction, index) => {
    if (flipped || direction !== 'client-to-server') return chunk;
    // A reading: one application_data record, not a 2-byte PINGREQ's worth.
    if (chunk.length < 60 || chunk[0] !== APPLICATION_DATA || chunk[1] !== 3 || chunk[2] !== 3) return chunk;
    const out = Uint8Array.from(chunk);
    const mid = 5 + ((chunk.length - 5) >> 1);
    out[mid] = out[mid]! ^ 0x01; // one ciphertext bit
    flipped = { connection: index, length: chunk.length };
    return out;
  });
  let reason: string | undefined;
  try {
    if (await waitFor(3_000, () => flipped !== undefined)) {
      reason = await Promise.race([
        lost,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 3_000)),
      ]);
    }
  } finally {
    target.setTamper(undefined);
  }
  // The publisher comes back on its own (backoff); later attacks need it.
  await waitFor(10_000, () => link.client !== undefined && connects(target) > connectsBefore);
  const brokerLines = (await logSince(target.broker.log, logMark))
    .filter((l) => /error|closed|disconnect|mac|decrypt|bad/i.test(l))
    .slice(0, 12);
  const died = reason !== undefined;
  const evidence: Evidence[] = [];
  if (flipped) {
    evidence.push({
      kind: 'capture',
      label: same(
        `${target.captureFile}: connection ${flipped.connection}, application_data record of ${flipped.length - 5} bytes, one bit flipped`,
      ),
      data: 'recorded as "tampered in transit" in the capture',
      file: target.captureFile,
    });
  }
  if (brokerLines.length > 0) {
    evidence.push({
      kind: 'broker-log',
      label: { en: 'broker log', fr: 'journal du broker' },
      data: brokerLines.join('\n'),
    });
  }
  evidence.push({
    kind: 'device-console',
    label: { en: 'publisher', fr: 'publieur' },
    data: target.publisher.console
      .text()
      .split('\n')
      .filter((l) => /disconnect|lost|closed|TLS|connected/i.test(l))
      .slice(-4)
      .join('\n'),
  });
  return {
    ...base(target),
    attempted: {
      en: 'Flip one ciphertext bit of a TLS record carrying a reading, between the publisher and the broker.',
      fr: 'Inverser un bit chiffré d’un enregistrement TLS portant une mesure, entre le publieur et le broker.',
    },
    outcome: flipped && died ? 'blocked' : flipped ? 'succeeded' : 'not-applicable',
    result:
      flipped && died
        ? {
            en: 'The broker could not authenticate the record and closed the session: the reading was lost, never altered.',
            fr: 'Le broker n’a pas pu authentifier l’enregistrement et a fermé la session : la mesure est perdue, jamais modifiée.',
          }
        : flipped
          ? {
              en: 'The session survived a flipped record.',
              fr: 'La session a survécu à un enregistrement modifié.',
            }
          : {
              en: 'No reading record passed during the attack window.',
              fr: 'Aucun enregistrement de mesure pendant la fenêtre d’attaque.',
            },
    evidence,
  };
}

function connects(target: AttackTarget): number {
  return target.publisher.link?.stats.connects ?? 0;
}
