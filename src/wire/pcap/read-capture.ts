import { malformed } from './cursor.js';
import type { Capture } from './packet.js';
import { pcapMagic, readPcap } from './pcap-reader.js';
import { BLOCK_SHB } from './pcapng-writer.js';
import { readPcapng } from './pcapng-reader.js';

/** pcap or pcapng, told apart by the first four bytes. */
export function readCapture(bytes: Uint8Array): Capture {
  if (bytes.length < 4) throw malformed(`${bytes.length} bytes: too short for a capture file`, 0);
  if (pcapMagic(bytes) !== null) return readPcap(bytes);
  // The SHB type 0x0a0d0d0a reads the same in both byte orders (pcapng §4.1).
  if (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) === BLOCK_SHB) return readPcapng(bytes);
  const magic = Buffer.from(bytes.subarray(0, 4)).toString('hex');
  throw malformed(`magic ${magic} is neither pcap nor pcapng`, 0, { magic });
}
