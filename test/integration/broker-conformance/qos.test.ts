// QoS 0/1/2 in both directions, the in-flight window and the client's Receive Maximum
// (MQTT 3.1.1 §4.3, §4.6, §3.8.4; MQTT 5.0 §3.3.4, §4.9). Rule ids are 3.1.1's unless the
// name says v5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inbox, QUIET, type RawClient, startLab } from './harness.js';

async function publishes(raw: RawClient, n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await raw.expect('publish'));
  return out;
}

describe('QoS 0, 1 and 2', { concurrency: true }, () => {
  test('[MQTT-4.3.1-1] [MQTT-3.8.4-6] QoS 0 goes out at QoS 0 with DUP 0 and no packet id', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected();
    assert.deepEqual(await sub.subscribe('q0', 2), [2]);
    const pub = await lab.client();
    await pub.publishAsync('q0', 'hello', { qos: 0 });
    const p = await sub.expect('publish');
    assert.equal(p.qos, 0);
    assert.equal(p.dup, false);
    assert.equal(p.messageId, undefined);
    assert.equal(p.payload.toString(), 'hello');
  });

  test('[MQTT-3.3.4-1] [MQTT-4.3.2-2] a QoS 1 PUBLISH is answered with PUBACK of its packet id', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('q1', { qos: 1 });
    const pub = await lab.rawConnected();
    pub.send({
      cmd: 'publish',
      topic: 'q1',
      payload: 'one',
      qos: 1,
      messageId: 4242,
      retain: false,
      dup: false,
    });
    assert.equal((await pub.expect('puback')).messageId, 4242);
    const m = await got.next();
    assert.equal(m.payload, 'one');
    assert.equal(m.packet.qos, 1);
  });

  test('[MQTT-4.3.2-1] QoS 1 to a subscriber: DUP 0, distinct non-zero ids while unacknowledged', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected();
    await sub.subscribe('q1/+', 1);
    const pub = await lab.client();
    for (const n of [1, 2, 3]) await pub.publishAsync(`q1/${n}`, `m${n}`, { qos: 1 });
    const got = await publishes(sub, 3);
    const ids = got.map((p) => p.messageId!);
    assert.ok(ids.every((id) => id > 0 && id <= 65_535));
    assert.equal(new Set(ids).size, 3);
    assert.ok(got.every((p) => p.qos === 1 && p.dup === false));
    for (const id of ids) sub.send({ cmd: 'puback', messageId: id });
  });

  test('[MQTT-4.3.3-2] a duplicate QoS 2 PUBLISH before PUBREL gets PUBREC and is not delivered twice', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('q2', { qos: 2 });
    const pub = await lab.rawConnected();
    const publish = {
      cmd: 'publish',
      topic: 'q2',
      payload: 'once',
      qos: 2,
      messageId: 7,
      retain: false,
    } as const;
    pub.send({ ...publish, dup: false });
    assert.equal((await pub.expect('pubrec')).messageId, 7);
    pub.send({ ...publish, dup: true });
    assert.equal((await pub.expect('pubrec')).messageId, 7);
    assert.equal((await got.next()).payload, 'once');
    await got.none(QUIET, 'second copy');
    pub.send({ cmd: 'pubrel', messageId: 7 });
    assert.equal((await pub.expect('pubcomp')).messageId, 7);
    // After PUBCOMP the same identifier starts a new publication.
    pub.send({ ...publish, payload: 'again', dup: false });
    await pub.expect('pubrec');
    assert.equal((await got.next()).payload, 'again');
  });

  test('[MQTT-4.3.3-1] QoS 2 to a subscriber: PUBLISH, PUBREC, PUBREL with the same id, PUBCOMP', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected({ clientId: 'q2sub' });
    await sub.subscribe('q2', 2);
    const pub = await lab.client();
    await pub.publishAsync('q2', 'exactly', { qos: 2 });
    const p = await sub.expect('publish');
    assert.equal(p.qos, 2);
    assert.equal(p.dup, false);
    sub.send({ cmd: 'pubrec', messageId: p.messageId });
    assert.equal((await sub.expect('pubrel')).messageId, p.messageId);
    sub.send({ cmd: 'pubcomp', messageId: p.messageId });
    await sub.packets.none(QUIET, 'retransmission');
    assert.equal(lab.broker.sessions.get('q2sub')?.inflight.size, 0);
  });

  test('[MQTT-3.8.4-6] delivery QoS is the minimum of published and granted QoS', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected();
    sub.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: 'down/1', qos: 1 },
        { topic: 'down/0', qos: 0 },
      ],
    });
    assert.deepEqual((await sub.expect('suback')).granted, [1, 0]); // [MQTT-3.9.3-1] in order
    const pub = await lab.client();
    await pub.publishAsync('down/1', 'x', { qos: 2 });
    const p1 = await sub.expect('publish');
    assert.equal(p1.qos, 1);
    sub.send({ cmd: 'puback', messageId: p1.messageId });
    await pub.publishAsync('down/0', 'y', { qos: 1 });
    assert.equal((await sub.expect('publish')).qos, 0);
  });

  test('[MQTT-3.3.5-1] overlapping subscriptions give one copy at the highest QoS', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected();
    await sub.subscribe('over/+', 0, 1);
    await sub.subscribe('over/#', 1, 2);
    const pub = await lab.client();
    await pub.publishAsync('over/x', 'x', { qos: 1 });
    assert.equal((await sub.expect('publish')).qos, 1);
    await sub.packets.none(QUIET, 'second copy');
  });

  test('[MQTT-4.6.0-6] messages of one publisher on one topic arrive in order', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('order', { qos: 1 });
    const pub = await lab.client();
    const sent = Array.from({ length: 50 }, (_, i) => String(i));
    await Promise.all(sent.map((m) => pub.publishAsync('order', m, { qos: 1 })));
    assert.deepEqual(
      (await got.take(50)).map((m) => m.payload),
      sent,
    );
  });

  test('[MQTT-3.7.2-1] v5: PUBREL for an unknown packet id gets PUBCOMP 0x92', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({}, 5);
    raw.send({ cmd: 'pubrel', messageId: 99 });
    const pubcomp = await raw.expect('pubcomp');
    assert.equal(pubcomp.messageId, 99);
    assert.equal(pubcomp.reasonCode, 0x92);
  });
});

describe('in-flight window and Receive Maximum', { concurrency: true }, () => {
  test('max_inflight_messages: with no acknowledgement only N QoS 1 PUBLISH are outstanding', async (t) => {
    const lab = await startLab(t, { maxInflightMessages: 3 });
    const sub = await lab.rawConnected({ clientId: 'slow' });
    await sub.subscribe('w', 1);
    const pub = await lab.client();
    for (let i = 0; i < 6; i++) await pub.publishAsync('w', String(i), { qos: 1 });
    const first = await publishes(sub, 3);
    await sub.packets.none(QUIET, 'PUBLISH beyond the window');
    sub.send({ cmd: 'puback', messageId: first[0]!.messageId });
    assert.equal((await sub.expect('publish')).payload.toString(), '3');
    await sub.packets.none(QUIET, 'PUBLISH beyond the window');
    assert.equal(lab.broker.sessions.get('slow')?.queue.length, 2);
  });

  test("[MQTT-3.3.4-9] [MQTT-4.9.0-3] v5: the client's Receive Maximum bounds the window", async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected({ properties: { receiveMaximum: 2 } }, 5);
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rm', qos: 1 }] });
    await sub.expect('suback');
    const pub = await lab.client({ protocolVersion: 5 });
    for (let i = 0; i < 5; i++) await pub.publishAsync('rm', String(i), { qos: 1 });
    const first = await publishes(sub, 2);
    // Other packets flow while the send quota is zero.
    sub.send({ cmd: 'pingreq' });
    await sub.expect('pingresp');
    sub.send({ cmd: 'puback', messageId: first[1]!.messageId });
    assert.equal((await sub.expect('publish')).payload.toString(), '2');
    await sub.packets.none(QUIET, 'PUBLISH beyond Receive Maximum');
  });

  test('[MQTT-3.3.4-9] v5: a QoS 2 message holds its slot until PUBCOMP, not PUBREC', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected({ properties: { receiveMaximum: 1 } }, 5);
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rm2', qos: 2 }] });
    await sub.expect('suback');
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('rm2', 'a', { qos: 2 });
    await pub.publishAsync('rm2', 'b', { qos: 2 });
    const a = await sub.expect('publish');
    sub.send({ cmd: 'pubrec', messageId: a.messageId });
    await sub.expect('pubrel');
    await sub.packets.none(QUIET, 'PUBLISH before PUBCOMP');
    sub.send({ cmd: 'pubcomp', messageId: a.messageId });
    assert.equal((await sub.expect('publish')).payload.toString(), 'b');
  });

  test('[MQTT-4.4.0-2] v5: a PUBREC >= 0x80 ends the exchange and frees the slot', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected({ properties: { receiveMaximum: 1 } }, 5);
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rej', qos: 2 }] });
    await sub.expect('suback');
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('rej', 'a', { qos: 2 });
    await pub.publishAsync('rej', 'b', { qos: 2 });
    const a = await sub.expect('publish');
    sub.send({ cmd: 'pubrec', messageId: a.messageId, reasonCode: 0x80 });
    const b = await sub.expect('publish'); // no PUBREL for a
    assert.equal(b.payload.toString(), 'b');
  });
});
