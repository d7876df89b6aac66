// SUBSCRIBE / UNSUBSCRIBE and shared subscriptions (MQTT 3.1.1 §3.8-§3.11; MQTT 5.0 §3.8-§3.11,
// §4.8.2). Rule ids are 3.1.1's unless the name says v5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Packet } from 'mqtt-packet';
import { inbox, QUIET, startLab } from './harness.js';

const disconnects = (sent: Packet[]) =>
  sent.map((p) => [p.cmd, p.cmd === 'disconnect' ? p.reasonCode : undefined]);

describe('SUBSCRIBE and UNSUBSCRIBE', { concurrency: true }, () => {
  test('[MQTT-3.8.4-1] [MQTT-3.8.4-2] SUBACK carries the packet id of its SUBSCRIBE', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    assert.deepEqual(await raw.subscribe('s/a', 1, 65_535), [1]);
  });

  test('[MQTT-3.10.4-1] [MQTT-3.10.4-2] UNSUBSCRIBE removes the exactly matching filter only', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    await raw.subscribe('u/+', 0, 1);
    await raw.subscribe('u/a', 0, 2);
    raw.send({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['u/#', 'u/+'] });
    assert.equal((await raw.expect('unsuback')).messageId, 3);
    const pub = await lab.client();
    await pub.publishAsync('u/b', 'dropped');
    await pub.publishAsync('u/a', 'kept');
    assert.equal((await raw.expect('publish')).payload.toString(), 'kept');
    await raw.packets.none(QUIET, 'message for a removed subscription');
  });

  test('[MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBACK with the same packet id even when nothing was removed', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    raw.send({ cmd: 'unsubscribe', messageId: 77, unsubscriptions: ['never/subscribed'] });
    assert.equal((await raw.expect('unsuback')).messageId, 77);
  });

  test('[MQTT-3.11.3-1] [MQTT-3.11.3-2] v5: UNSUBACK has one reason code per filter, in order', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({}, 5);
    raw.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: 'v/a', qos: 0 },
        { topic: 'v/c', qos: 1 },
      ],
    });
    await raw.expect('suback');
    raw.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['v/a', 'v/b', 'v/c'] });
    const unsuback = await raw.expect('unsuback');
    assert.equal(unsuback.messageId, 2);
    assert.deepEqual(unsuback.granted, [0x00, 0x11, 0x00]);
  });

  test('[MQTT-3.10.3-2] an UNSUBSCRIBE with no topic filter is a protocol violation', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    raw.write(Buffer.from([0xa2, 0x02, 0x00, 0x01]));
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.10.3-2] v5: an empty UNSUBSCRIBE gets DISCONNECT 0x82; the broker carries on', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({}, 5);
    raw.write(Buffer.from([0xa2, 0x03, 0x00, 0x01, 0x00]));
    assert.deepEqual(disconnects(await raw.expectClosed()), [['disconnect', 0x82]]);
    const other = await lab.rawConnected({}, 5);
    other.send({ cmd: 'pingreq' });
    await other.expect('pingresp');
  });

  test('[MQTT-3.8.3-2] v5: an empty SUBSCRIBE gets DISCONNECT 0x82', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({}, 5);
    raw.write(Buffer.from([0x82, 0x03, 0x00, 0x01, 0x00]));
    assert.deepEqual(disconnects(await raw.expectClosed()), [['disconnect', 0x82]]);
  });
});

describe('shared subscriptions, MQTT 5.0 §4.8.2', { concurrency: true }, () => {
  test('[MQTT-4.8.2-3] v5: $share/g/... sends each message to exactly one member, in turn', async (t) => {
    const lab = await startLab(t);
    const members = [await lab.client({ protocolVersion: 5 }), await lab.client({ protocolVersion: 5 })];
    const boxes = members.map(inbox);
    for (const m of members) await m.subscribeAsync('$share/g/job/+', { qos: 1 });
    const plain = await lab.client({ protocolVersion: 5 });
    const plainBox = inbox(plain);
    await plain.subscribeAsync('job/#', { qos: 0 });
    const pub = await lab.client({ protocolVersion: 5 });
    const sent = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const m of sent) await pub.publishAsync('job/x', m, { qos: 1 });
    const [a, b] = [await boxes[0]!.take(5), await boxes[1]!.take(5)];
    await boxes[0]!.none(QUIET, 'more than its turn');
    await boxes[1]!.none(QUIET, 'more than its turn');
    assert.deepEqual([...a, ...b].map((m) => m.payload).sort(), [...sent].sort());
    assert.ok(a.every((m) => m.packet.qos === 1));
    // A non-shared subscriber on a matching filter still gets every message.
    assert.equal((await plainBox.take(10)).length, 10);
  });

  test('v5 §4.8.2: when a member leaves, the others receive everything', async (t) => {
    const lab = await startLab(t);
    const stay = await lab.client({ protocolVersion: 5 });
    const leave = await lab.client({ protocolVersion: 5 });
    const got = inbox(stay);
    await stay.subscribeAsync('$share/g/left', { qos: 0 });
    await leave.subscribeAsync('$share/g/left', { qos: 0 });
    await leave.endAsync();
    const pub = await lab.client({ protocolVersion: 5 });
    for (let i = 0; i < 4; i++) await pub.publishAsync('left', String(i), { qos: 0 });
    assert.equal((await got.take(4)).length, 4);
  });

  test('v5 §4.8.2: a new shared subscription receives no retained messages', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('kept', 'r', { qos: 1, retain: true });
    const sub = await lab.client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('$share/g/kept', { qos: 1 });
    await got.none(QUIET, 'retained message on a shared subscription');
  });

  test('[MQTT-4.8.2-1] [MQTT-4.8.2-2] v5: a malformed share name fails with 0x8F', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({}, 5);
    const topics = ['$share//x', '$share/a+b/x', '$share/g', '$share/g/'];
    raw.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: topics.map((topic) => ({ topic, qos: 0 as const })),
    });
    assert.deepEqual((await raw.expect('suback')).granted, [0x8f, 0x8f, 0x8f, 0x8f]);
  });

  test('[MQTT-3.8.3-4] v5: No Local on a shared subscription is a protocol error', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({}, 5);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g/nl', qos: 0, nl: true }] });
    assert.deepEqual(disconnects(await raw.expectClosed()), [['disconnect', 0x82]]);
  });
});
