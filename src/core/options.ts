import { z } from 'zod';
import { LabError } from './errors.js';

export { z };

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

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
