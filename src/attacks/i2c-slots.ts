/**
 * An attacker's I2C master on Port A, reading the secure element's data slots the way any
 * host can: 32-byte Reads block by block, 4-byte Reads for the last words of a slot
 * (datasheet §9.1.4: slots 0–7 end with block 1 word 0, slots 9–15 with block 2 words 0–1).
 * What the chip refuses comes back as its status byte; what it hands over is searched for a
 * private key belonging to the device's certificate.
 */
import { isLabError } from '../core/errors.js';
import { type Atecc608Driver, decodeSlotKey, type SlotKey } from '../device/index.js';
import { SLOT_COUNT, slotSize, STATUS } from '../hardware/atecc608b/index.js';
import { byteHex } from './hardware-kit.js';
import { findDerKeys, findRawScalars, type FoundCertificate, type FoundKey } from './key-search.js';
import { everyWindow } from './key-scalar.js';

export interface SlotRead {
  readonly slot: number;
  readonly size: number;
  /** The bytes read before the first refusal (all of the slot when `status` is undefined). */
  readonly bytes: Uint8Array;
  /** The status byte of the first refused Read (0x0F: execution error, the policy says no). */
  readonly status: number | undefined;
  readonly refusedAt?: string;
}

/** The status byte a refused command came back with; undefined for any other failure. */
export function statusOf(err: unknown): number | undefined {
  if (!isLabError(err, 'ERR_SE_STATUS')) return undefined;
  const s = err.details.status;
  return typeof s === 'number' ? s : undefined;
}

export function statusName(status: number | undefined): string {
  if (status === undefined) return 'no status';
  const name = Object.entries(STATUS).find(([, v]) => v === status)?.[0];
  return `${byteHex(status)}${name ? ` (${name.toLowerCase().replaceAll('_', ' ')})` : ''}`;
}

/** The Reads that cover a slot: [block, word, length] (param2 = slot<<3 | block<<8 | word). */
function accesses(slot: number): [number, number, 4 | 32][] {
  const size = slotSize(slot);
  const out: [number, number, 4 | 32][] = [];
  for (let block = 0; block * 32 < size; block++) {
    const left = size - block * 32;
    if (left >= 32) out.push([block, 0, 32]);
    else for (let word = 0; word * 4 < left; word++) out.push([block, word, 4]);
  }
  return out;
}

/** Read one slot whole, stopping at the first refusal. */
export async function readWholeSlot(driver: Atecc608Driver, slot: number): Promise<SlotRead> {
  const size = slotSize(slot);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const [block, word, length] of accesses(slot)) {
    try {
      const got = await driver.read('data', (slot << 3) | (block << 8) | word, length);
      bytes.set(got.subarray(0, Math.min(length, size - at)), at);
      at += length;
    } catch (err) {
      const status = statusOf(err);
      if (status === undefined) throw err;
      return { slot, size, bytes: bytes.slice(0, at), status, refusedAt: `block ${block} word ${word}` };
    }
  }
  return { slot, size, bytes, status: undefined };
}

export async function surveySlots(driver: Atecc608Driver): Promise<SlotRead[]> {
  const out: SlotRead[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++) out.push(await readWholeSlot(driver, slot));
  return out;
}

export interface SlotKeys {
  /** The lab sheet's format: 2-byte length + PKCS#8 DER. */
  readonly slotKey: SlotKey | undefined;
  readonly slotKeyError: string | undefined;
  /** Any DER key anywhere in the bytes, and raw scalars of the certificate's key. */
  readonly found: readonly FoundKey[];
  /** The key among those whose public key is the device certificate's. */
  readonly match: FoundKey | undefined;
  readonly scalarsTested: number;
}

/** Every way the bytes could hold the device's private key, tested against its certificate. */
export function keysIn(bytes: Uint8Array, device: FoundCertificate | undefined): SlotKeys {
  let slotKey: SlotKey | undefined;
  let slotKeyError: string | undefined;
  try {
    slotKey = decodeSlotKey(bytes);
  } catch (err) {
    slotKeyError = (err as Error).message;
  }
  const raw = findRawScalars(bytes, device ? [device] : [], everyWindow(bytes.length));
  const found = [...findDerKeys(bytes), ...raw.keys];
  const match = device === undefined ? undefined : found.find((k) => k.spkiSha256 === device.spkiSha256);
  return { slotKey, slotKeyError, found, match, scalarsTested: raw.entropy.tested };
}

/** One line per slot for the evidence: size, readable or the status that refused it. */
export function surveyLine(r: SlotRead, keys: SlotKeys | undefined): string {
  const head = `slot ${String(r.slot).padStart(2)} ${String(r.size).padStart(3)} B  `;
  if (r.status !== undefined && r.bytes.length === 0) return `${head}refused: status ${statusName(r.status)}`;
  const partial = r.status === undefined ? '' : ` (then refused at ${r.refusedAt}: ${statusName(r.status)})`;
  const what =
    keys?.match !== undefined
      ? `holds the device's private key (${keys.match.format}, SPKI SHA-256 ${keys.match.spkiSha256})`
      : keys?.found.length
        ? `${keys.found.length} key(s), none the device's`
        : 'no private key';
  return `${head}readable, ${r.bytes.length} bytes${partial}: ${what}`;
}
