import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { pcapFile } from './build.case.js';
import { readPcap } from './pcap-reader.js';

const data = Uint8Array.of(1, 2, 3, 4, 5);
const records = [
  { seconds: 1_700_000_000, fraction: 999_999, data },
  { seconds: 1_700_000_001, fraction: 0, data: data.subarray(0, 2), original: 60 },
];

test('both byte orders read the same packets; microsecond timestamps exact', () => {
  for (const le of [true, false]) {
    const c = readPcap(pcapFile({ le }, records));
    assert.equal(c.format, 'pcap');
    assert.deepEqual(c.interfaces, [{ linkType: 1, snaplen: 65535, unitsPerSecond: 1_000_000n }]);
    assert.deepEqual(
      c.packets.map((p) => [
        p.timestampUs,
        [...p.data],
        p.originalLength,
        p.interfaceId,
        p.linkType,
        p.fileOffset,
      ]),
      [
        [1_700_000_000_999_999, [1, 2, 3, 4, 5], 5, 0, 1, 40],
        [1_700_000_001_000_000, [1, 2], 60, 0, 1, 61],
      ],
    );
  }
});

test('nanosecond magic: fractions are nanoseconds, read down to the microsecond', () => {
  for (const le of [true, false]) {
    const c = readPcap(pcapFile({ le, nano: true }, [{ seconds: 2, fraction: 123_456_789, data }]));
    assert.equal(c.packets[0]!.timestampUs, 2_123_456);
    assert.equal(c.interfaces[0]!.unitsPerSecond, 1_000_000_000n);
  }
});

test('link type is the low 16 bits of the field (the upper bits describe the FCS)', () => {
  const c = readPcap(pcapFile({ le: true, linkType: 0x1000_0071 }, []));
  assert.equal(c.interfaces[0]!.linkType, 113);
  assert.equal(c.packets.length, 0);
});

test('pcap version other than 2.x is ERR_PCAP_UNSUPPORTED', () => {
  assert.throws(
    () => readPcap(pcapFile({ le: true, major: 3 }, [])),
    (e) => isLabError(e, 'ERR_PCAP_UNSUPPORTED'),
  );
});

test('damage is ERR_PCAP_MALFORMED at the right offset, never a partial result', () => {
  const file = pcapFile({ le: true }, records);
  const cases: [Uint8Array, number][] = [
    [file.subarray(0, 3), 0], // no magic
    [Uint8Array.of(0, 1, 2, 3, 4, 5), 0], // not a magic
    [file.subarray(0, 20), 0], // header cut
    [file.subarray(0, 30), 24], // record header cut
    [file.subarray(0, 44), 40], // data cut
    [file.subarray(0, file.length - 1), 61],
    [pcapFile({ le: true, snaplen: 4 }, records), 32], // captured length 5 > snap length 4
  ];
  for (const [bytes, offset] of cases)
    assert.throws(
      () => readPcap(bytes),
      (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && e.details.offset === offset,
      `offset ${offset}`,
    );
});
