import { decodeResponse, OPCODE, type ZONE_CODE } from '../../hardware/atecc608b/index.js';

/**
 * The fixed waits the SparkFun ATECCX08A library (v1.3.1) makes after sending each command,
 * in milliseconds, before it starts reading (reference §4). Several are shorter than the
 * ATECC608B's maximum execution times; the library then counts on its read retries while the
 * part NACKs. Counter and SelfTest are not in the library: CryptoAuthLib's maxima are used.
 */
export const SPARKFUN_DELAY_MS: Readonly<Record<number, number>> = Object.freeze({
  [OPCODE.INFO]: 1,
  [OPCODE.READ]: 1,
  [OPCODE.WRITE]: 26,
  [OPCODE.LOCK]: 32,
  [OPCODE.RANDOM]: 23,
  [OPCODE.NONCE]: 7,
  [OPCODE.SIGN]: 70,
  [OPCODE.VERIFY]: 58,
  [OPCODE.GENKEY]: 115,
  [OPCODE.SHA]: 9,
  [OPCODE.ECDH]: 58,
  [OPCODE.COUNTER]: 20,
  [OPCODE.SELFTEST]: 200,
});

/**
 * ATECC608B maximum execution times at clock divider M0 (the TNGTLS ChipMode), in
 * milliseconds, as CryptoAuthLib tabulates them for the 608 (atca_execution.c): the bound of
 * the polling wait. A command missing here gets SelfTest's 250 ms, the longest.
 */
export const MAX_EXECUTION_MS: Readonly<Record<number, number>> = Object.freeze({
  [OPCODE.INFO]: 5,
  [OPCODE.READ]: 5,
  [OPCODE.WRITE]: 45,
  [OPCODE.LOCK]: 35,
  [OPCODE.RANDOM]: 23,
  [OPCODE.NONCE]: 20,
  [OPCODE.SIGN]: 115,
  [OPCODE.VERIFY]: 105,
  [OPCODE.GENKEY]: 115,
  [OPCODE.SHA]: 36,
  [OPCODE.ECDH]: 75,
  [OPCODE.COUNTER]: 25,
  [OPCODE.SELFTEST]: 250,
});
export const LONGEST_EXECUTION_MS = 250;

/**
 * CryptoAuthLib's polling (calib_execute_command without ATCA_NO_POLL): wait
 * ATCA_POLLING_INIT_TIME_MSEC (1 ms) after the command, then try a read every
 * ATCA_POLLING_FREQUENCY_TIME_MSEC (2 ms) until the part ACKs.
 */
export const POLL_INITIAL_US = 1000;
export const POLL_INTERVAL_US = 2000;

/** receiveResponseData: at most 20 requestFrom() calls, each of at most 32 bytes. */
export const READ_ATTEMPTS = 20;
export const READ_CHUNK = 32;
/** wakeUp(): delayMicroseconds(1500) between the general call and reading the wake group. */
export const WAKE_DELAY_US = 1500;

/** Read/Write param1 bits 1:0 (datasheet Table 11-41): ZONE_CODE's names. */
export type ZoneName = keyof typeof ZONE_CODE;

/** Read/Write param1 bit 7: a 32-byte access instead of 4 (datasheet Table 11-41). */
export const LENGTH_32 = 0x80;

/**
 * What came back for one command, as the host sees it: the payload of a group whose count and
 * CRC check out, a valid 4-byte status group where a longer answer was expected, or bytes
 * that fail the checks.
 */
export type Answer =
  | { readonly kind: 'payload'; readonly payload: Uint8Array }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'garbled'; readonly reason: 'short' | 'count' | 'crc'; readonly received: number };

/**
 * Classify the bytes a read loop collected. The SparkFun library only checks count == bytes
 * received and the CRC, so it reports "false" for an error group; this driver recognises a
 * well-formed status group inside a longer read (the bytes after it read 0xFF) and surfaces
 * the status, which the library never does.
 */
export function classifyAnswer(received: Uint8Array, expected: number): Answer {
  const decoded = decodeResponse(received);
  if (!decoded.ok) return { kind: 'garbled', reason: decoded.reason, received: received.length };
  const count = received[0]!;
  if (count === 4 && expected !== 4) return { kind: 'status', status: decoded.payload[0]! };
  if (count !== expected) return { kind: 'garbled', reason: 'count', received: received.length };
  return { kind: 'payload', payload: decoded.payload };
}

/** Data-zone address of a 32-byte block: `(slot << 3) | (block << 8)` (datasheet §9.1.4). */
export function slotBlockAddress(slot: number, block: number): number {
  return (slot << 3) | (block << 8);
}

export const OPCODE_NAME: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(OPCODE).map(([name, op]) => [op, name])),
);
