import { parseOptions, rngSchema, z } from '../../core/options.js';
import { type Rng, SeededRng } from '../../core/rng.js';

/** What the air around the ENV II unit is doing at one instant. */
export interface AmbientConditions {
  readonly temperatureC: number;
  readonly relativeHumidityPct: number;
  /** Station pressure (at `altitudeM`), what a barometer on the bench reads. */
  readonly pressureHpa: number;
}

/** What a sensor model reads: the ambient at an instant, and its own measurement noise. */
export interface AmbientSource {
  at(tUs: number): AmbientConditions;
  /** A normally distributed error of standard deviation `sigma` (0 gives 0). */
  noise(sigma: number): number;
}

export const ambientSourceSchema = z.custom<AmbientSource>(
  (v) =>
    typeof (v as AmbientSource | undefined)?.at === 'function' &&
    typeof (v as AmbientSource | undefined)?.noise === 'function',
  'expected an AmbientSource (an Environment)',
);

const US_PER_HOUR = 3_600_000_000;
const US_PER_DAY = 24 * US_PER_HOUR;
/** The slow random walks move on a one-minute grid and are interpolated in between. */
const WALK_STEP_US = 60_000_000;
/** A lab run lasts hours or days; a year bounds the walk's memory (3 × 525 600 doubles). */
const MAX_TIME_US = 366 * US_PER_DAY;

const schema = z.strictObject({
  rng: rngSchema,
  /** Daily mean air temperature of the room. */
  meanTemperatureC: z.number().min(-40).max(60).default(21),
  /** Half the day–night swing; the warmest hour is mid-afternoon. */
  dailyAmplitudeC: z.number().min(0).max(20).default(1.5),
  /** Dew point of the room air: the absolute humidity, which changes slowly. */
  meanDewPointC: z.number().min(-40).max(40).default(9),
  /** Mean sea-level pressure. */
  seaLevelPressureHpa: z.number().min(870).max(1085).default(1013.25),
  altitudeM: z.number().min(-400).max(5000).default(0),
  /** Local hour of day at time 0 (a lab session starts in the morning). */
  startHour: z.number().min(0).lt(24).default(9),
});
export type EnvironmentOptions = z.input<typeof schema>;

/** Stationary standard deviation and time constant of each Ornstein–Uhlenbeck walk. */
const WALKS = {
  temperature: { sigma: 0.4, tauUs: 2 * US_PER_HOUR },
  dewPoint: { sigma: 0.8, tauUs: 6 * US_PER_HOUR },
  pressure: { sigma: 3, tauUs: 24 * US_PER_HOUR },
} as const;
type WalkName = keyof typeof WALKS;

/**
 * A room's temperature, humidity and pressure as functions of time (microseconds from the start
 * of the run), shared by every sensor of a device so the SHT30 and the BMP280 agree on the
 * temperature. Slow drift = a daily sinusoid plus mean-reverting random walks; the walks are drawn
 * from a stream derived from the injected RNG and depend only on time, so the same seed gives the
 * same conditions whatever order the sensors ask in. Measurement noise comes from a second derived
 * stream (`noise`), consumed in the order the sensors measure.
 */
export class Environment implements AmbientSource {
  readonly #o: Readonly<z.infer<typeof schema>>;
  readonly #walkRng: Rng;
  readonly #noiseRng: Rng;
  readonly #walks: Record<WalkName, number[]> = { temperature: [], dewPoint: [], pressure: [] };

  constructor(options: EnvironmentOptions) {
    this.#o = parseOptions(schema, options, 'Environment');
    this.#walkRng = new SeededRng(this.#o.rng.bytes(32));
    this.#noiseRng = new SeededRng(this.#o.rng.bytes(32));
  }

  at(tUs: number): AmbientConditions {
    if (!Number.isFinite(tUs) || tUs < 0 || tUs > MAX_TIME_US) {
      throw new RangeError(`Environment: time ${tUs} µs is outside 0 … ${MAX_TIME_US} µs`);
    }
    const o = this.#o;
    const hour = (o.startHour + tUs / US_PER_HOUR) % 24;
    // Warmest at 15:00, coldest at 03:00.
    const daily = o.dailyAmplitudeC * Math.cos((2 * Math.PI * (hour - 15)) / 24);
    const temperatureC = o.meanTemperatureC + daily + this.#walk('temperature', tUs);
    // The room air keeps its water content while it warms: RH falls in the afternoon.
    const dewPointC = Math.min(o.meanDewPointC + this.#walk('dewPoint', tUs), temperatureC);
    const relativeHumidityPct = clamp((100 * saturationHpa(dewPointC)) / saturationHpa(temperatureC), 0, 100);
    // Atmospheric tide: a semidiurnal swing of about 1 hPa peaking near 10:00 and 22:00.
    const tide = 0.5 * Math.cos((2 * Math.PI * (hour - 10)) / 12);
    const seaLevel = o.seaLevelPressureHpa + tide + this.#walk('pressure', tUs);
    // International barometric formula (ICAO standard atmosphere, troposphere).
    const pressureHpa = seaLevel * Math.pow(1 - 2.25577e-5 * o.altitudeM, 5.25588);
    return { temperatureC, relativeHumidityPct, pressureHpa };
  }

  noise(sigma: number): number {
    return sigma === 0 ? 0 : sigma * gaussian(this.#noiseRng);
  }

  #walk(name: WalkName, tUs: number): number {
    const k = Math.floor(tUs / WALK_STEP_US);
    // All walks grow together, in grid order, from one stream: a value depends on time only.
    while (this.#walks.temperature.length <= k + 1) this.#extendWalks();
    const values = this.#walks[name];
    const frac = tUs / WALK_STEP_US - k;
    return values[k]! + (values[k + 1]! - values[k]!) * frac;
  }

  /** One grid step of each walk: the exact discretisation of an Ornstein–Uhlenbeck process. */
  #extendWalks(): void {
    for (const name of Object.keys(WALKS) as WalkName[]) {
      const values = this.#walks[name];
      const { sigma, tauUs } = WALKS[name];
      const decay = Math.exp(-WALK_STEP_US / tauUs);
      const z = gaussian(this.#walkRng);
      const last = values.at(-1);
      // The first point is drawn from the stationary distribution: a run starts mid-weather.
      values.push(last === undefined ? sigma * z : last * decay + sigma * Math.sqrt(1 - decay * decay) * z);
    }
  }
}

/** Magnus formula over water (Alduchov & Eskridge 1996 coefficients), hPa. */
export function saturationHpa(temperatureC: number): number {
  return 6.1094 * Math.exp((17.625 * temperatureC) / (temperatureC + 243.04));
}

/** Standard normal variate (Box–Muller) from two 53-bit uniforms of the stream. */
export function gaussian(rng: Rng): number {
  const u1 = (uniform53(rng) + 1) / 2 ** 53; // (0, 1]: log(u1) is finite
  const u2 = uniform53(rng) / 2 ** 53;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function uniform53(rng: Rng): number {
  const b = rng.bytes(7);
  let n = 0;
  for (const byte of b) n = n * 256 + byte;
  return Math.floor(n / 8); // 56 → 53 bits
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
