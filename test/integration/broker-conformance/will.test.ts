// Will messages (MQTT 3.1.1 §3.1.2.5-3.1.2.7, §3.14.4; MQTT 5.0 §3.1.2.5, §3.1.3.2 Will Delay
// Interval, §3.14.2.1 reason 0x04). Rule ids are 3.1.1's unless the name says v5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IConnectPacket } from 'mqtt-packet';
import { inbox, type Lab, QUIET, startLab } from './harness.js';

type Will = NonNullable<IConnectPacket['will']>;

async function watcher(lab: Lab, filter = 'will/#', protocolVersion: 4 | 5 = 4) {
  const client = await lab.client({ protocolVersion });
  const got = inbox(client);
  await client.subscribeAsync(filter, { qos: 1 });
  return got;
}

const will = (extra: Partial<Will> = {}): Will => ({
  topic: 'will/gone',
  payload: Buffer.from('bye'),
  qos: 1,
  retain: false,
  ...extra,
});

describe('will messages', { concurrency: true }, () => {
  test('[MQTT-3.1.2-8] the will is published when the connection closes without DISCONNECT', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab);
    const raw = await lab.rawConnected({ will: will() });
    raw.destroy();
    const m = await got.next();
    assert.equal(m.topic, 'will/gone');
    assert.equal(m.payload, 'bye');
    assert.equal(m.packet.qos, 1);
  });

  test('[MQTT-3.1.2-10] [MQTT-3.14.4-3] DISCONNECT discards the will', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab);
    const raw = await lab.rawConnected({ will: will() });
    raw.send({ cmd: 'disconnect' });
    await raw.expectClosed();
    await got.none(QUIET, 'will after DISCONNECT');
  });

  test('[MQTT-3.1.2-8] the will is published when the server closes for a protocol violation', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab);
    const raw = await lab.rawConnected({ will: will() });
    raw.send({ cmd: 'publish', topic: 'bad/#', payload: 'x', qos: 0, retain: false, dup: false });
    await raw.expectClosed();
    assert.equal((await got.next()).payload, 'bye');
  });

  test('[MQTT-3.1.2-8] [MQTT-3.1.2-24] the will is published when keepalive expires', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab);
    const raw = await lab.rawConnected({ keepalive: 1, will: will() });
    await raw.expectClosed();
    assert.equal((await got.next()).payload, 'bye');
  });

  test('[MQTT-3.1.2-16] Will Retain 0 publishes a non-retained will', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({ will: will({ retain: false }) });
    raw.destroy();
    await raw.closed;
    const got = await watcher(lab);
    await got.none(QUIET, 'retained will');
    assert.equal(lab.broker.retained.size, 0);
  });

  test('[MQTT-3.1.2-17] Will Retain 1 publishes a retained will', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected({ will: will({ retain: true }) });
    raw.destroy();
    await raw.closed;
    await new Promise((resolve) => setImmediate(resolve));
    const got = await watcher(lab);
    const m = await got.next();
    assert.equal(m.payload, 'bye');
    assert.equal(m.packet.retain, true);
  });
});

describe('will messages, MQTT 5.0', { concurrency: true }, () => {
  test('[MQTT-3.14.4-3] v5: DISCONNECT 0x00 discards the will, 0x04 publishes it', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab, 'will/#', 5);
    const normal = await lab.rawConnected({ will: will({ payload: Buffer.from('normal') }) }, 5);
    normal.send({ cmd: 'disconnect', reasonCode: 0x00 });
    await normal.expectClosed();
    const withWill = await lab.rawConnected({ will: will({ payload: Buffer.from('asked') }) }, 5);
    withWill.send({ cmd: 'disconnect', reasonCode: 0x04 });
    await withWill.expectClosed();
    assert.equal((await got.next()).payload, 'asked');
    await got.none(QUIET, 'will of the normal DISCONNECT');
  });

  test('[MQTT-3.1.2-8] v5: the will waits for the Will Delay Interval', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab, 'will/#', 5);
    const raw = await lab.rawConnected(
      {
        clientId: 'delayed',
        properties: { sessionExpiryInterval: 60 },
        will: will({ properties: { willDelayInterval: 1 } }),
      },
      5,
    );
    raw.destroy();
    await got.none(QUIET, 'will before its delay');
    assert.equal((await got.next()).payload, 'bye');
  });

  test('[MQTT-3.1.2-8] v5: a Will Delay Interval of 30 days is not cut short', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab, 'will/#', 5);
    const month = 30 * 86_400;
    const raw = await lab.rawConnected(
      {
        properties: { sessionExpiryInterval: month },
        will: will({ properties: { willDelayInterval: month } }),
      },
      5,
    );
    raw.destroy();
    await got.none(QUIET, 'will 30 days early');
  });

  test('[MQTT-3.1.3-9] v5: a reconnect within the Will Delay Interval cancels the will', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab, 'will/#', 5);
    const fields = {
      clientId: 'back',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
      will: will({ properties: { willDelayInterval: 1 } }),
    };
    const first = await lab.rawConnected(fields, 5);
    first.destroy();
    await first.closed;
    const second = await lab.rawConnected({ ...fields, will: undefined }, 5);
    await got.none(1300, 'will after a reconnect within the delay');
    second.send({ cmd: 'disconnect' });
  });

  test('[MQTT-3.1.2-8] v5: the will goes out when the session ends before the delay', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab, 'will/#', 5);
    const raw = await lab.rawConnected(
      { properties: { sessionExpiryInterval: 0 }, will: will({ properties: { willDelayInterval: 3600 } }) },
      5,
    );
    raw.destroy();
    assert.equal((await got.next()).payload, 'bye');
  });

  test('[MQTT-3.1.2-8] v5: a Clean Start reconnect ends the session, so a delayed will is published', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab, 'will/#', 5);
    const fields = { clientId: 'restart', properties: { sessionExpiryInterval: 60 } };
    const first = await lab.rawConnected(
      { ...fields, will: will({ properties: { willDelayInterval: 3600 } }) },
      5,
    );
    first.destroy();
    await first.closed;
    await lab.rawConnected({ ...fields, clean: true }, 5);
    assert.equal((await got.next()).payload, 'bye');
  });

  test('[MQTT-3.1.2-8] [MQTT-3.1.4-3] v5: a takeover with Clean Start ends the session: the will is published', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab, 'will/#', 5);
    const fields = { clientId: 'taken', properties: { sessionExpiryInterval: 60 } };
    const old = await lab.rawConnected(
      { ...fields, will: will({ properties: { willDelayInterval: 3600 } }) },
      5,
    );
    await lab.rawConnected({ ...fields, clean: true }, 5);
    await old.expectClosed();
    assert.equal((await got.next()).payload, 'bye');
  });

  test('[MQTT-3.1.3-9] v5: a takeover resuming the session within the delay sends no will', async (t) => {
    const lab = await startLab(t);
    const got = await watcher(lab, 'will/#', 5);
    const fields = { clientId: 'kept', clean: false, properties: { sessionExpiryInterval: 60 } };
    const old = await lab.rawConnected(
      { ...fields, will: will({ properties: { willDelayInterval: 3600 } }) },
      5,
    );
    await lab.rawConnected(fields, 5);
    await old.expectClosed();
    await got.none(QUIET, 'will of a resumed session');
  });
});
