// CONNECT / CONNACK, takeover, the CONNECT deadline, keepalive and PINGREQ (MQTT 3.1.1 §3.1,
// §3.2, §3.12; MQTT 5.0 §3.1, §3.2, §3.12). Rule ids are 3.1.1's unless the name says v5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encode, QUIET, sleep, startLab } from './harness.js';

describe('CONNECT and CONNACK', { concurrency: true }, () => {
  test('[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection unanswered', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.raw();
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] });
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.1.0-1] [MQTT-3.14.0-1] v5: no DISCONNECT before a CONNACK, just the close', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.raw(5);
    raw.send({ cmd: 'pingreq' });
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.1.0-1] a socket that sends nothing is closed at the CONNECT deadline', async (t) => {
    const lab = await startLab(t, { connectTimeoutMs: 150 });
    const raw = await lab.raw();
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.1.0-2] a second CONNECT is a protocol violation: the connection is closed', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({ clientId: 'twice' });
    raw.send(raw.connectPacket({ clientId: 'twice' }));
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.1.0-2] v5: a second CONNECT gets DISCONNECT 0x82 (Protocol Error) and a close', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({ clientId: 'twice5' }, 5);
    raw.send(raw.connectPacket({ clientId: 'twice5' }));
    const rest = await raw.expectClosed();
    assert.deepEqual(
      rest.map((p) => [p.cmd, p.cmd === 'disconnect' ? p.reasonCode : undefined]),
      [['disconnect', 0x82]],
    );
  });

  test('[MQTT-3.1.2-3] a CONNECT whose reserved flag is set is closed without CONNACK', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.raw();
    const frame = encode(raw.connectPacket({ clientId: 'reserved' }));
    // Fixed header (2) + "MQTT" (6) + level (1): byte 9 holds the connect flags; bit 0 is reserved.
    frame[9] = frame[9]! | 0x01;
    raw.write(frame);
    assert.deepEqual(await raw.expectClosed(), []);
  });

  test('[MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 0x01 and a close', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.raw();
    const frame = encode(raw.connectPacket({ clientId: 'level6' }));
    frame[8] = 6;
    raw.write(frame);
    const sent = await raw.expectClosed();
    assert.deepEqual(
      sent.map((p) => [p.cmd, p.cmd === 'connack' ? p.returnCode : undefined]),
      [['connack', 1]],
    );
  });

  test('[MQTT-3.1.3-8] a zero-length client id with CleanSession 0 gets CONNACK 0x02, then a close', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.raw();
    // mqtt-packet refuses to encode this CONNECT, so the CleanSession bit is cleared by hand.
    const frame = encode(raw.connectPacket({ clientId: '', clean: true }));
    frame[9] = frame[9]! & ~0x02;
    raw.write(frame);
    const connack = await raw.expect('connack');
    assert.equal(connack.returnCode, 0x02);
    assert.equal(connack.sessionPresent, false); // [MQTT-3.2.2-4]
    await raw.expectClosed();
  });

  test('[MQTT-3.1.4-6] v5: nothing sent after a refused CONNECT is processed', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.raw(5);
    const refused = raw.connectPacket({ clientId: 'x', properties: { authenticationMethod: 'SCRAM-SHA-1' } });
    const publish = {
      cmd: 'publish',
      topic: 'smuggled',
      payload: 'x',
      qos: 0,
      retain: true,
      dup: false,
    } as const;
    raw.write(Buffer.concat([encode(refused, 5), encode(publish, 5)]));
    const sent = await raw.expectClosed();
    assert.equal(sent[0]?.cmd, 'connack');
    assert.ok(sent[0]?.cmd === 'connack' && sent[0].reasonCode! >= 0x80);
    assert.equal(lab.broker.retained.size, 0, 'the PUBLISH after a refused CONNECT was processed');
  });

  test('[MQTT-3.1.3-6] a zero-length client id with CleanSession 1 is accepted with a unique id', async (t) => {
    const lab = await startLab(t);
    const a = await lab.raw();
    const b = await lab.raw();
    assert.equal((await a.connect({ clientId: '' })).returnCode, 0);
    assert.equal((await b.connect({ clientId: '' })).returnCode, 0);
    assert.equal(lab.broker.sessions.size, 2, 'two sessions with distinct assigned ids');
  });

  test('[MQTT-3.2.2-16] [MQTT-3.1.3-7] v5: a zero-length client id gets an Assigned Client Identifier', async (t) => {
    const lab = await startLab(t);
    const a = await lab.raw(5);
    const b = await lab.raw(5);
    const ida = (await a.connect({ clientId: '' })).properties?.assignedClientIdentifier;
    const idb = (await b.connect({ clientId: '' })).properties?.assignedClientIdentifier;
    assert.ok(ida && idb, 'Assigned Client Identifier present');
    assert.notEqual(ida, idb);
    assert.ok(lab.broker.sessions.has(ida));
  });

  test('[MQTT-3.2.2-1] [MQTT-3.2.2-2] [MQTT-3.2.2-3] Session Present reflects stored session state', async (t) => {
    const lab = await startLab(t);
    const first = await lab.raw();
    assert.equal((await first.connect({ clientId: 'sp', clean: false })).sessionPresent, false);
    first.send({ cmd: 'disconnect' });
    await first.expectClosed();
    const second = await lab.raw();
    assert.equal((await second.connect({ clientId: 'sp', clean: false })).sessionPresent, true);
    second.send({ cmd: 'disconnect' });
    await second.expectClosed();
    const third = await lab.raw();
    assert.equal((await third.connect({ clientId: 'sp', clean: true })).sessionPresent, false);
  });

  test('[MQTT-3.1.4-2] a second connection with the same client id takes over', async (t) => {
    const lab = await startLab(t);
    const old = await lab.rawConnected({ clientId: 'same' });
    const fresh = await lab.rawConnected({ clientId: 'same' });
    assert.deepEqual(await old.expectClosed(), []);
    fresh.send({ cmd: 'pingreq' });
    await fresh.expect('pingresp');
    assert.equal(lab.broker.stats.connected, 1);
  });

  test('[MQTT-3.1.4-3] v5: the displaced connection gets DISCONNECT 0x8E (Session taken over)', async (t) => {
    const lab = await startLab(t);
    const old = await lab.rawConnected({ clientId: 'same5' }, 5);
    await lab.rawConnected({ clientId: 'same5' }, 5);
    const sent = await old.expectClosed();
    assert.deepEqual(
      sent.map((p) => [p.cmd, p.cmd === 'disconnect' ? p.reasonCode : undefined]),
      [['disconnect', 0x8e]],
    );
  });

  test('[MQTT-3.1.4-5] v5: CONNACK 0x00 advertises the server limits', async (t) => {
    const lab = await startLab(t, { maxInflightMessages: 7, maxTopicAlias: 3, maxPacketSize: 4096 });
    const raw = await lab.raw(5);
    const connack = await raw.connect({ clientId: 'limits' });
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties?.receiveMaximum, 7);
    assert.equal(connack.properties?.topicAliasMaximum, 3);
    assert.equal(connack.properties?.maximumPacketSize, 4096);
  });
});

describe('keepalive and PINGREQ', { concurrency: true }, () => {
  test('[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    raw.send({ cmd: 'pingreq' });
    await raw.expect('pingresp');
  });

  test('[MQTT-3.1.2-24] a client silent for 1.5 x keepalive is disconnected; activity keeps it', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({ keepalive: 1 });
    // Pings every 600 ms carry it past 1.5 s since CONNECT.
    for (let i = 0; i < 3; i++) {
      await sleep(600);
      raw.send({ cmd: 'pingreq' });
      await raw.expect('pingresp');
    }
    assert.equal(raw.isClosed, false);
    await raw.expectClosed();
  });

  test('[MQTT-3.1.2-22] [MQTT-3.2.2-21] v5: Server Keep Alive is imposed and enforced', async (t) => {
    const lab = await startLab(t, { maxKeepalive: 1 });
    const raw = await lab.raw(5);
    const connack = await raw.connect({ clientId: 'ska', keepalive: 600 });
    assert.equal(connack.properties?.serverKeepAlive, 1);
    const sent = await raw.expectClosed();
    // Closing "as if the network had failed" may be preceded by DISCONNECT 0x8D (Keep Alive timeout).
    for (const p of sent) assert.ok(p.cmd === 'disconnect' && p.reasonCode === 0x8d, p.cmd);
  });

  test('[MQTT-3.1.2-24] keepalive 0 turns the mechanism off', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({ keepalive: 0 });
    await sleep(QUIET);
    assert.equal(raw.isClosed, false);
  });
});
