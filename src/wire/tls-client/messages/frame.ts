import { concat, u24, u8 } from '../bytes.js';

/** RFC 5246 §7.4: Handshake = msg_type ‖ uint24 length ‖ body. */
export function handshakeMessage(type: number, body: Uint8Array): Uint8Array {
  return concat(u8(type), u24(body.length), body);
}
