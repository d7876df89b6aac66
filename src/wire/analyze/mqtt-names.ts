import { CONNACK_V3, RC } from '../mqtt/reason-codes.js';

const words = (camel: string) => camel.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);

const V3 = new Map<number, string>(Object.entries(CONNACK_V3).map(([name, code]) => [code, words(name)]));
const V5 = new Map<number, string>(Object.entries(RC).map(([name, code]) => [code, words(name)]));
V5.set(RC.success, 'success');

/** MQTT 3.1.1 §3.2.2.3 return codes, MQTT 5.0 §2.4 reason codes, in the specs' words. */
export function connackName(code: number, level: number | undefined): string {
  const name = level === 5 ? V5.get(code) : V3.get(code);
  return name ?? `reserved (0x${code.toString(16).padStart(2, '0')})`;
}

/** A v5 reason code's name; v3.1.1 acks carry none. */
export function reasonName(code: number): string {
  return V5.get(code) ?? `0x${code.toString(16).padStart(2, '0')}`;
}

export function protocolLabel(level: number | undefined): string {
  if (level === 3) return 'MQTT 3.1';
  if (level === 5) return 'MQTT 5.0';
  return 'MQTT 3.1.1';
}
