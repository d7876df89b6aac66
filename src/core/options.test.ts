import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabError } from './errors.js';
import { parseOptions, z } from './options.js';

const schema = z.strictObject({
  days: z.number().int().positive().default(365),
  subject: z.strictObject({ cn: z.string() }).optional(),
});

test('unknown keys are errors naming the key, also nested', () => {
  assert.throws(
    () => parseOptions(schema, { dayz: 3 }, 'issue'),
    (e: unknown) => e instanceof LabError && e.code === 'ERR_OPTIONS_UNKNOWN_KEY' && /dayz/.test(e.message),
  );
  assert.throws(
    () => parseOptions(schema, { subject: { cn: 'x', o: 'y' } }, 'issue'),
    (e: unknown) =>
      e instanceof LabError && e.code === 'ERR_OPTIONS_UNKNOWN_KEY' && /subject\.o/.test(e.message),
  );
});

test('bad values are ERR_OPTIONS_INVALID naming the option', () => {
  assert.throws(
    () => parseOptions(schema, { days: -1 }, 'issue'),
    (e: unknown) => e instanceof LabError && e.code === 'ERR_OPTIONS_INVALID' && e.details.option === 'days',
  );
});

test('result has defaults, is frozen, and the input is untouched', () => {
  const input = { subject: { cn: 'a' } };
  const out = parseOptions(schema, input, 'issue');
  assert.equal(out.days, 365);
  assert.ok(Object.isFrozen(out));
  assert.ok(Object.isFrozen(out.subject));
  assert.deepEqual(input, { subject: { cn: 'a' } });
  assert.ok(!Object.isFrozen(input));
});

test('injected collaborators are passed through, not frozen', () => {
  class Counter {
    n = 0;
    next() {
      return ++this.n;
    }
  }
  const counter = new Counter();
  const s = z.strictObject({ counter: z.custom<Counter>((v) => v instanceof Counter) });
  const out = parseOptions(s, { counter }, 'x');
  assert.equal(out.counter, counter);
  assert.ok(!Object.isFrozen(counter));
  assert.equal(counter.next(), 1);
});
