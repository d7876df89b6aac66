// Size and count limits: max_packet_size, message_size_limit, subscriptions per client, the
// client's Maximum Packet Size and Receive Maximum towards us, and backpressure (MQTT 5.0
// §3.1.2.11.3-4, §3.2.2.3.6, §3.3.4; Mosquitto's options of the same names).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Packet } from 'mqtt-packet';
import { inbox, QUIET, startLab, until, WAIT } from './harness.js';

const disconnects = (sent: Packet[]) =>
  sent.map((p) => [p.cmd, p.cmd === 'disconnect' ? p.reasonCode : undefined]);
const big = (n: number) => Buffer.alloc(n, 0x61);

describe('packet and message size', { concurrency: true }, () => {
  test('maxPacketSize: a larger PUBLISH closes a 3.1.1 connection', async (t) => {
    const lab = await startLab(t, { maxPacketSize: 1024 });
    const raw = await lab.rawConnected();
    raw.send({ cmd: 'publish', topic: 'big', payload: big(2000), qos: 0, retain: false, dup: false });
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.2.2-15] v5: a PUBLISH above the Maximum Packet Size gets DISCONNECT 0x95', async (t) => {
    const lab = await startLab(t, { maxPacketSize: 1024 });
    const raw = await lab.raw(5);
    assert.equal((await raw.connect({ clientId: 'big5' })).properties?.maximumPacketSize, 1024);
    raw.send({
      cmd: 'publish',
      topic: 'big',
      payload: big(2000),
      qos: 1,
      messageId: 1,
      retain: false,
      dup: false,
    });
    assert.deepEqual(disconnects(await raw.expectClosed()), [['disconnect', 0x95]]);
  });

  test('maxPacketSize: a huge announced length is refused from the header, before its body', async (t) => {
    const lab = await startLab(t, { maxPacketSize: 1024 });
    const raw = await lab.rawConnected();
    // PUBLISH announcing 200 MB (the 4-byte maximum), then nothing more.
    raw.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x5f]));
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('maxPacketSize: an oversized CONNECT is closed without CONNACK', async (t) => {
    const lab = await startLab(t, { maxPacketSize: 256 });
    const raw = await lab.raw();
    raw.send(raw.connectPacket({ clientId: 'c', password: big(512), username: 'u' }));
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('messageSizeLimit: v5 PUBACK says why, and the message is not delivered', async (t) => {
    const lab = await startLab(t, { messageSizeLimit: 100 });
    const sub = await lab.client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('msl', { qos: 1 });
    const raw = await lab.rawConnected({}, 5);
    raw.send({
      cmd: 'publish',
      topic: 'msl',
      payload: big(101),
      qos: 1,
      messageId: 1,
      retain: false,
      dup: false,
    });
    const puback = await raw.expect('puback');
    // [MQTT-3.4.2-1] only a PUBACK reason code will do: 0x95 is not one (mqtt-packet refuses it).
    assert.ok(
      [0x80, 0x83, 0x97].includes(puback.reasonCode!),
      `PUBACK reason 0x${puback.reasonCode?.toString(16)}`,
    );
    raw.send({
      cmd: 'publish',
      topic: 'msl',
      payload: big(100),
      qos: 2,
      messageId: 2,
      retain: false,
      dup: false,
    });
    assert.equal((await raw.expect('pubrec')).reasonCode ?? 0, 0);
    raw.send({ cmd: 'pubrel', messageId: 2 });
    await raw.expect('pubcomp');
    assert.equal((await got.next()).packet.payload.length, 100);
    await got.none(QUIET, 'message above messageSizeLimit');
  });

  test('messageSizeLimit: 3.1.1 gets a plain PUBACK and the message is dropped', async (t) => {
    const lab = await startLab(t, { messageSizeLimit: 100 });
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('msl', { qos: 1 });
    const raw = await lab.rawConnected();
    raw.send({
      cmd: 'publish',
      topic: 'msl',
      payload: big(101),
      qos: 1,
      messageId: 1,
      retain: true,
      dup: false,
    });
    assert.equal((await raw.expect('puback')).messageId, 1);
    await got.none(QUIET, 'message above messageSizeLimit');
    assert.equal(lab.broker.retained.size, 0);
  });

  test("[MQTT-3.1.2-24] [MQTT-3.1.2-25] v5: nothing above the client's Maximum Packet Size is sent", async (t) => {
    const lab = await startLab(t);
    const sub = await lab.rawConnected(
      { clientId: 'small', properties: { maximumPacketSize: 128, receiveMaximum: 1 } },
      5,
    );
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'mps', qos: 1 }] });
    await sub.expect('suback');
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('mps', big(500), { qos: 1 });
    await pub.publishAsync('mps', 'fits', { qos: 1 });
    // The large one is discarded as if sent: it does not hold the only slot of the window.
    const p = await sub.expect('publish');
    assert.equal(p.payload.toString(), 'fits');
    assert.ok(p.length! + 2 <= 128);
    sub.send({ cmd: 'puback', messageId: p.messageId });
    await sub.packets.none(QUIET, 'oversized PUBLISH');
  });
});

describe('counts', { concurrency: true }, () => {
  test('maxSubscriptionsPerClient: v5 SUBACK 0x97 past the limit, 0x80 in 3.1.1', async (t) => {
    const lab = await startLab(t, { maxSubscriptionsPerClient: 2 });
    const v5 = await lab.rawConnected({}, 5);
    const topics = ['l/1', 'l/2', 'l/3'];
    v5.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: topics.map((topic) => ({ topic, qos: 1 as const })),
    });
    assert.deepEqual((await v5.expect('suback')).granted, [1, 1, 0x97]);
    // Replacing an existing subscription is not a new one.
    v5.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'l/2', qos: 0 }] });
    assert.deepEqual((await v5.expect('suback')).granted, [0]);
    const v4 = await lab.rawConnected();
    await v4.subscribe('l/1', 0, 1);
    await v4.subscribe('l/2', 0, 2);
    assert.deepEqual(await v4.subscribe('l/3', 0, 3), [0x80]);
  });

  test('[MQTT-3.3.4-7] v5: more unacknowledged QoS 2 PUBLISH than our Receive Maximum gets 0x93', async (t) => {
    const lab = await startLab(t, { maxInflightMessages: 2 });
    const raw = await lab.rawConnected({}, 5);
    for (const messageId of [1, 2, 3]) {
      raw.send({ cmd: 'publish', topic: 'rm', payload: 'x', qos: 2, messageId, retain: false, dup: false });
    }
    const sent = await raw.expectClosed();
    assert.deepEqual(
      sent.map((p) => p.cmd),
      ['pubrec', 'pubrec', 'disconnect'],
    );
    assert.equal(sent[2]?.cmd === 'disconnect' && sent[2].reasonCode, 0x93);
  });
});

describe('backpressure', { concurrency: true }, () => {
  test('a slow consumer loses no QoS 1 message; the publisher is paused, then resumed', async (t) => {
    const lab = await startLab(t, { maxInflightMessages: 65_535, maxQueuedMessages: 10_000 });
    const sub = await lab.client({ clientId: 'slow-reader' });
    const got = inbox(sub);
    await sub.subscribeAsync('bp', { qos: 1 });
    const stream = sub.stream as unknown as { pause(): void; resume(): void };
    stream.pause();
    const pub = await lab.client({ clientId: 'fast-writer' });
    const n = 400;
    const payload = big(32 * 1024);
    const acks = Array.from({ length: n }, (_, i) =>
      pub.publishAsync('bp', Buffer.concat([Buffer.from(`${i}:`), payload]), { qos: 1 }),
    );
    await until(
      () => [...lab.broker.connections].some((c) => (c.blocked?.size ?? 0) > 0),
      'the publisher paused for the full subscriber',
      WAIT * 2,
    );
    stream.resume();
    const received = await got.take(n, WAIT * 3);
    await Promise.all(acks);
    assert.deepEqual(
      received.map((m) => Number(m.payload.slice(0, m.payload.indexOf(':')))),
      Array.from({ length: n }, (_, i) => i),
    );
    assert.equal(lab.broker.stats.publishDropped, 0);
  });
});
