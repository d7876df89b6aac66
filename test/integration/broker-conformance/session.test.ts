// Sessions: CleanSession / Clean Start, Session Expiry Interval, the offline queue and the
// resend of unacknowledged messages (MQTT 3.1.1 §3.1.2.4, §4.1, §4.4; MQTT 5.0 §3.1.2.11.2,
// §4.1, §4.4). Rule ids are 3.1.1's unless the name says v5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inbox, QUIET, sleep, startLab, until } from './harness.js';

describe('persistent sessions', { concurrency: true }, () => {
  test('[MQTT-3.1.2-4] CleanSession 0 resumes the session: subscriptions survive a reconnect', async (t) => {
    const lab = await startLab(t);
    const first = await lab.rawConnected({ clientId: 'keep', clean: false });
    await first.subscribe('sess/a', 1);
    first.send({ cmd: 'disconnect' });
    await first.expectClosed();
    const second = await lab.raw();
    assert.equal((await second.connect({ clientId: 'keep', clean: false })).sessionPresent, true);
    const pub = await lab.client();
    await pub.publishAsync('sess/a', 'still here', { qos: 1 });
    assert.equal((await second.expect('publish')).payload.toString(), 'still here');
  });

  test('[MQTT-3.1.2-6] CleanSession 1 discards the previous session', async (t) => {
    const lab = await startLab(t);
    const first = await lab.rawConnected({ clientId: 'wipe', clean: false });
    await first.subscribe('sess/b', 1);
    first.send({ cmd: 'disconnect' });
    await first.expectClosed();
    const second = await lab.raw();
    assert.equal((await second.connect({ clientId: 'wipe', clean: true })).sessionPresent, false);
    const pub = await lab.client();
    await pub.publishAsync('sess/b', 'gone', { qos: 1 });
    await second.packets.none(QUIET, 'message for a discarded subscription');
  });

  test('[MQTT-3.1.2-5] QoS 1 messages are queued for an offline session; QoS 0 ones are not', async (t) => {
    const lab = await startLab(t);
    const first = await lab.rawConnected({ clientId: 'away', clean: false });
    await first.subscribe('sess/q', 1);
    first.destroy();
    await until(() => lab.broker.sessions.get('away')?.online === false, 'session offline');
    const pub = await lab.client();
    await pub.publishAsync('sess/q', 'q1-a', { qos: 1 });
    await pub.publishAsync('sess/q', 'q0', { qos: 0 });
    await pub.publishAsync('sess/q', 'q1-b', { qos: 1 });
    const back = await lab.rawConnected({ clientId: 'away', clean: false });
    const [a, b] = [await back.expect('publish'), await back.expect('publish')];
    assert.deepEqual([a.payload.toString(), b.payload.toString()], ['q1-a', 'q1-b']);
    await back.packets.none(QUIET, 'QoS 0 message queued offline');
  });

  test('[MQTT-4.4.0-1] [MQTT-3.3.1-1] unacknowledged PUBLISH is resent with DUP 1 and its original id', async (t) => {
    const lab = await startLab(t);
    const first = await lab.rawConnected({ clientId: 'redo', clean: false });
    await first.subscribe('sess/r', 1);
    const pub = await lab.client();
    await pub.publishAsync('sess/r', 'unacked', { qos: 1 });
    const original = await first.expect('publish');
    assert.equal(original.dup, false);
    first.destroy();
    await first.closed;
    const back = await lab.rawConnected({ clientId: 'redo', clean: false });
    const again = await back.expect('publish');
    assert.equal(again.dup, true);
    assert.equal(again.messageId, original.messageId);
    assert.equal(again.payload.toString(), 'unacked');
    back.send({ cmd: 'puback', messageId: again.messageId });
    await back.packets.none(QUIET, 'a further resend');
  });

  test('[MQTT-4.4.0-1] a PUBREL not yet completed is resent on reconnect, not the PUBLISH', async (t) => {
    const lab = await startLab(t);
    const first = await lab.rawConnected({ clientId: 'redo2', clean: false });
    await first.subscribe('sess/r2', 2);
    const pub = await lab.client();
    await pub.publishAsync('sess/r2', 'x', { qos: 2 });
    const p = await first.expect('publish');
    first.send({ cmd: 'pubrec', messageId: p.messageId });
    await first.expect('pubrel');
    first.destroy();
    await first.closed;
    const back = await lab.rawConnected({ clientId: 'redo2', clean: false });
    assert.equal((await back.expect('pubrel')).messageId, p.messageId);
    back.send({ cmd: 'pubcomp', messageId: p.messageId });
    await back.packets.none(QUIET, 'PUBLISH after PUBREL');
  });

  test('[MQTT-4.3.3-2] QoS 2 receive state survives a reconnect: the retransmission is not redelivered', async (t) => {
    const lab = await startLab(t);
    const sub = await lab.client();
    const got = inbox(sub);
    await sub.subscribeAsync('sess/in2', { qos: 2 });
    const publish = {
      cmd: 'publish',
      topic: 'sess/in2',
      payload: 'once',
      qos: 2,
      messageId: 5,
      retain: false,
    } as const;
    const first = await lab.rawConnected({ clientId: 'pub2', clean: false });
    first.send({ ...publish, dup: false });
    await first.expect('pubrec');
    first.destroy();
    await first.closed;
    const back = await lab.rawConnected({ clientId: 'pub2', clean: false });
    back.send({ ...publish, dup: true });
    await back.expect('pubrec');
    back.send({ cmd: 'pubrel', messageId: 5 });
    await back.expect('pubcomp');
    assert.equal((await got.next()).payload, 'once');
    await got.none(QUIET, 'duplicate delivery');
  });

  test('[MQTT-3.1.2-7] retained messages outlive the session that published them', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({ clean: true });
    raw.send({
      cmd: 'publish',
      topic: 'sess/ret',
      payload: 'stays',
      qos: 1,
      messageId: 1,
      retain: true,
      dup: false,
    });
    await raw.expect('puback');
    raw.send({ cmd: 'disconnect' });
    await raw.expectClosed();
    assert.equal(lab.broker.retained.size, 1);
  });

  test('[MQTT-3.2.2-3] a takeover of a CleanSession 1 connection does not resume its session', async (t) => {
    const lab = await startLab(t);
    const old = await lab.rawConnected({ clientId: 'brief', clean: true });
    await old.subscribe('sess/brief', 1);
    const fresh = await lab.raw();
    assert.equal((await fresh.connect({ clientId: 'brief', clean: false })).sessionPresent, false);
    await old.expectClosed();
    assert.equal(lab.broker.sessions.get('brief')?.subscriptions.size, 0);
  });

  test('maxQueuedMessages + queue_full_policy drop: an offline session keeps at most N messages; drops are counted and emitted', async (t) => {
    const lab = await startLab(t, { maxQueuedMessages: 2, queueFullPolicy: 'drop' });
    const dropped: string[] = [];
    lab.broker.events.subscribe((e) => {
      if (e.type === 'message-dropped') dropped.push(`${e.clientId} ${e.topic} ${e.reason}`);
    });
    const first = await lab.rawConnected({ clientId: 'full', clean: false });
    await first.subscribe('sess/full', 1);
    first.send({ cmd: 'disconnect' });
    await first.expectClosed();
    const pub = await lab.client();
    for (let i = 0; i < 5; i++) await pub.publishAsync('sess/full', String(i), { qos: 1 });
    assert.equal(lab.broker.stats.publishDropped, 3);
    assert.deepEqual(dropped, Array(3).fill('full sess/full queue-full'));
    const back = await lab.rawConnected({ clientId: 'full', clean: false });
    const kept = [await back.expect('publish'), await back.expect('publish')];
    assert.deepEqual(
      kept.map((p) => p.payload.toString()),
      ['0', '1'],
    );
    await back.packets.none(QUIET, 'a dropped message');
  });

  test('maxQueuedMessages + queue_full_policy block (default): a full queue stops reading the publisher while its subscriber drains; nothing is dropped', async (t) => {
    const lab = await startLab(t, { maxQueuedMessages: 2, maxInflightMessages: 1 });
    // Online, but withholding its PUBACKs for now.
    const sub = await lab.rawConnected({ clientId: 'held', clean: false });
    await sub.subscribe('sess/held', 1);
    const pub = await lab.raw();
    await pub.connect({ clientId: 'pub-held' });
    for (let i = 1; i <= 6; i++) {
      pub.send({
        cmd: 'publish',
        topic: 'sess/held',
        payload: Buffer.from(String(i)),
        qos: 1,
        messageId: i,
        dup: false,
        retain: false,
      });
      await sleep(30);
    }
    const acked: number[] = [];
    for (;;) {
      const ack = await pub.packets.next(QUIET, 'puback').catch(() => undefined);
      if (!ack) break;
      acked.push((ack as { messageId: number }).messageId);
    }
    // One in flight, two queued: the publisher is held from the fourth on.
    assert.ok(
      acked.length >= 3 && acked.length < 6,
      `held after the queue filled (acked ${acked.join(',')})`,
    );
    assert.equal(lab.broker.stats.publishDropped, 0);
    // The subscriber acknowledges: the queue drains, the publisher is read again, all six arrive.
    const got: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = await sub.expect('publish');
      got.push(p.payload.toString());
      sub.send({ cmd: 'puback', messageId: p.messageId });
    }
    assert.deepEqual(got, ['1', '2', '3', '4', '5', '6']);
    assert.equal(lab.broker.stats.publishDropped, 0);
  });

  test('queue_full_policy block never holds publishers for an absent or stalled subscriber (drops are counted)', async (t) => {
    const lab = await startLab(t, { maxQueuedMessages: 2, queueStallMs: 200 });
    const reasons: string[] = [];
    lab.broker.events.subscribe((e) => {
      if (e.type === 'message-dropped') reasons.push(e.reason);
    });
    // Offline persistent session: its queue fills, then messages for it are dropped.
    const away = await lab.rawConnected({ clientId: 'away', clean: false });
    await away.subscribe('sess/away', 1);
    away.send({ cmd: 'disconnect' });
    await away.expectClosed();
    const pub = await lab.client();
    for (let i = 0; i < 5; i++) await pub.publishAsync('sess/away', String(i), { qos: 1 });
    assert.deepEqual(reasons, Array(3).fill('offline-queue-full'));
    // Connected but never acknowledging: held at most queueStallMs, then dropped.
    const stuck = await lab.rawConnected({ clientId: 'stuck', clean: false });
    await stuck.subscribe('sess/stuck', 1);
    for (let i = 0; i < 40; i++) await pub.publishAsync('sess/stuck', String(i), { qos: 1 });
    assert.ok(reasons.includes('subscriber-stalled'), 'the stalled subscriber lost messages, counted');
  });
});

describe('Session Expiry Interval, MQTT 5.0', { concurrency: true }, () => {
  test('[MQTT-4.1.0-2] v5: the session is discarded once its expiry interval has passed', async (t) => {
    const lab = await startLab(t);
    const first = await lab.rawConnected({ clientId: 'exp', properties: { sessionExpiryInterval: 1 } }, 5);
    first.send({ cmd: 'disconnect' });
    await first.expectClosed();
    assert.ok(lab.broker.sessions.has('exp'), 'kept while the interval runs');
    await until(() => !lab.broker.sessions.has('exp'), 'session expired');
    assert.equal(lab.broker.stats.expired, 1);
    const back = await lab.raw(5);
    assert.equal((await back.connect({ clientId: 'exp', clean: false })).sessionPresent, false);
  });

  test('[MQTT-3.1.2-23] v5: a session with expiry > 0 is kept; Session Present 1 on resume', async (t) => {
    const lab = await startLab(t);
    const props = { sessionExpiryInterval: 60 };
    const first = await lab.rawConnected({ clientId: 'stay', properties: props }, 5);
    first.destroy();
    await first.closed;
    const back = await lab.raw(5);
    assert.equal(
      (await back.connect({ clientId: 'stay', clean: false, properties: props })).sessionPresent,
      true,
    );
  });

  test('[MQTT-3.1.2-23] v5: a Session Expiry Interval of 30 days keeps the session', async (t) => {
    const lab = await startLab(t);
    const props = { sessionExpiryInterval: 30 * 86_400 };
    const first = await lab.rawConnected({ clientId: 'month', properties: props }, 5);
    first.destroy();
    await first.closed;
    await sleep(QUIET);
    assert.ok(lab.broker.sessions.has('month'), 'session expired at once');
  });

  test('[MQTT-4.1.0-2] v5: Session Expiry Interval 0 ends the session with the connection', async (t) => {
    const lab = await startLab(t);
    const first = await lab.rawConnected({ clientId: 'zero' }, 5);
    first.destroy();
    await first.closed;
    await until(() => !lab.broker.sessions.has('zero'), 'session ended');
    const back = await lab.raw(5);
    assert.equal((await back.connect({ clientId: 'zero', clean: false })).sessionPresent, false);
  });

  test('v5 §3.14.2.2.2: DISCONNECT can shorten the interval to 0; raising it from 0 is a protocol error', async (t) => {
    const lab = await startLab(t);
    const shorten = await lab.rawConnected(
      { clientId: 'short', properties: { sessionExpiryInterval: 60 } },
      5,
    );
    shorten.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 0 } });
    await shorten.expectClosed();
    await until(() => !lab.broker.sessions.has('short'), 'session ended at DISCONNECT');
    const raise = await lab.rawConnected({ clientId: 'raise' }, 5);
    raise.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 60 } });
    const sent = await raise.expectClosed();
    assert.deepEqual(
      sent.map((p) => [p.cmd, p.cmd === 'disconnect' ? p.reasonCode : undefined]),
      [['disconnect', 0x82]],
    );
  });

  test('[MQTT-3.2.2-3] v5: a takeover of a session with expiry 0 starts a new session', async (t) => {
    const lab = await startLab(t);
    const old = await lab.rawConnected({ clientId: 'brief5' }, 5);
    const fresh = await lab.raw(5);
    const connack = await fresh.connect({
      clientId: 'brief5',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    assert.equal(connack.sessionPresent, false);
    await old.expectClosed();
  });
});
