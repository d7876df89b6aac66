// Topic names and filters: validation, wildcard matching, `$` topics and `$SYS` (MQTT 3.1.1
// §3.3.2, §4.7; MQTT 5.0 §4.7). Rule ids are 3.1.1's unless the name says v5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Packet } from 'mqtt-packet';
import { encode, inbox, QUIET, startLab, WAIT } from './harness.js';

const disconnects = (sent: Packet[]) =>
  sent.map((p) => [p.cmd, p.cmd === 'disconnect' ? p.reasonCode : undefined]);

describe('topic names in PUBLISH', { concurrency: true }, () => {
  for (const topic of ['a/+', 'a/#', '+', '#']) {
    test(`[MQTT-3.3.2-2] [MQTT-4.7.1-1] a PUBLISH to "${topic}" closes the connection`, async (t) => {
      const lab = await startLab(t);
      const raw = await lab.rawConnected();
      raw.send({ cmd: 'publish', topic, payload: 'x', qos: 0, retain: false, dup: false });
      assert.deepEqual(await raw.expectClosed(), []);
    });
  }

  test('[MQTT-3.3.2-2] v5: a wildcard topic name gets DISCONNECT 0x90 (Topic Name invalid)', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({}, 5);
    raw.send({
      cmd: 'publish',
      topic: 'x/+/y',
      payload: 'x',
      qos: 1,
      messageId: 1,
      retain: false,
      dup: false,
    });
    assert.deepEqual(disconnects(await raw.expectClosed()), [['disconnect', 0x90]]);
  });

  test('[MQTT-4.7.3-1] a zero-length topic name closes the connection', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    // mqtt-packet refuses to encode it: topic length 0, then the payload.
    raw.write(Buffer.from([0x30, 0x03, 0x00, 0x00, 0x78]));
    assert.deepEqual(await raw.expectClosed(), []);
  });
});

describe('topic filters and matching', { concurrency: true }, () => {
  test('[MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-3.9.3-1] invalid filters fail with 0x80, the rest are granted', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    const topics = ['ok/#', 'sport/tennis#', 'sport/#/ranking', 'sport+', 'ok/+/x'];
    raw.send({ cmd: 'subscribe', messageId: 9, subscriptions: topics.map((topic) => ({ topic, qos: 1 })) });
    const suback = await raw.expect('suback');
    assert.equal(suback.messageId, 9);
    assert.deepEqual(suback.granted, [1, 0x80, 0x80, 0x80, 1]);
  });

  test('[MQTT-4.7.1-2] v5: an invalid filter fails with 0x8F (Topic Filter invalid)', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({}, 5);
    raw.send({
      cmd: 'subscribe',
      messageId: 3,
      subscriptions: [
        { topic: 'a/#/b', qos: 0 },
        { topic: 'a/b', qos: 2 },
      ],
    });
    assert.deepEqual((await raw.expect('suback')).granted, [0x8f, 2]);
  });

  test('[MQTT-4.7.1-2] [MQTT-4.7.1-3] "#" includes the parent level; "+" is exactly one level', async (t) => {
    const lab = await startLab(t);
    const hash = await lab.client();
    const plus = await lab.client();
    const gotHash = inbox(hash);
    const gotPlus = inbox(plus);
    await hash.subscribeAsync('sport/#', { qos: 0 });
    await plus.subscribeAsync('sport/+', { qos: 0 });
    const pub = await lab.client();
    for (const topic of ['sport', 'sport/', 'sport/tennis', 'sport/tennis/p1'])
      await pub.publishAsync(topic, topic);
    await pub.publishAsync('end', '');
    assert.deepEqual(
      (await gotHash.take(4)).map((m) => m.topic),
      ['sport', 'sport/', 'sport/tennis', 'sport/tennis/p1'],
    );
    assert.deepEqual(
      (await gotPlus.take(2)).map((m) => m.topic),
      ['sport/', 'sport/tennis'],
    );
    await gotPlus.none(QUIET, 'message that "+" must not match');
  });

  test('[MQTT-4.7.3-4] matching is exact: no case folding or normalisation', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('Accounts', { qos: 0 });
    await sub.subscribeAsync('/finance', { qos: 0 });
    const pub = await lab.client();
    for (const topic of ['ACCOUNTS', 'accounts', 'finance', 'Accounts', '/finance'])
      await pub.publishAsync(topic, topic);
    assert.deepEqual(
      (await got.take(2)).map((m) => m.topic),
      ['Accounts', '/finance'],
    );
    await got.none(QUIET, 'a normalised match');
  });

  test('[MQTT-4.7.2-1] "#" and "+/..." do not match topics that begin with "$"', async (t) => {
    const lab = await startLab(t);
    const wild = await lab.client();
    const gotWild = inbox(wild);
    await wild.subscribeAsync(['#', '+/monitor/Clients'], { qos: 0 });
    const dollar = await lab.client();
    const gotDollar = inbox(dollar);
    await dollar.subscribeAsync(['$lab/#', '$lab/monitor/+'], { qos: 0 });
    const pub = await lab.client();
    await pub.publishAsync('$lab/monitor/Clients', 'x');
    const m = await gotDollar.next();
    assert.equal(m.topic, '$lab/monitor/Clients');
    await gotDollar.none(QUIET, 'second copy for overlapping subscriptions');
    await gotWild.none(QUIET, 'a $ topic matched by a leading wildcard');
  });
});

describe('$SYS topics', { concurrency: true }, () => {
  test('[MQTT-4.7.2-1] $SYS/broker/version and clients/connected are published retained', async (t) => {
    const lab = await startLab(t, { sysInterval: 1 });
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync(['$SYS/broker/version', '$SYS/broker/clients/connected'], { qos: 0 });
    const version = await got.next(WAIT);
    assert.equal(version.topic, '$SYS/broker/version');
    assert.match(version.payload, /^mqtts-lab version \d/);
    assert.equal(version.packet.retain, true);
    // The retained value may predate this client; the next interval brings the current count.
    const connected = async (n: string) => {
      for (;;) {
        const m = await got.next(WAIT, `clients/connected = ${n}`);
        assert.equal(m.topic, '$SYS/broker/clients/connected');
        if (m.payload === n) return;
      }
    };
    await connected('1');
    await lab.client();
    await connected('2');
  });

  test('[MQTT-4.7.2-1] a "#" subscriber receives no $SYS traffic', async (t) => {
    const lab = await startLab(t, { sysInterval: 1 });
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('#', { qos: 0 });
    await got.none(QUIET * 2, '$SYS message');
  });
});

describe('malformed SUBSCRIBE', { concurrency: true }, () => {
  test('[MQTT-3.8.3-4] a requested QoS of 3 is malformed: the connection is closed', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    const frame = encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] });
    frame[frame.length - 1] = 3;
    raw.write(frame);
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.8.1-1] SUBSCRIBE with reserved header bits other than 0010 closes the connection', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    const frame = encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] });
    frame[0] = 0x80;
    raw.write(frame);
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.8.3-3] a SUBSCRIBE with no topic filter is a protocol violation', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    raw.write(Buffer.from([0x82, 0x02, 0x00, 0x01]));
    assert.deepEqual(await raw.expectClosed(), []);
  });
});
