// Retained messages (MQTT 3.1.1 §3.3.1.3, §3.8.4; MQTT 5.0 §3.3.1.3, §3.8.3.1 Retain As
// Published and Retain Handling). Rule ids are 3.1.1's unless the name says v5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inbox, QUIET, startLab } from './harness.js';

describe('retained messages, MQTT 3.1.1', { concurrency: true }, () => {
  test('[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] a retained message reaches a later subscriber with RETAIN 1', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client();
    await pub.publishAsync('r/state', 'on', { qos: 1, retain: true });
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('r/#', { qos: 1 });
    const m = await got.next();
    assert.equal(m.topic, 'r/state');
    assert.equal(m.payload, 'on');
    assert.equal(m.packet.retain, true);
    assert.equal(m.packet.qos, 1);
  });

  test('[MQTT-3.3.1-5] a new retained message replaces the old one', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client();
    await pub.publishAsync('r/x', 'first', { qos: 1, retain: true });
    await pub.publishAsync('r/x', 'second', { qos: 1, retain: true });
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('r/x', { qos: 1 });
    assert.equal((await got.next()).payload, 'second');
    await got.none(QUIET, 'older retained message');
  });

  test('[MQTT-3.3.1-7] a retained QoS 0 message replaces a retained QoS 1 one', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client();
    await pub.publishAsync('r/q', 'qos1', { qos: 1, retain: true });
    await pub.publishAsync('r/q', 'qos0', { qos: 0, retain: true });
    const sub = await lab.rawConnected();
    await sub.subscribe('r/q', 1);
    const p = await sub.expect('publish');
    assert.equal(p.payload.toString(), 'qos0');
    assert.equal(p.qos, 0);
    assert.equal(p.retain, true);
  });

  test('[MQTT-3.3.1-10] [MQTT-3.3.1-11] an empty retained message is forwarded and clears the topic', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client();
    const early = await lab.client();
    const earlyGot = inbox(early);
    await early.subscribeAsync('r/clear', { qos: 0 });
    await pub.publishAsync('r/clear', 'x', { qos: 1, retain: true });
    await pub.publishAsync('r/clear', '', { qos: 1, retain: true });
    const [set, cleared] = await earlyGot.take(2);
    assert.equal(set?.payload, 'x');
    assert.equal(cleared?.payload, '');
    assert.equal(cleared?.packet.retain, false, 'forwarded "as normal"');
    assert.equal(lab.broker.retained.size, 0);
    const late = await lab.client();
    const lateGot = inbox(late);
    await late.subscribeAsync('r/clear', { qos: 0 });
    await lateGot.none(QUIET, 'retained message after clearing');
  });

  test('[MQTT-3.3.1-12] a PUBLISH with RETAIN 0 neither stores nor replaces the retained message', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client();
    await pub.publishAsync('r/keep', 'kept', { qos: 1, retain: true });
    await pub.publishAsync('r/keep', 'passing', { qos: 1, retain: false });
    await pub.publishAsync('r/other', 'passing', { qos: 1, retain: false });
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('r/#', { qos: 1 });
    assert.equal((await got.next()).payload, 'kept');
    await got.none(QUIET, 'non-retained message stored');
  });

  test('[MQTT-3.3.1-9] forwarding to an established subscription clears RETAIN', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('r/live', { qos: 1 });
    const pub = await lab.client();
    await pub.publishAsync('r/live', 'now', { qos: 1, retain: true });
    const m = await got.next();
    assert.equal(m.payload, 'now');
    assert.equal(m.packet.retain, false);
  });

  test('[MQTT-3.8.4-3] re-subscribing to the same filter replaces it and re-sends retained messages', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client();
    await pub.publishAsync('r/re', 'v', { qos: 1, retain: true });
    const sub = await lab.rawConnected();
    await sub.subscribe('r/re', 0, 1);
    assert.equal((await sub.expect('publish')).qos, 0);
    await sub.subscribe('r/re', 1, 2);
    const again = await sub.expect('publish');
    assert.equal(again.retain, true);
    assert.equal(again.qos, 1, 'the new subscription has the new QoS');
    sub.send({ cmd: 'puback', messageId: again.messageId });
    await pub.publishAsync('r/re', 'w', { qos: 1 });
    const live = await sub.expect('publish');
    assert.equal(live.payload.toString(), 'w');
    await sub.packets.none(QUIET, 'a copy for a replaced subscription');
  });
});

describe('retained messages, MQTT 5.0 subscription options', { concurrency: true }, () => {
  test('[MQTT-3.3.1-12] v5: Retain As Published 0 clears RETAIN on forwarding', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('rap/0', { qos: 0, rap: false });
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('rap/0', 'x', { qos: 1, retain: true });
    assert.equal((await got.next()).packet.retain, false);
  });

  test('[MQTT-3.3.1-13] v5: Retain As Published 1 keeps the RETAIN flag as published', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('rap/1', { qos: 0, rap: true });
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('rap/1', 'kept', { qos: 1, retain: true });
    await pub.publishAsync('rap/1', 'plain', { qos: 1, retain: false });
    const [kept, plain] = await got.take(2);
    assert.equal(kept?.packet.retain, true);
    assert.equal(plain?.packet.retain, false);
  });

  test('[MQTT-3.3.1-9] v5: Retain Handling 0 sends retained messages on every SUBSCRIBE', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('rh/0', 'r', { qos: 1, retain: true });
    const sub = await lab.client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('rh/0', { qos: 0, rh: 0 });
    assert.equal((await got.next()).packet.retain, true);
    await sub.subscribeAsync('rh/0', { qos: 0, rh: 0 });
    assert.equal((await got.next()).packet.retain, true);
  });

  test('[MQTT-3.3.1-10] v5: Retain Handling 1 sends retained messages only for a new subscription', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('rh/1', 'r', { qos: 1, retain: true });
    const sub = await lab.client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('rh/1', { qos: 0, rh: 1 });
    assert.equal((await got.next()).payload, 'r');
    await sub.subscribeAsync('rh/1', { qos: 0, rh: 1 });
    await got.none(QUIET, 'retained message for an existing subscription');
  });

  test('[MQTT-3.3.1-11] v5: Retain Handling 2 never sends retained messages', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('rh/2', 'r', { qos: 1, retain: true });
    const sub = await lab.client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('rh/2', { qos: 0, rh: 2 });
    await got.none(QUIET, 'retained message with Retain Handling 2');
    await pub.publishAsync('rh/2', 'live', { qos: 0 });
    assert.equal((await got.next()).payload, 'live');
  });

  test('[MQTT-3.3.1-9] v5: a retained message sent on SUBSCRIBE has RETAIN 1 even when RAP is 0', async (t) => {
    const lab = await startLab(t);
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('rh/rap', 'r', { qos: 1, retain: true });
    const sub = await lab.client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('rh/rap', { qos: 1, rap: false, rh: 0 });
    assert.equal((await got.next()).packet.retain, true);
  });
});
