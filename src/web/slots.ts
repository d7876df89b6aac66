/**
 * The slot-map explorer's data: the publisher's secure element as its configuration zone says
 * anyone may use it. Content comes only through the part's own `readSlot`, which applies the
 * chip's Read policy (KeyConfig.Private, SlotConfig.IsSecret/EncryptRead, LockValue): slot 0
 * (a P-256 private key) never shows content; slot 8 on a TNGTLS part does, because the part
 * lets anyone on the bus read it — which is what the lab shows.
 */
import type { Atecc608b, SlotInfo } from '../hardware/atecc608b/index.js';
import type { SlotView } from './api.js';

export type { SlotView } from './api.js';

export interface SlotMapView {
  readonly present: boolean;
  readonly profile?: string;
  readonly i2cAddress?: string;
  readonly serial?: string;
  readonly locks?: { readonly config: boolean; readonly data: boolean };
  readonly slots: readonly SlotView[];
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0').toUpperCase()}`;

export function slotMapView(part: Atecc608b | undefined): SlotMapView {
  if (part === undefined) return { present: false, slots: [] };
  const locks = part.locks;
  return {
    present: true,
    profile: part.profile,
    i2cAddress: `0x${part.i2cAddress.toString(16)}`,
    serial: Buffer.from(part.serialNumber).toString('hex').toUpperCase(),
    locks: { config: locks.config, data: locks.data },
    slots: part.slotMap().map((info) => slotView(part, info)),
  };
}

const KEY_USE = new Set(['externalSign', 'internalSign', 'ecdh', 'ecdhToSlot', 'genKey', 'privWrite']);

function withoutKeyUse(sc: Omit<SlotInfo['slotConfig'], 'raw'>): Record<string, number | boolean | string> {
  return Object.fromEntries(Object.entries(sc).filter(([k]) => !KEY_USE.has(k)));
}

function slotView(part: Atecc608b, info: SlotInfo): SlotView {
  const { raw: scRaw, ...decoded } = info.slotConfig;
  // The ReadKey/WriteConfig bits mean Sign/ECDH/GenKey permissions only on an ECC private key.
  const sc = info.keyConfig.private ? decoded : withoutKeyUse(decoded);
  const { raw: kcRaw, ...kc } = info.keyConfig;
  // ATECC608B: KeyConfig.Private — never shown, whatever else the policy says.
  const content = info.keyConfig.private ? null : part.readSlot(info.slot);
  return {
    slot: info.slot,
    size: info.size,
    slotConfig: { raw: hex4(scRaw), ...sc },
    keyConfig: { raw: hex4(kcRaw), ...kc },
    locked: info.locked,
    privateKey: info.keyConfig.private,
    readable: content !== null,
    ...(info.read.allowed ? {} : { readRefusal: info.read.reason }),
    write: info.write.allowed ? `allowed (${info.slotConfig.writeMode})` : info.write.reason,
    sign: info.externalSign.allowed || info.internalSign.allowed,
    ecdh: info.ecdh.allowed,
    ...(content !== null
      ? { contentHex: Buffer.from(content).toString('hex'), blank: content.every((b) => b === 0) }
      : {}),
  };
}
