// Malformed packets and protocol errors, built byte by byte where mqtt-packet would refuse to
// encode them (MQTT 3.1.1 §1.5, §2.2, §4.8; MQTT 5.0 §1.5, §2.2.2, §4.13). Each must close only
// the offending connection: the broker goes on serving everyone else.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Packet } from 'mqtt-packet';
import { encode, inbox, type Lab, startLab } from './harness.js';

const disconnects = (sent: Packet[]) =>
  sent.map((p) => [p.cmd, p.cmd === 'disconnect' ? p.reasonCode : undefined]);

/** A v5 PUBLISH to "up" (QoS 0) with these raw property bytes. */
function publishWithProperties(props: number[]): Buffer {
  const body = [0x00, 0x02, 0x75, 0x70, props.length, ...props];
  return Buffer.from([0x30, body.length, ...body]);
}

/** A v5 subscriber on "up", so that whatever is accepted must also be re-encoded. */
async function subscriber(lab: Lab) {
  const sub = await lab.client({ protocolVersion: 5 });
  const got = inbox(sub);
  await sub.subscribeAsync('up', { qos: 0 });
  return got;
}

describe('malformed packets, MQTT 3.1.1', { concurrency: true }, () => {
  const cases: [string, Buffer][] = [
    [
      '[MQTT-3.3.1-4] a PUBLISH with both QoS bits set',
      Buffer.from([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]),
    ],
    [
      '[MQTT-2.3.1-1] a QoS 1 PUBLISH with packet identifier 0',
      Buffer.from([0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00]),
    ],
    ['[MQTT-3.6.1-1] a PUBREL whose reserved flags are not 0010', Buffer.from([0x60, 0x02, 0x00, 0x01])],
    ['[MQTT-1.5.3-1] a topic name that is not UTF-8', Buffer.from([0x30, 0x04, 0x00, 0x02, 0xc3, 0x28])],
    ['[MQTT-4.7.3-2] a topic name with U+0000', Buffer.from([0x30, 0x05, 0x00, 0x03, 0x61, 0x00, 0x62])],
    ['[MQTT-1.5.5-1] a remaining length of five bytes', Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01])],
  ];
  for (const [name, bytes] of cases) {
    test(`${name} closes the connection`, async (t) => {
      const lab = await startLab(t);
      const raw = await lab.rawConnected();
      raw.write(bytes);
      assert.deepEqual(await raw.expectClosed(), []);
      const other = await lab.rawConnected();
      other.send({ cmd: 'pingreq' });
      await other.expect('pingresp');
    });
  }

  test('[MQTT-4.8.0-1] a CONNACK sent by a client is a protocol violation', async (t) => {
    const lab = await startLab(t);
    const raw = await lab.rawConnected();
    raw.write(encode({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
    assert.deepEqual(await raw.expectClosed(), []);
  });
});

describe('malformed properties, MQTT 5.0', { concurrency: true }, () => {
  test('[MQTT-1.5.7-1] a User Property cut short gets DISCONNECT 0x81; subscribers are unharmed', async (t) => {
    const lab = await startLab(t);
    const got = await subscriber(lab);
    const raw = await lab.rawConnected({}, 5);
    // User Property "a" whose value announces 5 bytes at the very end of the packet.
    raw.write(publishWithProperties([0x26, 0x00, 0x01, 0x61, 0x00, 0x05]));
    assert.deepEqual(disconnects(await raw.expectClosed()), [['disconnect', 0x81]]);
    const pub = await lab.client({ protocolVersion: 5 });
    await pub.publishAsync('up', 'fine', { properties: { userProperties: { a: 'b' } } });
    assert.equal((await got.next()).payload, 'fine');
  });

  test('v5 §2.2.2.2: a Content Type given twice is a protocol error (DISCONNECT 0x82)', async (t) => {
    const lab = await startLab(t);
    const got = await subscriber(lab);
    const raw = await lab.rawConnected({}, 5);
    raw.write(publishWithProperties([0x03, 0x00, 0x01, 0x61, 0x03, 0x00, 0x01, 0x62]));
    assert.deepEqual(disconnects(await raw.expectClosed()), [['disconnect', 0x82]]);
    await got.none(undefined, 'a message with a repeated property');
  });

  test('v5 §2.2.2.2: a Correlation Data cut short gets DISCONNECT 0x81', async (t) => {
    const lab = await startLab(t);
    await subscriber(lab);
    const raw = await lab.rawConnected({}, 5);
    raw.write(publishWithProperties([0x09, 0x00, 0x04]));
    assert.deepEqual(disconnects(await raw.expectClosed()), [['disconnect', 0x81]]);
  });

  test('[MQTT-3.1.4-1] v5: a will whose User Property is cut short is refused with CONNACK 0x81', async (t) => {
    const lab = await startLab(t);
    await subscriber(lab);
    const raw = await lab.raw(5);
    const will = { topic: 'up', payload: Buffer.alloc(0), properties: { userProperties: { a: 'b' } } };
    const good = encode(raw.connectPacket({ clientId: 'w', will }), 5);
    // Will properties [7][0x26 "a" "b"] become [6][0x26 "a" len 0x7fff]: the value runs off the end.
    const at = good.indexOf(Buffer.from([0x07, 0x26, 0x00, 0x01, 0x61, 0x00, 0x01, 0x62]));
    const bad = Buffer.concat([
      good.subarray(0, at),
      Buffer.from([0x06, 0x26, 0x00, 0x01, 0x61, 0x7f, 0xff]),
      good.subarray(at + 8),
    ]);
    bad[1] = bad[1]! - 1;
    raw.write(bad);
    const sent = await raw.expectClosed();
    assert.deepEqual(
      sent.map((p) => [p.cmd, p.cmd === 'connack' ? p.reasonCode : undefined]),
      [['connack', 0x81]],
    );
    assert.equal(lab.broker.stats.connected, 1);
  });

  test('[MQTT-3.1.4-1] v5 §2.2.2.2: a will with a repeated property is refused', async (t) => {
    const lab = await startLab(t);
    await subscriber(lab);
    const raw = await lab.raw(5);
    const will = {
      topic: 'up',
      payload: Buffer.alloc(0),
      properties: { contentType: 'x', responseTopic: 'y' },
    };
    const connect = encode(raw.connectPacket({ clientId: 'w', will }), 5);
    // Make the Response Topic (0x08, len 1, "y") a second Content Type (0x03).
    connect[connect.indexOf(Buffer.from([0x08, 0x00, 0x01, 0x79]))] = 0x03;
    raw.write(connect);
    // Closed, with at most a refusing CONNACK before it.
    for (const p of await raw.expectClosed()) assert.ok(p.cmd === 'connack' && p.reasonCode! >= 0x80, p.cmd);
    assert.equal(lab.broker.stats.connected, 1);
  });
});
