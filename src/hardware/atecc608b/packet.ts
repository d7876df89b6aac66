import { crc16Le, hasValidCrc } from './crc.js';

/** Status bytes of a 4-byte status group (reference §3.6, CryptoAuthLib `isATCAError`). */
export const STATUS = {
  SUCCESS: 0x00,
  /** CheckMac or Verify miscompare. */
  MISCOMPARE: 0x01,
  /** Bad length, opcode or parameters, whatever the state of the part. */
  PARSE_ERROR: 0x03,
  /** An ECC computation failed (a retry may succeed). */
  ECC_FAULT: 0x05,
  SELF_TEST_ERROR: 0x07,
  HEALTH_TEST_ERROR: 0x08,
  /** The command is not allowed in the current state or by the configuration. */
  EXECUTION_ERROR: 0x0f,
  /** After wake, before the first command. */
  AFTER_WAKE: 0x11,
  /** Too little watchdog time left to run the command. */
  WATCHDOG_ABOUT_TO_EXPIRE: 0xee,
  /** CRC or communication error; always reported before any other error. */
  CRC_ERROR: 0xff,
} as const;

export type StatusCode = (typeof STATUS)[keyof typeof STATUS];

export const STATUS_CODES: ReadonlySet<number> = new Set(Object.values(STATUS));

/** First byte of every host write (reference §3.2). */
export const WORD_ADDRESS = { RESET: 0x00, SLEEP: 0x01, IDLE: 0x02, COMMAND: 0x03 } as const;

/** Opcodes (CryptoAuthLib lib/calib/calib_command.h). */
export const OPCODE = {
  READ: 0x02,
  MAC: 0x08,
  WRITE: 0x12,
  GENDIG: 0x15,
  NONCE: 0x16,
  LOCK: 0x17,
  RANDOM: 0x1b,
  DERIVE_KEY: 0x1c,
  UPDATE_EXTRA: 0x20,
  COUNTER: 0x24,
  CHECKMAC: 0x28,
  INFO: 0x30,
  GENKEY: 0x40,
  SIGN: 0x41,
  ECDH: 0x43,
  VERIFY: 0x45,
  PRIVWRITE: 0x46,
  SHA: 0x47,
  AES: 0x51,
  KDF: 0x56,
  SELFTEST: 0x77,
  SECUREBOOT: 0x80,
} as const;

/** count + opcode + param1 + param2 + CRC (CryptoAuthLib ATCA_CMD_SIZE_MIN). */
export const COMMAND_SIZE_MIN = 7;
/** The largest packet the input buffer holds: 4·36 + 7 (ATCA_CMD_SIZE_MAX). */
export const COMMAND_SIZE_MAX = 151;
/** The largest response group (ATCA_RSP_SIZE_MAX). */
export const RESPONSE_SIZE_MAX = 75;

export interface CommandPacket {
  readonly opcode: number;
  readonly param1: number;
  /** 16-bit, sent least significant byte first. */
  readonly param2: number;
  readonly data: Uint8Array;
}

export type DecodedCommand =
  | { readonly ok: true; readonly command: CommandPacket }
  | { readonly ok: false; readonly status: typeof STATUS.CRC_ERROR | typeof STATUS.PARSE_ERROR };

/**
 * Encode a command packet as it follows the 0x03 word address:
 * `[count][opcode][param1][param2 LSB][param2 MSB][data…][CRC LSB][CRC MSB]`, where count
 * covers itself through the CRC (reference §3.4).
 */
export function encodeCommand(
  opcode: number,
  param1: number,
  param2: number,
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const count = COMMAND_SIZE_MIN + data.length;
  if (count > 0xff) throw new RangeError(`command data of ${data.length} bytes does not fit a packet`);
  const packet = new Uint8Array(count);
  packet.set([count, opcode & 0xff, param1 & 0xff, param2 & 0xff, (param2 >> 8) & 0xff]);
  packet.set(data, 5);
  packet.set(crc16Le(packet.subarray(0, count - 2)), count - 2);
  return packet;
}

/**
 * Decode the bytes a host wrote after the 0x03 word address. The order of checks is the
 * part's: a frame shorter than its count, or whose CRC does not match, is a communication
 * error (0xFF) before anything else is looked at; then size limits are parse errors (0x03).
 * Bytes after `count` are not part of the packet.
 */
export function decodeCommand(bytes: Uint8Array): DecodedCommand {
  const count = bytes[0] ?? 0;
  // A frame too short to carry its own CRC, or cut before `count` bytes, cannot be checked.
  if (count < 3 || bytes.length < count) return { ok: false, status: STATUS.CRC_ERROR };
  const frame = bytes.subarray(0, count);
  if (!hasValidCrc(frame)) return { ok: false, status: STATUS.CRC_ERROR };
  if (count < COMMAND_SIZE_MIN || count > COMMAND_SIZE_MAX) return { ok: false, status: STATUS.PARSE_ERROR };
  return {
    ok: true,
    command: {
      opcode: frame[1]!,
      param1: frame[2]!,
      param2: frame[3]! | (frame[4]! << 8),
      data: frame.slice(5, count - 2),
    },
  };
}

/** A response group: `[count][payload…][CRC LSB][CRC MSB]`. */
export function encodeResponse(payload: Uint8Array): Uint8Array {
  const count = payload.length + 3;
  if (count > RESPONSE_SIZE_MAX)
    throw new RangeError(`response payload of ${payload.length} bytes is too long`);
  const group = new Uint8Array(count);
  group[0] = count;
  group.set(payload, 1);
  group.set(crc16Le(group.subarray(0, count - 2)), count - 2);
  return group;
}

/** A 4-byte status group `[04][status][CRC][CRC]`. */
export function statusResponse(status: number): Uint8Array {
  return encodeResponse(Uint8Array.of(status));
}

/** What the part puts in its output buffer on wake: `04 11 33 43`. */
export const WAKE_RESPONSE: Uint8Array = statusResponse(STATUS.AFTER_WAKE);

export type DecodedResponse =
  | { readonly ok: true; readonly payload: Uint8Array }
  | { readonly ok: false; readonly reason: 'short' | 'count' | 'crc' };

/** Host side: check a response group's count and CRC and return its payload. */
export function decodeResponse(group: Uint8Array): DecodedResponse {
  const count = group[0] ?? 0;
  if (group.length < 4) return { ok: false, reason: 'short' };
  if (count < 4 || count > group.length) return { ok: false, reason: 'count' };
  const frame = group.subarray(0, count);
  if (!hasValidCrc(frame)) return { ok: false, reason: 'crc' };
  return { ok: true, payload: frame.slice(1, count - 2) };
}
