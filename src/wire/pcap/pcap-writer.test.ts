import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { encodePcap, PcapWriter } from './pcap-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const T = 1_700_000_000_123_456;

test('file header golden bytes: LE microsecond magic, 2.4, snaplen 262144, Ethernet', () => {
  assert.equal(
    hex(new PcapWriter().header()),
    'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000',
  );
  assert.equal(hex(new PcapWriter({ linkType: 101, snaplen: 65535 }).header()).slice(32), 'ffff000065000000');
});

test('record golden bytes: seconds, microseconds, captured and original length, data', () => {
  const r = new PcapWriter().packet({ timestampUs: T, data: Uint8Array.of(1, 2, 3) });
  assert.equal(hex(r), '00f15365' + '40e20100' + '03000000' + '03000000' + '010203');
});

test('a packet longer than the snap length is cut; the original length is kept', () => {
  const w = new PcapWriter({ snaplen: 4 });
  const r = w.packet({ timestampUs: 0, data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
  assert.equal(hex(r), '00000000' + '00000000' + '04000000' + '06000000' + '01020304');
  const o = w.packet({ timestampUs: 1, data: Uint8Array.of(1), originalLength: 1500 });
  assert.equal(hex(o.subarray(8, 16)), '01000000' + 'dc050000');
});

test('encodePcap is the header then every record', () => {
  const packets = [
    { timestampUs: 5, data: Uint8Array.of(9) },
    { timestampUs: 6, data: Uint8Array.of(8, 7) },
  ];
  const w = new PcapWriter();
  assert.equal(
    hex(encodePcap(packets)),
    hex(Buffer.concat([w.header(), ...packets.map((p) => w.packet(p))])),
  );
});

test('bad options and bad packets are refused before any byte is written', () => {
  assert.throws(
    () => new PcapWriter({ snaplen: 0 }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => new PcapWriter({ linkTyp: 1 } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
  const w = new PcapWriter();
  for (const timestampUs of [-1, 1.5, NaN, 2 ** 32 * 1e6])
    assert.throws(() => w.packet({ timestampUs, data: new Uint8Array(1) }), RangeError);
  assert.throws(() => w.packet({ timestampUs: 0, data: new Uint8Array(2), originalLength: 1 }), RangeError);
});
