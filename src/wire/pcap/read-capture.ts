import { malformed } from './cursor.js';
import type { Capture, CaptureFormat, CaptureInterface, PacketSink } from './packet.js';
import { PcapScan, pcapMagic, readPcap, scanPcap } from './pcap-reader.js';
import { BLOCK_SHB } from './pcapng-writer.js';
import { readPcapng, scanPcapng } from './pcapng-reader.js';

/** pcap or pcapng, told apart by the first four bytes. */
export function readCapture(bytes: Uint8Array): Capture {
  return formatOf(bytes) === 'pcap' ? readPcap(bytes) : readPcapng(bytes);
}

/**
 * `readCapture` without packet objects: each packet goes to `sink` as it is read (see
 * PacketSink), and the same errors are thrown, once the packets before the fault have gone.
 */
export function scanCapture(
  bytes: Uint8Array,
  sink: PacketSink,
): { format: CaptureFormat; interfaces: CaptureInterface[] } {
  const format = formatOf(bytes);
  const interfaces = format === 'pcap' ? scanPcap(bytes, sink) : scanPcapng(bytes, sink);
  return { format, interfaces };
}

/**
 * scanCapture in steps, for a file still being read into `bytes` (readFileStepwise): `advance`
 * scans the packets whole in `bytes[0, filled)`, `finish` the rest; the sink sees what
 * scanCapture's would, in the same order, and the same errors are thrown. A classic pcap is
 * scanned as it arrives; a pcapng (whose blocks may change the interfaces) once it is all there.
 */
export function steppedScan(
  bytes: Uint8Array,
  sink: PacketSink,
): { advance(filled: number): void; finish(): { format: CaptureFormat; interfaces: CaptureInterface[] } } {
  let pcap: PcapScan | undefined;
  let known = false;
  return {
    advance(filled) {
      if (!known && filled >= 4) {
        known = true;
        if (pcapMagic(bytes) !== null) pcap = new PcapScan(bytes, sink);
      }
      pcap?.advance(filled);
    },
    finish() {
      if (pcap === undefined) return scanCapture(bytes, sink);
      return { format: formatOf(bytes), interfaces: pcap.finish() };
    },
  };
}

function formatOf(bytes: Uint8Array): CaptureFormat {
  if (bytes.length < 4) throw malformed(`${bytes.length} bytes: too short for a capture file`, 0);
  if (pcapMagic(bytes) !== null) return 'pcap';
  // The SHB type 0x0a0d0d0a reads the same in both byte orders (pcapng §4.1).
  if (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) === BLOCK_SHB) return 'pcapng';
  const magic = Buffer.from(bytes.subarray(0, 4)).toString('hex');
  throw malformed(`magic ${magic} is neither pcap nor pcapng`, 0, { magic });
}
