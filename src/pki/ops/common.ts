import { z } from '../../core/options.js';
import { KEY_TYPES } from '../keys.js';

export { clockSchema, rngSchema } from '../../core/options.js';

export const subjectSchema = z.strictObject({
  C: z.string().optional(),
  ST: z.string().optional(),
  L: z.string().optional(),
  O: z.string().optional(),
  OU: z.string().optional(),
  CN: z.string().optional(),
  emailAddress: z.string().optional(),
});

export const keyTypeSchema = z.enum(KEY_TYPES);
export const daysSchema = z.number().positive().max(36500);
