import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mqtt, step1Session } from './capture.case.js';
import { decodeMqtt } from './mqtt-decode.js';
import type { OrderedStreams, StreamChunk } from './streams.js';

/** The steps as one stream per direction, cut into chunks of `size` bytes, times kept. */
function streams(steps = step1Session(), size = Infinity): OrderedStreams {
  const data = { c2s: [] as Uint8Array[], s2c: [] as Uint8Array[] };
  const chunks: StreamChunk[] = [];
  const at = { c2s: 0, s2c: 0 };
  for (const s of steps) {
    if (s[0] === 'close') continue;
    const [dir, ms, bytes] = s;
    data[dir].push(bytes);
    for (let i = 0; i < bytes.length; i += size) {
      const piece = bytes.subarray(i, Math.min(bytes.length, i + size));
      chunks.push({ direction: dir, offset: at[dir], timestampUs: ms * 1000, bytes: piece });
      at[dir] += piece.length;
    }
  }
  const join = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
  return { chunks, readable: at, streams: { c2s: join(data.c2s), s2c: join(data.s2c) }, notes: [] };
}

test('every packet with its offset, length and first-byte time, however the stream is cut', () => {
  const whole = decodeMqtt(streams(), 1 << 20);
  assert.deepEqual(whole.notes, []);
  assert.deepEqual(
    whole.packets.map((p) => p.packet.cmd),
    [
      'connect',
      'connack',
      'subscribe',
      'suback',
      'publish',
      'publish',
      'publish',
      'publish',
      'puback',
      'disconnect',
    ],
  );
  for (const size of [1, 3, 7]) {
    const cut = decodeMqtt(streams(step1Session(), size), 1 << 20);
    assert.deepEqual(
      cut.packets.map((p) => p.evidence),
      whole.packets.map((p) => p.evidence),
      `chunks of ${size} bytes`,
    );
  }
  const [connect, connack] = whole.packets;
  assert.deepEqual(connack!.evidence, { direction: 's2c', timeUs: 2000, offset: 0, length: 4 });
  assert.equal(connect!.evidence.length, step1Session()[0]![2]!.length);
});

test('a packet larger than maxPacketSize is refused before buffering: a note', () => {
  const big = mqtt({
    cmd: 'publish',
    topic: 't',
    payload: Buffer.alloc(5000),
    qos: 0,
    retain: false,
    dup: false,
  });
  const r = decodeMqtt(streams([['c2s', 1, big]]), 1000);
  assert.deepEqual(r.packets, []);
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0]!.what, /ERR_MQTT_PACKET_TOO_LARGE/);
});

test('a stream that ends inside a packet: a note with the bytes left', () => {
  const publish = mqtt({ cmd: 'publish', topic: 't', payload: 'abc', qos: 0, retain: false, dup: false });
  const r = decodeMqtt(streams([['c2s', 1, publish.subarray(0, 5)]]), 1000);
  assert.deepEqual(r.notes, [
    { direction: 'c2s', offset: 0, what: 'stream ends inside an MQTT packet (5 bytes)' },
  ]);
});
