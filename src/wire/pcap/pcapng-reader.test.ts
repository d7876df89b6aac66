import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { block, cat, endOfOptions, epb, idb, option, pb, shb, spb, text, u32 } from './build.case.js';
import { readPcapng } from './pcapng-reader.js';

const LE = { le: true };
const BE = { le: false };
const frame = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x01);
const T = 1_700_000_000_123_456n;

test('either byte order: SHB, IDB with if_name, EPB with a comment; default resolution is µs', () => {
  for (const e of [LE, BE]) {
    const file = cat(
      shb(e, [option(e, 4, text('tshark')), endOfOptions(e)]),
      idb(e, 1, 262144, [option(e, 2, text('lo')), endOfOptions(e)]),
      epb(e, 0, T, frame, [option(e, 1, text('hello')), endOfOptions(e)], 1514),
    );
    const c = readPcapng(file);
    assert.equal(c.format, 'pcapng');
    assert.deepEqual(c.interfaces, [
      { linkType: 1, snaplen: 262144, unitsPerSecond: 1_000_000n, name: 'lo' },
    ]);
    assert.equal(c.packets.length, 1);
    const p = c.packets[0]!;
    assert.deepEqual(
      [p.timestampUs, [...p.data], p.originalLength, p.interfaceId, p.linkType, p.comment],
      [Number(T), [...frame], 1514, 0, 1, 'hello'],
    );
    assert.deepEqual([...file.subarray(p.fileOffset, p.fileOffset + 5)], [...frame]);
  }
});

test('if_tsresol is honoured: 10^-9, 2^-10, 10^0; if_tsoffset adds seconds', () => {
  const e = LE;
  const file = cat(
    shb(e),
    idb(e, 1, 0, [option(e, 9, Uint8Array.of(9))]),
    idb(e, 101, 0, [option(e, 9, Uint8Array.of(0x8a)), endOfOptions(e)]),
    idb(e, 228, 0, [option(e, 9, Uint8Array.of(0)), option(e, 14, cat(u32(e, 10), u32(e, 0)))]),
    epb(e, 0, 1_700_000_000_123_456_789n, frame),
    epb(e, 1, 3n * 1024n + 512n, frame),
    epb(e, 2, 5n, frame),
  );
  const c = readPcapng(file);
  assert.deepEqual(
    c.interfaces.map((i) => i.unitsPerSecond),
    [1_000_000_000n, 1024n, 1n],
  );
  assert.deepEqual(
    c.packets.map((p) => [p.timestampUs, p.interfaceId, p.linkType]),
    [
      [1_700_000_000_123_456, 0, 1],
      [3_500_000, 1, 101],
      [15_000_000, 2, 228],
    ],
  );
});

test('SPB takes interface 0 and its snap length; obsolete PB is read; unknown blocks are skipped', () => {
  const e = BE;
  const file = cat(
    shb(e),
    idb(e, 1, 4),
    epb(e, 0, 7n, frame.subarray(0, 4), [], 5),
    block(e, 4, u32(e, 0)), // Name Resolution Block
    block(e, 5, u32(e, 0), u32(e, 0), u32(e, 0)), // Interface Statistics Block
    block(e, 0x00000bad, text('custom')),
    spb(e, 5, frame.subarray(0, 4)),
    pb(e, 0, 9n, frame.subarray(0, 3)),
  );
  const c = readPcapng(file);
  assert.deepEqual(
    c.packets.map((p) => [p.timestampUs, [...p.data], p.originalLength]),
    [
      [7, [0xde, 0xad, 0xbe, 0xef], 5],
      [7, [0xde, 0xad, 0xbe, 0xef], 5], // an SPB has no timestamp: the one before it
      [9, [0xde, 0xad, 0xbe], 3],
    ],
  );
});

test('a second section (other byte order) starts its own interface numbering', () => {
  const file = cat(
    shb(LE),
    idb(LE, 1, 0),
    epb(LE, 0, 1n, frame),
    shb(BE),
    idb(BE, 113, 0),
    epb(BE, 0, 2n, frame),
  );
  const c = readPcapng(file);
  assert.deepEqual(
    c.packets.map((p) => [p.interfaceId, p.linkType, p.timestampUs]),
    [
      [0, 1, 1],
      [1, 113, 2],
    ],
  );
});

test('an unknown major version is ERR_PCAP_UNSUPPORTED', () => {
  assert.throws(
    () => readPcapng(shb(LE, [], 2)),
    (e) => isLabError(e, 'ERR_PCAP_UNSUPPORTED'),
  );
});

test('damage is ERR_PCAP_MALFORMED with the offset of what is wrong', () => {
  const good = cat(shb(LE), idb(LE, 1, 8), epb(LE, 0, 1n, frame));
  const unlimited = cat(shb(LE), idb(LE, 1, 0), epb(LE, 0, 1n, frame));
  const idbAt = 28;
  const epbAt = idbAt + 20;
  const patch = (at: number, bytes: Uint8Array, base = good) => {
    const b = new Uint8Array(base);
    b.set(bytes, at);
    return b;
  };
  const cases: [string, Uint8Array, number][] = [
    ['first block not an SHB', idb(LE, 1, 0), 0],
    ['bad byte-order magic', patch(8, u32(LE, 0x12345678)), 8],
    ['total length not a multiple of 4', patch(idbAt + 4, u32(LE, 21)), idbAt + 4],
    ['total length below 12', patch(idbAt + 4, u32(LE, 8)), idbAt + 4],
    ['block runs past the end', good.subarray(0, good.length - 4), epbAt + 8],
    ['trailing length differs', patch(idbAt + 16, u32(LE, 24)), idbAt + 16],
    ['packet on an interface never described', patch(epbAt + 8, u32(LE, 1)), epbAt],
    ['captured length > snap length', cat(shb(LE), idb(LE, 1, 4), epb(LE, 0, 1n, frame)), epbAt + 20],
    ['captured length past the block', patch(epbAt + 20, u32(LE, 60), unlimited), epbAt + 28],
    ['option value past the block', cat(shb(LE), idb(LE, 1, 0, [u32(LE, 0x00100002)])), idbAt + 20],
    ['if_tsresol of 2 bytes', cat(shb(LE), idb(LE, 1, 0, [option(LE, 9, Uint8Array.of(6, 0))])), idbAt + 16],
    ['SPB before any IDB', cat(shb(LE), spb(LE, 1, frame)), idbAt],
  ];
  for (const [what, bytes, offset] of cases)
    assert.throws(
      () => readPcapng(bytes),
      (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && e.details.offset === offset,
      what,
    );
});
