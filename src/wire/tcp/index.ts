export {
  DEFAULT_MAX_STREAM_BYTES,
  reassembleTcp,
  type ReassembleOptions,
  type TcpConnection,
} from './reassemble.js';
export type { TcpChunk, TcpGap, TcpStream } from './stream.js';
export { buildAll, type CaptureFlows, scanFlows, steppedFlows } from './capture-flows.js';
export type { ConnectionBuilder } from './reassemble.js';
