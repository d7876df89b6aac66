import type { Clock } from '../../core/clock.js';
import { z } from '../../core/options.js';
import type { Rng } from '../../core/rng.js';
import { KEY_TYPES } from '../keys.js';

export const subjectSchema = z.strictObject({
  C: z.string().optional(),
  ST: z.string().optional(),
  L: z.string().optional(),
  O: z.string().optional(),
  OU: z.string().optional(),
  CN: z.string().optional(),
  emailAddress: z.string().optional(),
});

export const clockSchema = z.custom<Clock>(
  (v) => typeof (v as Clock | undefined)?.now === 'function',
  'expected a Clock',
);
export const rngSchema = z.custom<Rng>(
  (v) => typeof (v as Rng | undefined)?.bytes === 'function',
  'expected an Rng',
);
export const keyTypeSchema = z.enum(KEY_TYPES);
export const daysSchema = z.number().positive().max(36500);
