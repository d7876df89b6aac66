import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimAnchor, clip, fileHref, findingAnchor } from './links.js';

test('finding anchors are readable for the usual ids and never collide', () => {
  assert.equal(findingAnchor('flash-dump/key@2'), 'f-flash-dump_key.2');
  assert.equal(findingAnchor('i2c/read-slot8@3'), 'f-i2c_read-slot8.3');
  assert.equal(claimAnchor('step3-ram'), 'claim-step3-ram');
  const ids = ['a/b@2', 'a_b@2', 'a.b@2', 'a/b.2', 'a~b@2', 'a b@2', 'a/b@2x', 'é/b@2', 'A/b@2'];
  const anchors = ids.map(findingAnchor);
  assert.equal(new Set(anchors).size, ids.length, anchors.join(' '));
  for (const a of anchors) assert.match(a, /^[A-Za-z0-9_.~-]+$/);
});

test('file links: plain relative paths only, percent-encoded', () => {
  assert.equal(fileHref('captures/step2.pcapng'), 'captures/step2.pcapng');
  assert.equal(fileHref('bus traces/step 3 (boot).vcd'), 'bus%20traces/step%203%20%28boot%29.vcd');
  assert.equal(fileHref('a\\b#c?.txt'), 'a/b%23c%3F.txt');
  for (const bad of [
    '/etc/passwd',
    '\\\\host\\share',
    'javascript:alert(1)',
    'JavaScript:x',
    'file:///x',
    'C:\\x',
    'https://e.org/x',
    '',
    'a\nb',
  ])
    assert.equal(fileHref(bad), undefined, JSON.stringify(bad));
});

test('clip keeps short data whole and never splits a surrogate pair', () => {
  assert.deepEqual(clip('abc', 5), { text: 'abc', total: 3, shown: 3 });
  assert.deepEqual(clip('abcdef', 4), { text: 'abcd', total: 6, shown: 4 });
  const emoji = 'ab😀cd'; // the emoji is two UTF-16 units at 2 and 3
  assert.deepEqual(clip(emoji, 3), { text: 'ab', total: 6, shown: 2 });
  assert.equal(clip('x'.repeat(5000)).shown, 4000);
});
