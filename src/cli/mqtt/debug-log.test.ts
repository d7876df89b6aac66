import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Packet } from 'mqtt-packet';
import { DebugLog } from './debug-log.js';
import { MidCounter } from './mids.js';

function log(id?: string) {
  const lines: string[] = [];
  const mids = new MidCounter();
  return { lines, mids, debug: new DebugLog(id, (l) => lines.push(l), mids) };
}

// Expected lines are libmosquitto 2.0.11's, copied from `mosquitto_pub -d` / `mosquitto_sub -d` runs.
test('a QoS 1 publish reads as mosquitto_pub -d prints it', () => {
  const { lines, debug } = log('pc-42');
  debug.sent({ cmd: 'connect' } as Packet);
  debug.received({ cmd: 'connack', returnCode: 0, sessionPresent: false } as Packet);
  debug.sent({
    cmd: 'publish',
    topic: 'ciel',
    payload: Buffer.from('hello'),
    qos: 1,
    messageId: 1,
    dup: false,
    retain: false,
  });
  debug.received({ cmd: 'puback', messageId: 1 } as Packet);
  debug.sent({ cmd: 'disconnect' } as Packet);
  assert.deepEqual(lines, [
    'Client pc-42 sending CONNECT',
    'Client pc-42 received CONNACK (0)',
    "Client pc-42 sending PUBLISH (d0, q1, r0, m1, 'ciel', ... (5 bytes))",
    'Client pc-42 received PUBACK (Mid: 1, RC:0)',
    'Client pc-42 sending DISCONNECT',
  ]);
});

test('no id shows as (null) until an MQTT 5 broker assigns one; QoS 0 publishes are numbered too', () => {
  const { lines, debug, mids } = log(undefined);
  debug.sent({ cmd: 'connect' } as Packet);
  debug.received({
    cmd: 'connack',
    reasonCode: 0,
    sessionPresent: false,
    properties: { assignedClientIdentifier: 'auto-1' },
  } as Packet);
  mids.allocate();
  debug.sent({ cmd: 'publish', topic: 't', payload: 'ab', qos: 0, dup: false, retain: true });
  assert.deepEqual(lines, [
    'Client (null) sending CONNECT',
    'Client auto-1 received CONNACK (0)',
    "Client auto-1 sending PUBLISH (d0, q0, r1, m2, 't', ... (2 bytes))",
  ]);
});

test('subscriber side: SUBSCRIBE per topic with options, QoS 2 flow, UNSUBSCRIBE', () => {
  const { lines, debug } = log('kk');
  debug.sent({
    cmd: 'subscribe',
    messageId: 1,
    subscriptions: [
      { topic: 'z/#', qos: 2 },
      { topic: 'a', qos: 1, nl: true, rap: true, rh: 2 },
    ],
  } as Packet);
  debug.received({ cmd: 'suback', messageId: 1, granted: [2, 1] } as Packet);
  debug.received({
    cmd: 'publish',
    topic: 'z/2',
    payload: Buffer.from('bb'),
    qos: 2,
    messageId: 2,
    dup: false,
    retain: false,
  });
  debug.sent({ cmd: 'pubrec', messageId: 2 } as Packet);
  debug.received({ cmd: 'pubrel', messageId: 2 } as Packet);
  debug.sent({ cmd: 'pubcomp', messageId: 2 } as Packet);
  debug.received({
    cmd: 'publish',
    topic: 'z/3',
    payload: Buffer.alloc(0),
    qos: 0,
    dup: false,
    retain: false,
  });
  debug.sent({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['y'] } as Packet);
  debug.received({ cmd: 'unsuback', messageId: 3 } as Packet);
  debug.sent({ cmd: 'pingreq' } as Packet);
  debug.received({ cmd: 'disconnect', reasonCode: 142 } as Packet);
  assert.deepEqual(lines, [
    'Client kk sending SUBSCRIBE (Mid: 1, Topic: z/#, QoS: 2, Options: 0x00)',
    'Client kk sending SUBSCRIBE (Mid: 1, Topic: a, QoS: 1, Options: 0x2c)',
    'Client kk received SUBACK',
    "Client kk received PUBLISH (d0, q2, r0, m2, 'z/2', ... (2 bytes))",
    'Client kk sending PUBREC (m2, rc0)',
    'Client kk received PUBREL (Mid: 2)',
    'Client kk sending PUBCOMP (m2)',
    "Client kk received PUBLISH (d0, q0, r0, m0, 'z/3', ... (0 bytes))",
    'Client kk sending UNSUBSCRIBE (Mid: 3, Topic: y)',
    'Client kk received UNSUBACK',
    'Client kk sending PINGREQ',
    'Received DISCONNECT (142)',
  ]);
});

test('packet ids count up from 1 like libmosquitto and skip ids still in flight', () => {
  const mids = new MidCounter();
  assert.deepEqual([mids.allocate(), mids.allocate(), mids.consume(), mids.allocate()], [1, 2, 3, 4]);
  assert.equal(mids.register(9), true);
  assert.equal(mids.register(9), false);
  const wrap = new MidCounter();
  for (let i = 0; i < 0xffff; i++) wrap.allocate();
  wrap.deallocate(1);
  assert.equal(wrap.allocate(), 1);
  assert.equal(wrap.allocate(), null, 'every id in flight');
});
