// Random and mutated capture files through reader → frame decoder → reassembly: every failure
// must be a LabError with ERR_PCAP_MALFORMED or ERR_PCAP_UNSUPPORTED — no RangeError out of a
// DataView, no hang, no allocation sized by a damaged length field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../test/helpers/prng.js';
import { isLabError } from '../../core/errors.js';
import { reassembleTcp } from '../tcp/reassemble.js';
import { cat, epb, idb, option, pb, pcapFile, shb, spb } from './build.case.js';
import { decodeTcpFrame, type TcpSegment } from './frames/decode.js';
import { synthesizeConversations } from './frames/synthesize.js';
import { encodePcap } from './pcap-writer.js';
import { encodePcapng } from './pcapng-writer.js';
import { readCapture } from './read-capture.js';

const CASES = 20_000;
const CODES = new Set(['ERR_PCAP_MALFORMED', 'ERR_PCAP_UNSUPPORTED']);

function seeds(): Uint8Array[] {
  const T = 1_700_000_000_000_000;
  const frames = synthesizeConversations([
    {
      client: { ip: '10.0.0.2', port: 50000 },
      server: { ip: '10.0.0.1', port: 8883 },
      mss: 200,
      events: [
        { type: 'connect', timestampUs: T },
        {
          type: 'data',
          direction: 'client-to-server',
          timestampUs: T + 5,
          data: new Uint8Array(450).fill(0x16),
        },
        {
          type: 'data',
          direction: 'server-to-client',
          timestampUs: T + 9,
          data: new Uint8Array(90).fill(0x17),
        },
        { type: 'close', direction: 'client-to-server', timestampUs: T + 12 },
        { type: 'reset', direction: 'server-to-client', timestampUs: T + 13 },
      ],
    },
    {
      client: { ip: '10.0.0.3', port: 50001 },
      server: { ip: '10.0.0.1', port: 1883 },
      events: [{ type: 'refused', timestampUs: T + 1 }],
    },
  ]);
  const raw = frames.map((f) => ({ ...f, data: f.data.subarray(14) }));
  const be = { le: false };
  return [
    encodePcap(frames),
    encodePcapng(frames.map((f, i) => (i % 3 === 0 ? { ...f, comment: `frame ${i}` } : f))),
    encodePcap(raw, { linkType: 101 }),
    encodePcapng(raw, { linkType: 228, tsResolution: 9 }),
    pcapFile(
      { le: false, nano: true, linkType: 113 },
      frames
        .slice(0, 6)
        .map((f, i) => ({ seconds: i, fraction: 7, data: cat(new Uint8Array(14), f.data.subarray(12)) })),
    ),
    cat(
      shb(be),
      idb(be, 1, 0, [option(be, 9, Uint8Array.of(0x8a)), option(be, 2, new TextEncoder().encode('eth0'))]),
      ...frames.slice(0, 8).map((f, i) => epb(be, 0, BigInt(i) * 1000n, f.data)),
      spb(be, frames[8]!.data.length, frames[8]!.data),
      pb(be, 0, 99n, frames[9]!.data),
    ),
  ];
}

function mutate(rnd: () => number, seed: Uint8Array, all: readonly Uint8Array[]): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const b = new Uint8Array(seed);
  switch (pick(7)) {
    case 0: // pure random bytes, sometimes behind a valid magic
      return cat(
        rnd() < 0.5 ? seed.subarray(0, pick(40)) : new Uint8Array(0),
        Uint8Array.from({ length: pick(300) }, () => pick(256)),
      );
    case 1: // truncate
      return b.subarray(0, pick(b.length + 1));
    case 2: // splice two files
      return cat(b.subarray(0, pick(b.length)), all[pick(all.length)]!.subarray(pick(200)));
    case 3: // delete or insert a run
      return rnd() < 0.5
        ? cat(b.subarray(0, pick(b.length)), b.subarray(pick(b.length)))
        : cat(
            b.subarray(0, pick(b.length)),
            Uint8Array.from({ length: 1 + pick(12) }, () => pick(256)),
            b.subarray(pick(b.length)),
          );
    default: {
      // flip bits and set boundary values, mostly in headers where lengths live
      for (let n = 1 + pick(6); n > 0; n--) {
        const at = rnd() < 0.5 ? pick(Math.min(b.length, 120)) : pick(b.length);
        if (rnd() < 0.5) b[at] = (b[at] ?? 0) ^ (1 << pick(8));
        else b[at] = [0, 0xff, 0x7f, 0x80, 1, 4][pick(6)]!;
      }
      return b;
    }
  }
}

test(`fuzz: ${CASES.toLocaleString('en')} random and mutated captures fail only with the two capture codes`, (t) => {
  const rnd = mulberry32(0x9cab);
  const all = seeds();
  for (const s of all) assert.ok(readCapture(s).packets.length > 0, 'every seed is itself a valid capture');
  const outcomes = { parsed: 0, malformed: 0, unsupported: 0, segments: 0, connections: 0 };
  const started = Date.now();
  for (let i = 0; i < CASES; i++) {
    const input = mutate(rnd, all[i % all.length]!, all);
    const expectCaptureError = (err: unknown) => {
      if (!isLabError(err) || !CODES.has(err.code))
        assert.fail(`case ${i}: ${String(err)}\ninput: ${Buffer.from(input).toString('hex')}`);
      if (err.code === 'ERR_PCAP_MALFORMED') outcomes.malformed++;
      else outcomes.unsupported++;
    };
    try {
      const capture = readCapture(input);
      outcomes.parsed++;
      const segments: TcpSegment[] = [];
      capture.packets.forEach((p, k) => {
        try {
          const s = decodeTcpFrame(p, k);
          if (s !== null) segments.push(s);
        } catch (err) {
          expectCaptureError(err);
        }
      });
      outcomes.segments += segments.length;
      // Reassembly never throws, whatever the numbers; memory stays within the bound given.
      const conns = reassembleTcp(segments, { maxStreamBytes: 1 << 16 });
      for (const c of conns)
        assert.ok(c.clientToServer.bytes.length <= 1 << 16 && c.serverToClient.bytes.length <= 1 << 16);
      outcomes.connections += conns.length;
    } catch (err) {
      expectCaptureError(err);
    }
  }
  // The mutations reach past the file header: many inputs parse, many frames decode.
  assert.ok(outcomes.parsed > CASES / 10, JSON.stringify(outcomes));
  assert.ok(outcomes.malformed > CASES / 10, JSON.stringify(outcomes));
  assert.ok(outcomes.unsupported > 0 && outcomes.segments > CASES, JSON.stringify(outcomes));
  assert.ok(Date.now() - started < 30_000, 'no case hangs');
  t.diagnostic(JSON.stringify(outcomes));
});
