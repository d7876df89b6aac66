import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate, type IPublishPacket, type Packet, parser, type QoS } from 'mqtt-packet';
import { MqttDecoder, type ProtocolVersion } from './decoder.js';
import { encodeAck, encodePacket, encodePublish } from './encoder.js';
import { normalizePacket as normalize } from '../../../test/helpers/mqtt-packets.js';

// mqtt-packet is the independent oracle: its `generate` must agree with every golden byte
// string, and its parser must read back what we encode.

function ours(bytes: Buffer, version: ProtocolVersion): unknown[] {
  const decoder = new MqttDecoder({ maxPacketSize: 268_435_460, protocolVersion: version });
  const out: Packet[] = [];
  const failure = decoder.push(bytes, (p) => out.push(p));
  assert.equal(failure, undefined, failure?.message);
  return out.map((p) => normalize(p));
}

function oracle(bytes: Buffer, version: ProtocolVersion): unknown[] {
  const p = parser({ protocolVersion: version });
  const out: Packet[] = [];
  p.on('packet', (packet) => out.push(packet));
  p.on('error', (e: Error) => assert.fail(`mqtt-packet: ${e.message}`));
  p.parse(bytes);
  return out.map((packet) => normalize(packet));
}

const b = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const hi = text('hi');
function pub(topic: string, payload: Buffer, qos: QoS, more?: Partial<IPublishPacket>): IPublishPacket {
  return { cmd: 'publish', topic, payload, qos, retain: false, dup: false, ...more };
}
const CONNECT_V4 = {
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clean: true,
  keepalive: 60,
} as const;
const CONNECT_V5 = { ...CONNECT_V4, protocolVersion: 5 } as const;
const ENV_NL = { topic: 'm5go/env', qos: 1, nl: true, rap: false, rh: 0 } as const;

/** Hand-written from the spec's layouts (3.1.1 §3, 5.0 §3); "A𪛔" is the 5.0 §1.5.4 example. */
const GOLDEN: [ProtocolVersion, string, Packet][] = [
  [4, '10 10 0004 4d515454 04 02 003c 0004 6d35676f', { ...CONNECT_V4, clientId: 'm5go' }],
  [4, '20 02 00 00', { cmd: 'connack', sessionPresent: false, returnCode: 0 }],
  [4, '30 07 0003 612f62 6869', pub('a/b', hi, 0)],
  [4, '3b 09 0003 612f62 000a 6869', pub('a/b', hi, 1, { retain: true, dup: true, messageId: 10 })],
  [4, '34 09 0005 41f0aa9b94 ffff', pub('A\u{2A6D4}', Buffer.alloc(0), 2, { messageId: 65535 })],
  [4, '40 02 000a', { cmd: 'puback', messageId: 10 }],
  [4, '50 02 000a', { cmd: 'pubrec', messageId: 10 }],
  [4, '62 02 000a', { cmd: 'pubrel', messageId: 10 }],
  [4, '70 02 000a', { cmd: 'pubcomp', messageId: 10 }],
  [
    4,
    '82 0d 0001 0008 6d35676f2f656e76 01',
    { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'm5go/env', qos: 1 }] },
  ],
  [4, '90 04 0001 01 80', { cmd: 'suback', messageId: 1, granted: [1, 0x80] }],
  [
    4,
    'a2 0c 0002 0008 6d35676f2f656e76',
    { cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['m5go/env'] },
  ],
  [4, 'b0 02 0002', { cmd: 'unsuback', messageId: 2 } as Packet], // 3.1.1 has no `granted` its type asks for
  [4, 'c0 00', { cmd: 'pingreq' }],
  [4, 'd0 00', { cmd: 'pingresp' }],
  [4, 'e0 00', { cmd: 'disconnect' }],
  [
    5,
    '10 16 0004 4d515454 05 02 003c 05 110000012c 0004 6d35676f',
    { ...CONNECT_V5, clientId: 'm5go', properties: { sessionExpiryInterval: 300 } },
  ],
  [
    5,
    '20 06 00 00 03 22000a',
    { cmd: 'connack', sessionPresent: false, reasonCode: 0, properties: { topicAliasMaximum: 10 } },
  ],
  [5, '30 08 0003 612f62 00 6869', pub('a/b', hi, 0)],
  [
    5,
    '32 0d 0003 612f62 000a 03 230001 6869',
    pub('a/b', hi, 1, { messageId: 10, properties: { topicAlias: 1 } }),
  ],
  [5, '40 02 000a', { cmd: 'puback', messageId: 10, reasonCode: 0 }],
  [5, '40 04 000a 10 00', { cmd: 'puback', messageId: 10, reasonCode: 0x10 }],
  [
    5,
    '82 10 0001 02 0b07 0008 6d35676f2f656e76 05',
    { cmd: 'subscribe', messageId: 1, properties: { subscriptionIdentifier: 7 }, subscriptions: [ENV_NL] },
  ],
  [5, '90 04 0001 00 01', { cmd: 'suback', messageId: 1, granted: [1] }],
  [5, 'e0 02 8e 00', { cmd: 'disconnect', reasonCode: 0x8e }],
  [5, 'f0 06 18 04 15 0001 78', { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'x' } }],
];

for (const [version, hex, packet] of GOLDEN) {
  test(`golden v${version} ${packet.cmd} ${hex}: generate = bytes = encodePacket, parse(bytes) = object`, () => {
    const bytes = b(hex);
    assert.equal(generate(packet, { protocolVersion: version }).toString('hex'), bytes.toString('hex'));
    assert.equal(encodePacket(packet, version).toString('hex'), bytes.toString('hex'));
    assert.deepEqual(oracle(bytes, version), [normalize(packet)]);
    assert.deepEqual(ours(bytes, version), [normalize(packet)]);
  });
}

test('[MQTT-1.5.5] remaining length at each Variable Byte Integer boundary (5.0 §1.5.5 table)', () => {
  // Remaining length = 2 (topic length) + 1 (topic "t") + payload.
  const cases: [number, string][] = [
    [127, '7f'],
    [128, '8001'],
    [16_383, 'ff7f'],
    [16_384, '808001'],
    [2_097_151, 'ffff7f'],
    [2_097_152, '80808001'],
  ];
  for (const [remaining, varint] of cases) {
    const payload = Buffer.alloc(remaining - 3, 0x5a);
    const bytes = encodePublish('t', payload, 0, false, false, undefined, 4);
    assert.equal(bytes.subarray(1, 1 + varint.length / 2).toString('hex'), varint, `${remaining}`);
    assert.equal(bytes.length, 1 + varint.length / 2 + remaining);
    assert.ok(
      bytes.equals(generate({ cmd: 'publish', topic: 't', payload, qos: 0, retain: false, dup: false })),
    );
  }
});

test('acknowledgements: encodeAck = generate for every ack and boundary packet identifiers', () => {
  for (const cmd of ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const) {
    for (const messageId of [1, 255, 256, 65_535]) {
      for (const version of [4, 5] as const) {
        const expected = generate({ cmd, messageId, reasonCode: 0 }, { protocolVersion: version });
        assert.ok(encodeAck(cmd, messageId).equals(expected), `${cmd} ${messageId} v${version}`);
      }
    }
  }
});

test('PUBLISH with empty or all-undefined properties, or a string payload, encodes as generate does', () => {
  const cases: IPublishPacket[] = [
    pub('a', hi, 1, { messageId: 3, properties: {} }),
    pub('a', hi, 0, { properties: { topicAlias: undefined, userProperties: undefined } }),
    { ...pub('é', hi, 2, { messageId: 4 }), payload: 'ü text' },
  ];
  for (const packet of cases) {
    for (const version of [4, 5] as const) {
      assert.ok(encodePacket(packet, version).equals(generate(packet, { protocolVersion: version })));
    }
  }
});

const users = { userProperties: { region: 'eu', unit: ['C', 'F'] } };
const WILL = { topic: 'w', payload: text('gone'), qos: 2, retain: false } as const;
const CONNECT_PROPS = { sessionExpiryInterval: 60, receiveMaximum: 10, maximumPacketSize: 1024, ...users };
const MORE_CONNECT_PROPS = { topicAliasMaximum: 5, requestProblemInformation: false };
const CONNACK_PROPS = { assignedClientIdentifier: 'a-1', serverKeepAlive: 30, retainAvailable: false };
const PUBLISH_PROPS = { payloadFormatIndicator: true, messageExpiryInterval: 3600, contentType: 'json' };
const MORE_PUBLISH_PROPS = { responseTopic: 'r/1', correlationData: b('0102'), ...users };
const SUB_IDS = { subscriptionIdentifier: [1, 268_435_455] };
const SUBSCRIPTIONS = [
  { topic: '$share/g/a', qos: 1, nl: false, rap: true, rh: 2 },
  { topic: 'b', qos: 0, nl: true, rap: false, rh: 1 },
] as const;
const ROUND_TRIP: [ProtocolVersion, Packet][] = [
  [3, { ...CONNECT_V4, protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'legacy' }],
  [4, { ...CONNECT_V4, clean: false, clientId: 'c', username: 'u', password: text('p'), will: WILL }],
  [4, pub('m5go/env', Buffer.alloc(200, 1), 2, { retain: true, dup: true, messageId: 7 })],
  [
    4,
    {
      cmd: 'subscribe',
      messageId: 3,
      subscriptions: [
        { topic: 'a/+', qos: 0 },
        { topic: '#', qos: 2 },
      ],
    },
  ],
  [4, { cmd: 'suback', messageId: 3, granted: [0, 1, 2, 0x80] }],
  [4, { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['a/+', '#'] }],
  [
    5,
    {
      ...CONNECT_V5,
      clientId: 'c5',
      properties: { ...CONNECT_PROPS, ...MORE_CONNECT_PROPS },
      will: { ...WILL, properties: { willDelayInterval: 5, ...users } },
    },
  ],
  [5, { cmd: 'connack', sessionPresent: true, reasonCode: 0, properties: CONNACK_PROPS }],
  [5, { cmd: 'connack', sessionPresent: false, reasonCode: 0x87, properties: { reasonString: 'no' } }],
  [5, pub('', text('x'), 1, { messageId: 9, properties: { topicAlias: 3 } })],
  [
    5,
    pub('r', text('{}'), 0, {
      retain: true,
      properties: { ...PUBLISH_PROPS, ...MORE_PUBLISH_PROPS, ...SUB_IDS },
    }),
  ],
  [5, { cmd: 'puback', messageId: 2, reasonCode: 0x10, properties: { reasonString: 'none', ...users } }],
  [5, { cmd: 'pubrec', messageId: 2, reasonCode: 0x80 }],
  [5, { cmd: 'pubrel', messageId: 2, reasonCode: 0x92 }],
  [5, { cmd: 'pubcomp', messageId: 2, reasonCode: 0, properties: { reasonString: 'ok' } }],
  [
    5,
    {
      cmd: 'subscribe',
      messageId: 5,
      properties: { subscriptionIdentifier: 9, ...users },
      subscriptions: [...SUBSCRIPTIONS],
    },
  ],
  [5, { cmd: 'suback', messageId: 5, granted: [1, 0x8f], properties: { reasonString: 'filter' } }],
  [5, { cmd: 'unsubscribe', messageId: 6, unsubscriptions: ['b'], properties: users }],
  [5, { cmd: 'unsuback', messageId: 6, granted: [0, 0x11] }],
  [5, { cmd: 'disconnect', reasonCode: 0x04, properties: { sessionExpiryInterval: 0, reasonString: 'bye' } }],
  [
    5,
    {
      cmd: 'auth',
      reasonCode: 0x19,
      properties: { authenticationMethod: 'SCRAM', authenticationData: b('00ff') },
    },
  ],
  [5, { cmd: 'pingreq' }],
];

const EVERY = [...GOLDEN.map(([v, , p]): [ProtocolVersion, Packet] => [v, p]), ...ROUND_TRIP];
for (const [i, [version, packet]] of EVERY.entries()) {
  test(`round trip #${i} v${version} ${packet.cmd}: ours and mqtt-packet read back the same object`, () => {
    const expected = [normalize(packet)];
    const encoded = encodePacket(packet, version);
    assert.deepEqual(ours(encoded, version), expected, 'our decode(our encode)');
    assert.deepEqual(oracle(encoded, version), expected, 'mqtt-packet parse(our encode)');
    assert.deepEqual(ours(generate(packet, { protocolVersion: version }), version), expected);
  });
}
