import { z } from 'zod';
import type { Clock } from './clock.js';
import { LabError } from './errors.js';
import type { Rng } from './rng.js';

export { z };

/** Injected collaborators: checked by shape, passed through by reference (see deepFreeze). */
export const clockSchema = z.custom<Clock>(
  (v) => typeof (v as Clock | undefined)?.now === 'function',
  'expected a Clock',
);
export const rngSchema = z.custom<Rng>(
  (v) => typeof (v as Rng | undefined)?.bytes === 'function',
  'expected an Rng',
);

/**
 * Validate an options object against a strict schema, then freeze the result.
 * Unknown keys are an error naming the key: in a security tool a typo must not be ignored
 * silently. The caller's object is never mutated; the result is a deep-frozen copy.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: string,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return deepFreeze(result.data);
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const at = path === '' ? keys.join(', ') : keys.map((k) => `${path}.${k}`).join(', ');
    throw new LabError('ERR_OPTIONS_UNKNOWN_KEY', `${where}: unknown option ${at}`, {
      details: { where, keys: keys.map((k) => (path === '' ? k : `${path}.${k}`)) },
    });
  }
  throw new LabError('ERR_OPTIONS_INVALID', `${where}: option ${path || '(root)'}: ${issue.message}`, {
    details: { where, option: path },
    cause: result.error,
  });
}

/**
 * Freeze the plain objects and arrays zod built for us. Injected collaborators (a clock, an
 * RNG, a parsed certificate) pass through by reference and belong to the caller: freezing them
 * would mutate the caller's objects.
 */
function deepFreeze<T>(value: T): T {
  if (!isPlainData(value) || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value as object)) deepFreeze(inner);
  return Object.freeze(value);
}

function isPlainData(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
