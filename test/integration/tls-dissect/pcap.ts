// A minimal classic-pcap writer for the tshark oracle only (the product's writer lives in
// src/wire/pcap/): Ethernet + IPv4 + TCP, a three-way handshake, payload cut into MSS-sized
// segments, FINs at the end. TCP checksums are left zero (tshark is told not to check them).
import type { TlsStreamChunk } from '../../../src/wire/tls/index.js';

const MSS = 1448;
const CLIENT = { ip: [10, 0, 0, 1], port: 50_000, mac: [2, 0, 0, 0, 0, 1] };
const SERVER = { ip: [10, 0, 0, 2], port: 8883, mac: [2, 0, 0, 0, 0, 2] };
const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

export function chunksToPcap(chunks: readonly TlsStreamChunk[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262_144, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const packets: Buffer[] = [header];
  const seq = { c2s: 1_000, s2c: 5_000 };
  const t0 = chunks[0]?.timestampUs ?? 0;
  const put = (dir: 'c2s' | 's2c', ts: number, flags: number, payload: Uint8Array = new Uint8Array(0)) => {
    const other = dir === 'c2s' ? 's2c' : 'c2s';
    packets.push(packet(dir, ts, flags, seq[dir], flags & ACK ? seq[other] : 0, payload));
    seq[dir] += payload.length + (flags & (SYN | FIN) ? 1 : 0);
  };
  put('c2s', t0, SYN);
  put('s2c', t0, SYN | ACK);
  put('c2s', t0, ACK);
  for (const c of chunks) {
    for (let at = 0; at < c.bytes.length; at += MSS)
      put(c.direction, c.timestampUs, PSH | ACK, c.bytes.subarray(at, at + MSS));
  }
  const end = chunks.at(-1)?.timestampUs ?? t0;
  put('c2s', end, FIN | ACK);
  put('s2c', end, FIN | ACK);
  put('c2s', end, ACK);
  return Buffer.concat(packets);
}

function packet(
  dir: 'c2s' | 's2c',
  ts: number,
  flags: number,
  seq: number,
  ack: number,
  payload: Uint8Array,
): Buffer {
  const [src, dst] = dir === 'c2s' ? [CLIENT, SERVER] : [SERVER, CLIENT];
  const frame = Buffer.alloc(14 + 20 + 20 + payload.length);
  Buffer.from([...dst.mac, ...src.mac, 0x08, 0x00]).copy(frame, 0);
  const ip = frame.subarray(14, 34);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip.writeUInt16BE(0x4000, 6); // DF
  ip[8] = 64;
  ip[9] = 6; // TCP
  Buffer.from([...src.ip, ...dst.ip]).copy(ip, 12);
  ip.writeUInt16BE(ipChecksum(ip), 10);
  const tcp = frame.subarray(34, 54);
  tcp.writeUInt16BE(src.port, 0);
  tcp.writeUInt16BE(dst.port, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(ack >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(65_535, 14);
  Buffer.from(payload).copy(frame, 54);
  const record = Buffer.alloc(16);
  record.writeUInt32LE(Math.floor(ts / 1e6), 0);
  record.writeUInt32LE(ts % 1e6, 4);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([record, frame]);
}

/** RFC 791 §3.1 header checksum: ones' complement of the ones' complement sum of 16-bit words. */
function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
