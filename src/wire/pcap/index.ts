export {
  type Capture,
  type CapturedPacket,
  type CaptureFormat,
  type CaptureInterface,
  type CaptureWriter,
  concatBytes,
  type PacketToWrite,
} from './packet.js';
export {
  DEFAULT_SNAPLEN,
  encodePcap,
  PCAP_MAGIC_MICROSECONDS,
  PCAP_MAGIC_NANOSECONDS,
  PcapWriter,
  type PcapWriterOptions,
} from './pcap-writer.js';
export { encodePcapng, PcapngWriter, type PcapngWriterOptions } from './pcapng-writer.js';
export { readPcap } from './pcap-reader.js';
export { readPcapng } from './pcapng-reader.js';
export { readCapture } from './read-capture.js';
export { writeCaptureFile, type WriteCaptureOptions } from './write-file.js';
export { internetChecksum } from './frames/checksum.js';
export { encodeEthernetHeader, formatMac, macFromIpv4 } from './frames/ethernet.js';
export {
  decodeIpv4,
  encodeIpv4Header,
  formatIpv4,
  type Ipv4HeaderFields,
  type Ipv4Packet,
  isIpv4,
  parseIpv4,
} from './frames/ipv4.js';
export {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_RAW,
  SUPPORTED_LINK_TYPES,
} from './frames/link.js';
export {
  decodeTcpHeader,
  encodeTcpSegment,
  type Endpoint,
  formatTcpFlags,
  TCP_FLAGS,
  tcpChecksum,
  type TcpDirection,
  type TcpHeader,
  type TcpSegmentFields,
} from './frames/tcp.js';
export { decodeTcpFrame, type FrameInput, type TcpSegment, tcpSegments } from './frames/decode.js';
export {
  type Conversation,
  type ConversationEvent,
  DEFAULT_MSS,
  synthesizeConversation,
  synthesizeConversations,
} from './frames/synthesize.js';
