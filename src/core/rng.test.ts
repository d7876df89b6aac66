import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedClock } from './clock.js';
import { SeededRng, systemRng } from './rng.js';

test('SeededRng is reproducible and independent of how the stream is sliced', () => {
  const a = new SeededRng('lab');
  const b = new SeededRng('lab');
  const whole = Buffer.from(a.bytes(100));
  const parts = Buffer.concat([b.bytes(7), b.bytes(50), b.bytes(43)]);
  assert.deepEqual(parts, whole);
  assert.notDeepEqual(Buffer.from(new SeededRng('other').bytes(100)), whole);
});

test('systemRng gives the requested length and differs between calls', () => {
  assert.equal(systemRng.bytes(16).length, 16);
  assert.notDeepEqual(systemRng.bytes(16), systemRng.bytes(16));
});

test('FixedClock stays put until advanced and rejects non-dates', () => {
  const clock = new FixedClock('2026-01-01T00:00:00Z');
  assert.equal(clock.now().toISOString(), '2026-01-01T00:00:00.000Z');
  clock.advance(1000);
  assert.equal(clock.now().toISOString(), '2026-01-01T00:00:01.000Z');
  assert.throws(() => new FixedClock('not a date'), RangeError);
});
