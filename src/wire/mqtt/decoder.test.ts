import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate, type IPublishPacket, type Packet, parser, type QoS } from 'mqtt-packet';
import { type DecodeFailure, MqttDecoder, type ProtocolVersion } from './decoder.js';
import { encodePacket } from './encoder.js';
import { mulberry32 as prng } from '../../../test/helpers/prng.js';
import { normalizePacket as normalize } from '../../../test/helpers/mqtt-packets.js';

// mqtt-packet's parser is the oracle: whatever our decoder accepts, it must read identically.

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decode(chunks: Buffer[], version: ProtocolVersion = 4, maxPacketSize = 268_435_460) {
  const decoder = new MqttDecoder({ maxPacketSize, protocolVersion: version });
  const packets: unknown[] = [];
  let failure: DecodeFailure | undefined;
  for (const chunk of chunks) failure = decoder.push(chunk, (p) => packets.push(normalize(p))) ?? failure;
  return { packets, failure, decoder };
}

/** mqtt-packet reads fields past a packet's end into the next one, so it gets one frame at a time. */
function oracle(bytes: Buffer, version: ProtocolVersion, count = Infinity): unknown[] {
  const p = parser({ protocolVersion: version });
  const out: unknown[] = [];
  p.on('packet', (packet) => out.push(normalize(packet)));
  p.on('error', (e: Error) => out.push(`error: ${e.message}`));
  for (let at = 0, n = 0; at < bytes.length && n < count; n++) {
    let end = at + 1;
    let length = 0;
    for (let mul = 1; end < bytes.length && end <= at + 4; mul *= 128) {
      const byte = bytes[end++]!;
      length += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
    }
    p.parse(bytes.subarray(at, end + length));
    at = end + length;
  }
  return out;
}

function malformed(bytes: Buffer, version: ProtocolVersion = 4): void {
  const { packets, failure } = decode([bytes], version);
  assert.equal(failure?.code, 'ERR_MQTT_MALFORMED', `${bytes.toString('hex')} gave ${failure?.code}`);
  assert.equal(failure.reasonCode, 0x81);
  assert.deepEqual(packets, []);
}

function pub(topic: string, payload: Buffer, qos: QoS, more?: Partial<IPublishPacket>): IPublishPacket {
  return { cmd: 'publish', topic, payload, qos, retain: false, dup: false, ...more };
}
const CHARS = ['a', 'Z', '0', '/', '_', ' ', '$', '+', 'é', 'ß', '€', '中', '😀', '\u{10FFFD}', '\u0000'];
const POOL = Buffer.from(Array.from({ length: 140_000 }, prng(7)).map((x) => Math.floor(x * 256)));

function randomPublish(rand: () => number, version: ProtocolVersion): IPublishPacket {
  const int = (n: number) => Math.floor(rand() * n);
  const text = (n: number) => Array.from({ length: n }, () => CHARS[int(CHARS.length)]).join('');
  const r = rand();
  const size = r < 0.6 ? int(200) : r < 0.9 ? int(20_000) : int(70_001);
  const qos = int(3) as 0 | 1 | 2;
  const topic = text(rand() < 0.02 ? 2000 + int(14_000) : int(40));
  const flags = { retain: rand() < 0.3, dup: rand() < 0.3 };
  const packet = pub(topic, POOL.subarray(int(70_000)).subarray(0, size), qos, flags);
  if (qos > 0) packet.messageId = 1 + int(65_535);
  if (version === 5 && rand() < 0.25) {
    packet.properties = {
      topicAlias: 1 + int(10),
      ...(rand() < 0.5 ? { messageExpiryInterval: int(100_000), contentType: text(int(10)) } : {}),
      ...(rand() < 0.5 ? { userProperties: { [text(3)]: [text(2), text(4)] } } : {}),
      ...(rand() < 0.5 ? { subscriptionIdentifier: [1 + int(1000), 268_435_455] } : {}),
    };
  }
  return packet;
}

test('fast path = mqtt-packet for 3000 random PUBLISH (UTF-8 topics, payloads 0..70000, v4/v5)', () => {
  const rand = prng(1);
  for (let i = 0; i < 3000; i++) {
    const version: ProtocolVersion = rand() < 0.5 ? 4 : 5;
    const packet = randomPublish(rand, version);
    const bytes = generate(packet, { protocolVersion: version });
    const { packets, failure } = decode([bytes], version);
    assert.equal(failure, undefined, failure?.message);
    assert.deepEqual(packets, oracle(bytes, version), `packet ${i}`);
    assert.deepEqual(packets, [normalize(packet)]);
    assert.ok(encodePacket(packet, version).equals(bytes), `encode ${i}`);
  }
});

test('fast path = mqtt-packet for acknowledgements and PINGREQ', () => {
  const rand = prng(2);
  for (let i = 0; i < 2000; i++) {
    const cmd = (['puback', 'pubrec', 'pubrel', 'pubcomp'] as const)[i % 4]!;
    const version: ProtocolVersion = i % 8 < 4 ? 4 : 5;
    const messageId = 1 + Math.floor(rand() * 65_535);
    const reasonCode = cmd === 'puback' || cmd === 'pubrec' ? 0x10 : 0x92;
    const withReason = version === 5 && rand() < 0.3 ? { reasonCode } : {};
    const bytes = generate({ cmd, messageId, ...withReason }, { protocolVersion: version });
    assert.deepEqual(decode([bytes], version).packets, oracle(bytes, version));
  }
  assert.deepEqual(decode([hex('c000')]).packets, oracle(hex('c000'), 4));
});

const STREAM: [ProtocolVersion, Packet][] = [
  [
    4,
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: 'm5go' },
  ],
  [4, pub('m5go/env', POOL.subarray(0, 300), 1, { messageId: 1 })],
  [4, { cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'm5go/#', qos: 2 }] }],
  [4, { cmd: 'pubrel', messageId: 3 }],
  [4, { cmd: 'pingreq' }],
  [5, pub('é/€', POOL.subarray(0, 20), 2, { retain: true, messageId: 4 })],
  [5, pub('', Buffer.alloc(0), 0, { properties: { topicAlias: 2, userProperties: { a: 'b' } } })],
  [5, { cmd: 'puback', messageId: 5, reasonCode: 0x10 }],
  [5, { cmd: 'disconnect', reasonCode: 0 }],
];

test('incremental: every packet split at every byte boundary, and one byte at a time', () => {
  for (const [version, packet] of STREAM) {
    const bytes = generate(packet, { protocolVersion: version });
    const whole = decode([bytes], version).packets;
    assert.equal(whole.length, 1);
    for (let cut = 1; cut < bytes.length; cut++) {
      const split = decode([bytes.subarray(0, cut), bytes.subarray(cut)], version);
      assert.deepEqual(split.packets, whole, `${packet.cmd} cut at ${cut}`);
    }
    const bytes1 = [...bytes].map((x) => Buffer.of(x));
    assert.deepEqual(decode(bytes1, version).packets, whole, `${packet.cmd} byte by byte`);
  }
});

test('incremental: many packets in one chunk, and the same stream in random pieces', () => {
  const rand = prng(3);
  const packets = Array.from({ length: 500 }, () => randomPublish(rand, 4));
  const bytes = Buffer.concat(packets.map((p) => generate(p)));
  const expected = packets.map((p) => normalize(p));
  assert.deepEqual(decode([bytes]).packets, expected);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(rand() * (rand() < 0.5 ? 8 : 40_000));
    pieces.push(bytes.subarray(at, at + n));
    at += n;
  }
  assert.deepEqual(decode(pieces).packets, expected);
});

test('limits: a header announcing 256 MB fails from the header bytes alone, nothing buffered', () => {
  const header = hex('30 ff ff ff 7f'); // remaining length 268 435 455
  const whole = decode([header], 4, 1024 * 1024);
  assert.equal(whole.failure?.code, 'ERR_MQTT_PACKET_TOO_LARGE');
  assert.equal(whole.failure.reasonCode, 0x95);
  const split = decode([header.subarray(0, 2), header.subarray(2)], 4, 1024 * 1024);
  assert.equal(split.failure?.code, 'ERR_MQTT_PACKET_TOO_LARGE');
});

test('limits: maxPacketSize counts the whole packet, fixed header included', () => {
  const packet = generate(pub('t', Buffer.alloc(1000), 0));
  assert.equal(decode([packet], 4, packet.length).packets.length, 1);
  assert.equal(decode([packet], 4, packet.length - 1).failure?.code, 'ERR_MQTT_PACKET_TOO_LARGE');
});

test('limits: a body sent in small pieces is copied a bounded number of times', (t) => {
  const packet = generate(pub('t', Buffer.alloc(4 * 1024 * 1024), 0));
  const concat = t.mock.method(Buffer, 'concat');
  const pieces = [packet.subarray(0, 2)];
  for (let at = 2; at < packet.length; at += 1024) pieces.push(packet.subarray(at, at + 1024));
  assert.equal(decode(pieces).packets.length, 1);
  const copied = concat.mock.calls.reduce((n, call) => n + (call.result as Buffer).length, 0);
  assert.ok(copied <= 3 * packet.length, `copied ${copied} bytes for a ${packet.length}-byte packet`);
});

test('[MQTT-1.5.5-1] a remaining length of 5 bytes (known after 5 bytes), or overlong, is malformed', () => {
  for (const bytes of ['30 ff ff ff ff', 'c0 80 00', '40 82 00 00 01', '30 80 80 00']) malformed(hex(bytes));
});

test('[MQTT-2.2.2-2] reserved flag bits other than the table value close the connection', () => {
  const valid = ['10 0c 0004 4d515454 04 02 003c 0000', '20 02 0000', '40 02 0001', '50 02 0001'];
  valid.push('62 02 0001', '70 02 0001', '82 06 0001 0001 61 00', '90 03 0001 00', 'a2 05 0001 0001 61');
  valid.push('b0 02 0001', 'c0 00', 'd0 00', 'e0 00');
  for (const v of valid) {
    const bytes = hex(v);
    assert.equal(decode([bytes]).packets.length, 1, v);
    for (let flags = 0; flags < 16; flags++) {
      if (flags === (bytes[0]! & 0x0f)) continue;
      malformed(Buffer.concat([Buffer.of((bytes[0]! & 0xf0) | flags), bytes.subarray(1)]));
    }
  }
  malformed(hex('60 02 0001')); // PUBREL with flags 0
  malformed(hex('80 06 0001 0001 61 00')); // SUBSCRIBE with flags 0
});

test('[MQTT-3.3.1-4] PUBLISH with both QoS bits set is malformed', () => {
  for (const first of [0x36, 0x37, 0x3e, 0x3f]) {
    malformed(Buffer.concat([Buffer.of(first), hex('07 0001 61 0001 6869')]));
    malformed(Buffer.concat([Buffer.of(first), hex('08 0001 61 0001 00 6869')]), 5);
  }
});

test('[MQTT-2.3.1-1] packet identifier 0, or none, is malformed', () => {
  for (const bytes of ['32 05 0001 61 0000', '40 02 0000', '50 02 0000', '62 02 0000', '70 02 0000']) {
    malformed(hex(bytes));
  }
  malformed(hex('82 06 0000 0001 61 00')); // SUBSCRIBE
  malformed(hex('a2 05 0000 0001 61')); // UNSUBSCRIBE
  malformed(hex('40 03 0000 10'), 5); // v5 PUBACK with a reason code
  malformed(hex('33 04 0001 61 00'), 5); // QoS 1 with a truncated identifier
  for (const ack of ['40 00', '50 01 01', '62 00', '70 01 00']) malformed(hex(ack));
});

test('[MQTT-1.5.3-1] ill-formed UTF-8 in any string is malformed (5.0: [MQTT-1.5.4-1])', () => {
  for (const bad of ['c080', 'eda080', 'ff', 'e282', 'f4908080']) {
    const len = (bad.length / 2).toString(16).padStart(4, '0');
    const n = (extra: number) => (2 + bad.length / 2 + extra).toString(16).padStart(2, '0');
    malformed(hex(`30 ${n(0)} ${len} ${bad}`)); // PUBLISH topic (fast path)
    malformed(hex(`30 ${n(4)} ${len} ${bad} 03 230001`), 5); // PUBLISH with properties
    malformed(hex(`82 ${n(3)} 0001 ${len} ${bad} 00`)); // SUBSCRIBE filter
    malformed(hex(`a2 ${n(2)} 0001 ${len} ${bad}`)); // UNSUBSCRIBE filter
    malformed(hex(`10 ${n(10)} 0004 4d515454 04 02 003c ${len} ${bad}`)); // CONNECT client id
    malformed(hex(`40 ${n(7)} 0001 00 ${n(3)} 26 ${len} ${bad} 0000`), 5); // PUBACK user property
  }
  assert.equal(decode([hex('30 09 0004 ef bf bd 61 6869 6a')]).packets.length, 1); // U+FFFD itself is fine
});

test('5.0 §2.2.2.2: a property repeated (other than User Property) is a protocol error', () => {
  const repeated = [
    '30 0b 0001 61 06 230001 230002 78', // PUBLISH with two Topic Aliases
    '10 18 0004 4d515454 05 02 003c 0a 110000001e 110000001e 0001 78', // CONNECT, Session Expiry twice
    '82 0b 0001 04 0b01 0b02 0001 61 00', // SUBSCRIBE with two Subscription Identifiers
  ];
  for (const bytes of repeated) {
    const { failure, packets } = decode([hex(bytes)], 5);
    assert.deepEqual([failure?.code, failure?.reasonCode, packets], ['ERR_MQTT_MALFORMED', 0x82, []], bytes);
  }
  const allowed = ['30 08 0001 61 04 0b01 0b02', '30 10 0001 61 0c 2600016b0000 2600016b0000'];
  for (const bytes of allowed) assert.equal(decode([hex(bytes)], 5).packets.length, 1, bytes);
});

test('after a failure the decoder stays failed and emits nothing more', () => {
  const { decoder, failure } = decode([hex('62 02 0000')]);
  assert.ok(failure);
  const emitted: Packet[] = [];
  assert.equal(
    decoder.push(hex('c000 40020001'), (p) => emitted.push(p)),
    failure,
  );
  assert.deepEqual(emitted, []);
});

test('fuzz: 20 000 random and mutated buffers never throw, and what we accept mqtt-packet reads alike', () => {
  const rand = prng(4);
  const int = (n: number) => Math.floor(rand() * n);
  const seeds = STREAM.map(([v, p]) => generate(p, { protocolVersion: v }));
  for (let i = 0; i < 20_000; i++) {
    const version: ProtocolVersion = rand() < 0.5 ? 4 : 5;
    let bytes: Buffer;
    if (i % 3 === 0) bytes = Buffer.from(POOL.subarray(int(130_000)).subarray(0, int(64)));
    else {
      const tail = i % 3 === 1 ? Buffer.alloc(0) : POOL.subarray(0, int(8));
      bytes = Buffer.concat([seeds[int(seeds.length)]!, tail]);
      for (let flips = 1 + int(3); flips > 0; flips--) {
        const at = int(Math.min(bytes.length, rand() < 0.5 ? 6 : bytes.length));
        bytes[at] = rand() < 0.5 ? bytes[at]! ^ (1 << int(8)) : int(256);
      }
      if (rand() < 0.2) bytes = bytes.subarray(0, int(bytes.length));
    }
    const cut = int(bytes.length + 1);
    const pieces = [bytes.subarray(0, cut), bytes.subarray(cut)];
    const { packets, failure } = decode(pieces, version, 64 + int(512));
    assert.ok(failure === undefined || failure.code.startsWith('ERR_MQTT_'));
    if (failure === undefined && packets.length > 0) {
      assert.deepEqual(packets, oracle(bytes, version, packets.length), bytes.toString('hex'));
    }
  }
});
