/**
 * The telemetry payload the M5Go publishes on `m5go/env` and the M5Stack subscriber displays:
 * one JSON object per reading, temperature and humidity from the SHT30, pressure from the BMP280.
 *
 *   {"deviceId":"m5go-01","seq":42,"timestamp":"2025-03-14T09:00:00.000Z",
 *    "temperature":21.37,"humidity":45.2,"pressure":1013.42}
 *
 * A publisher with signed readings adds one key, `sig`: the secure element's ECDSA P-256
 * signature over the other fields (reading-signature.ts says exactly what is signed). It is
 * optional, so the unsigned readings of Steps 1–3 stay valid; what a `sig` is worth is the
 * verifying subscriber's business, not the schema's.
 *
 * The subscriber parses with a strict schema: the payload crossed a network, so an unknown key,
 * a wrong type or a value no sensor of the unit can produce is rejected, never displayed.
 */
import { type Clock, systemClock } from '../../core/clock.js';
import { LabError } from '../../core/errors.js';
import { parseOptions, z } from '../../core/options.js';

/** A reading is ~130 bytes; the bound is checked before decoding or parsing anything. */
export const MAX_READING_BYTES = 512;

/** Like an MQTT client id or a certificate CN: letters, digits, `.`, `_`, `:`, `-`, at most 64. */
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const envShape = {
  // SHT3x-DIS §2: the SHT30 measures -40…125 °C and 0…100 %RH.
  temperature: z.number().min(-40).max(125),
  humidity: z.number().min(0).max(100),
  // BMP280 datasheet §1 Table 2: operating pressure range 300…1100 hPa.
  pressure: z.number().min(300).max(1100),
};
const idShape = {
  deviceId: z.string().regex(DEVICE_ID, 'expected 1–64 of A-Z a-z 0-9 . _ : -'),
  /** The firmware's uint32_t counter. */
  seq: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
};

const readingSchema = z.strictObject({
  ...idShape,
  timestamp: z.iso.datetime({ offset: true }),
  ...envShape,
  // Any string: a malformed signature is the verifier's verdict (flagged), not a parse error.
  sig: z.string().optional(),
});
const encodeSchema = z.strictObject({ ...idShape, ...envShape });

/** A parsed payload. Units: °C, %RH, hPa; `sig` only on a signed reading. */
export type Reading = z.infer<typeof readingSchema>;
/** What one pass over the ENV II gives. */
export type EnvReading = Pick<Reading, 'temperature' | 'humidity' | 'pressure'>;
export type ReadingInput = z.input<typeof encodeSchema>;

/** What readEnv needs of the drivers (Sht30Driver and Bmp280Driver have it). */
export interface TemperatureHumiditySensor {
  measure(): Promise<{ readonly temperatureC: number; readonly relativeHumidityPct: number }>;
}
export interface PressureSensor {
  measure(): Promise<{ readonly pressurePa: number }>;
}

/**
 * One reading of the unit. Temperature comes from the SHT30, whose ±0.2 °C beats the BMP280's
 * ±1 °C; the BMP280's own temperature only serves its pressure compensation. Rounded to what the
 * parts resolve and the screen shows: 0.01 °C, 0.1 %RH, 0.01 hPa.
 */
export async function readEnv(sht: TemperatureHumiditySensor, bmp: PressureSensor): Promise<EnvReading> {
  const th = await sht.measure();
  const p = await bmp.measure();
  return {
    temperature: round(th.temperatureC, 2),
    humidity: round(th.relativeHumidityPct, 1),
    pressure: round(p.pressurePa / 100, 2),
  };
}

/** The payload for one reading, stamped with `clock`'s now. Bad input is ERR_OPTIONS_*: our own bug. */
export function encodeReading(input: ReadingInput, clock: Clock = systemClock): string {
  const r = parseOptions(encodeSchema, input, 'encodeReading');
  const reading: Reading = {
    deviceId: r.deviceId,
    seq: r.seq,
    timestamp: clock.now().toISOString(),
    temperature: r.temperature,
    humidity: r.humidity,
    pressure: r.pressure,
  };
  return JSON.stringify(reading);
}

/**
 * A received payload (an MQTT message's bytes, or text) as a Reading, or ERR_TELEMETRY_MALFORMED with
 * `details.reason`: 'too-large', 'not-utf8', 'not-json', 'unknown-key' or 'invalid' (with `path`).
 */
export function parseReading(payload: string | Uint8Array): Reading {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length;
  if (size > MAX_READING_BYTES) {
    throw malformed('too-large', `${size} bytes is more than ${MAX_READING_BYTES}`, { size });
  }
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch (cause) {
    throw malformed('not-utf8', 'payload is not UTF-8', {}, cause);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw malformed('not-json', 'payload is not JSON', {}, cause);
  }
  const result = readingSchema.safeParse(value);
  if (result.success) return Object.freeze(result.data);
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    throw malformed('unknown-key', `unknown key ${issue.keys.join(', ')}`, { keys: issue.keys });
  }
  throw malformed('invalid', `${path || '(root)'}: ${issue.message}`, { path }, result.error);
}

function malformed(
  reason: string,
  message: string,
  details: Readonly<Record<string, unknown>>,
  cause?: unknown,
): LabError {
  // No ERR_TELEMETRY_* code exists yet: a payload that is not a reading is bad sensor data.
  return new LabError('ERR_TELEMETRY_MALFORMED', `parseReading: ${message}`, {
    details: { where: 'parseReading', reason, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
