import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { encodeBlock, encodeOptions, encodePcapng, PcapngWriter } from './pcapng-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const T = 1_700_000_000_123_456;

test('SHB then IDB golden bytes: byte-order magic, version 1.0, section length -1, options padded', () => {
  const h = hex(new PcapngWriter().header());
  const shb =
    '0a0d0d0a' +
    '30000000' +
    '4d3c2b1a' +
    '0100' +
    '0000' +
    'ffffffffffffffff' +
    '0400' +
    '0900' +
    '6d717474732d6c6162' +
    '000000' + // shb_userappl "mqtts-lab" + 3 padding bytes
    '00000000' +
    '30000000';
  const idb =
    '01000000' +
    '28000000' +
    '0100' +
    '0000' +
    '00000400' +
    '0200' +
    '0400' +
    '6c616230' + // if_name "lab0"
    '0900' +
    '0100' +
    '06' +
    '000000' + // if_tsresol 6: microseconds
    '00000000' +
    '28000000';
  assert.equal(h, shb + idb);
});

test('EPB golden bytes: interface 0, 64-bit timestamp, lengths, data padded to 32 bits', () => {
  const epb = hex(new PcapngWriter().packet({ timestampUs: T, data: Uint8Array.of(1, 2, 3) }));
  assert.equal(
    epb,
    '06000000' +
      '24000000' +
      '00000000' +
      '240a0600' +
      '40222018' +
      '03000000' +
      '03000000' +
      '01020300' +
      '24000000',
  );
});

test('EPB with a comment option, and nanosecond resolution', () => {
  const w = new PcapngWriter({ tsResolution: 9, ifName: 'eth0' });
  assert.match(hex(w.header()), /0900010009000000/);
  const epb = hex(w.packet({ timestampUs: T, data: Uint8Array.of(1, 2, 3, 4), comment: 'hi' }));
  assert.equal(
    epb,
    '06000000' +
      '30000000' +
      '00000000' +
      'fe9c9717' +
      '00ca853d' +
      '04000000' +
      '04000000' +
      '01020304' +
      '0100' +
      '0200' +
      '68690000' +
      '00000000' +
      '30000000',
  );
});

test('blocks: total length at both ends, multiple of 4; empty options add nothing', () => {
  for (let n = 0; n < 8; n++) {
    const b = encodeBlock(0x1234, new Uint8Array(n).fill(7));
    const v = new DataView(b.buffer);
    assert.equal(b.length % 4, 0);
    assert.equal(v.getUint32(4, true), b.length);
    assert.equal(v.getUint32(b.length - 4, true), b.length);
  }
  assert.equal(encodeOptions([]).length, 0);
  assert.equal(
    hex(encodeOptions([{ code: 1, value: Uint8Array.of(0xaa) }])),
    '0100' + '0100' + 'aa000000' + '00000000',
  );
});

test('snap length cuts data; 0 means no limit', () => {
  const cut = new PcapngWriter({ snaplen: 2 }).packet({ timestampUs: 0, data: Uint8Array.of(1, 2, 3) });
  assert.equal(hex(cut.subarray(20, 28)), '02000000' + '03000000');
  const whole = new PcapngWriter({ snaplen: 0 }).packet({ timestampUs: 0, data: new Uint8Array(300_000) });
  assert.equal(new DataView(whole.buffer).getUint32(20, true), 300_000);
});

test('encodePcapng: header then blocks; bad options are refused', () => {
  const bytes = encodePcapng([{ timestampUs: 1, data: Uint8Array.of(1) }]);
  assert.equal(bytes.length, 48 + 40 + 36);
  assert.throws(
    () => new PcapngWriter({ tsResolution: 3 as 6 }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => new PcapngWriter({ ifName: '' }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(() => new PcapngWriter().packet({ timestampUs: -5, data: new Uint8Array(0) }), RangeError);
});
