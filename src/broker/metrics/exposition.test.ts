import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exposition } from './exposition.js';

test('families render as HELP, TYPE and samples, one per line, newline-terminated (format 0.0.4)', () => {
  const text = exposition([
    { name: 'mqttslab_x_total', help: 'X seen.', type: 'counter', samples: [{ value: 3 }] },
    {
      name: 'mqttslab_y',
      help: 'Y now.',
      type: 'gauge',
      samples: [
        { labels: { state: 'a' }, value: 1 },
        { labels: { state: 'b' }, value: 0.5 },
      ],
    },
  ]);
  assert.equal(
    text,
    [
      '# HELP mqttslab_x_total X seen.',
      '# TYPE mqttslab_x_total counter',
      'mqttslab_x_total 3',
      '# HELP mqttslab_y Y now.',
      '# TYPE mqttslab_y gauge',
      'mqttslab_y{state="a"} 1',
      'mqttslab_y{state="b"} 0.5',
      '',
    ].join('\n'),
  );
});

test('escaping: backslash and newline in HELP; backslash, quote and newline in label values', () => {
  const text = exposition([
    {
      name: 'm',
      help: 'a\\b\nc',
      type: 'gauge',
      samples: [{ labels: { l: 'q"\\\n' }, value: Number.NaN }],
    },
  ]);
  assert.equal(text, '# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{l="q\\"\\\\\\n"} NaN\n');
  assert.match(
    exposition([{ name: 'i', help: '', type: 'gauge', samples: [{ value: Infinity }] }]),
    /^i \+Inf$/m,
  );
});

test('a counter not ending in _total, a gauge that does, or an invalid name is refused', () => {
  assert.throws(() => exposition([{ name: 'c', help: '', type: 'counter', samples: [] }]));
  assert.throws(() => exposition([{ name: 'g_total', help: '', type: 'gauge', samples: [] }]));
  assert.throws(() => exposition([{ name: '1bad', help: '', type: 'gauge', samples: [] }]));
  assert.throws(() =>
    exposition([{ name: 'g', help: '', type: 'gauge', samples: [{ labels: { __x: '' }, value: 1 }] }]),
  );
  assert.equal(exposition([]), '');
});
