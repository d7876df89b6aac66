// One conformance suite for the two writers: whatever either writes, the reader gives back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { synthesizeConversation } from './frames/synthesize.js';
import type { CaptureWriter, PacketToWrite } from './packet.js';
import { encodeWith } from './packet.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';
import { readCapture } from './read-capture.js';

const T = 1_700_000_000_000_000;
const packets: PacketToWrite[] = [
  ...synthesizeConversation({
    client: { ip: '10.0.0.2', port: 50000 },
    server: { ip: '10.0.0.1', port: 1883 },
    events: [
      { type: 'connect', timestampUs: T },
      { type: 'data', direction: 'client-to-server', timestampUs: T + 1, data: new Uint8Array(3001).fill(7) },
    ],
  }),
  { timestampUs: T + 999_999, data: new Uint8Array(0) },
  { timestampUs: T + 1_000_000, data: Uint8Array.of(1, 2, 3), originalLength: 1514 },
];

const writers: [string, () => CaptureWriter, boolean][] = [
  ['pcap', () => new PcapWriter(), false],
  ['pcapng', () => new PcapngWriter(), true],
  ['pcapng (ns)', () => new PcapngWriter({ tsResolution: 9, ifName: 'eth1' }), true],
];

for (const [name, make, comments] of writers) {
  test(`${name}: write → read gives back every packet (time, bytes, lengths, link type)`, () => {
    const file = encodeWith(make(), [
      ...packets,
      { timestampUs: T + 2_000_000, data: Uint8Array.of(9), comment: 'note' },
    ]);
    const c = readCapture(file);
    assert.equal(c.format, name.startsWith('pcapng') ? 'pcapng' : 'pcap');
    assert.equal(c.packets.length, packets.length + 1);
    c.packets.forEach((p, i) => {
      const w = packets[i] ?? { timestampUs: T + 2_000_000, data: Uint8Array.of(9) };
      assert.equal(p.timestampUs, w.timestampUs, `packet ${i}`);
      assert.deepEqual([...p.data], [...w.data], `packet ${i}`);
      assert.equal(p.originalLength, w.originalLength ?? w.data.length);
      assert.deepEqual([p.linkType, p.interfaceId], [1, 0]);
    });
    assert.equal(c.packets.at(-1)!.comment, comments ? 'note' : undefined);
  });

  test(`${name}: a packet past the snap length is cut on write and read back cut`, () => {
    const w = name === 'pcap' ? new PcapWriter({ snaplen: 64 }) : new PcapngWriter({ snaplen: 64 });
    const c = readCapture(encodeWith(w, [{ timestampUs: 1, data: new Uint8Array(100).fill(3) }]));
    assert.deepEqual(
      [c.packets[0]!.data.length, c.packets[0]!.originalLength, c.interfaces[0]!.snaplen],
      [64, 100, 64],
    );
  });
}

test('files that are neither pcap nor pcapng are ERR_PCAP_MALFORMED', () => {
  for (const bytes of [
    new Uint8Array(0),
    Uint8Array.of(0xd4, 0xc3),
    new TextEncoder().encode('GET / HTTP/1.1\r\n'),
  ])
    assert.throws(
      () => readCapture(bytes),
      (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && e.details.offset === 0,
    );
});
