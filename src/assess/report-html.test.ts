import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finding, fullRun, HOSTILE, labRun, stepRun } from './fixtures.case.js';
import { escapeHtml, renderHtml } from './report-html.js';

test('hostile evidence is escaped: no script, no element, no live link comes out of a finding', () => {
  const html = renderHtml(fullRun(), 'en');
  assert.doesNotMatch(html, /<script|<img|<\/pre> /i);
  assert.ok(html.includes(escapeHtml(HOSTILE)));
  assert.ok(html.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;'));
  const evil = finding('odd/x@2', 'succeeded', ['T'], {
    title: { en: '"><script>alert(1)</script>', fr: '"><script>alert(1)</script>' },
    evidence: [
      { kind: 'flash', label: { en: '<i>x</i>', fr: '<i>x</i>' }, data: '', file: 'javascript:alert(1)' },
    ],
  });
  const h = renderHtml(labRun([evil], [stepRun(2)]), 'fr');
  assert.doesNotMatch(h, /<script|<i>|href="javascript/i);
  assert.match(h, /<code>javascript:alert\(1\)<\/code>/);
});

test('self-contained: inline CSS, a CSP without scripts, no external URL, lang set', () => {
  for (const lang of ['en', 'fr'] as const) {
    const html = renderHtml(fullRun(), lang);
    assert.ok(html.startsWith('<!DOCTYPE html>\n'));
    assert.match(html, new RegExp(`<html lang="${lang}">`));
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';/,
    );
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.doesNotMatch(html, /https?:\/\/|<link|<script|@import|url\(/i);
    for (const tag of ['table', 'dl', 'ul', 'pre', 'div', 'h2', 'h3', 'h4', 'p']) {
      const open = html.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0;
      assert.equal(open, html.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0, tag);
    }
  }
});

test('every anchor link resolves to an element id; every matrix cell with evidence is a link', () => {
  const html = renderHtml(fullRun(), 'fr');
  const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  const hrefs = [...html.matchAll(/ href="#([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(hrefs.length > 100);
  for (const h of hrefs) assert.ok(ids.has(h), h);
  const matrix = html.slice(html.indexOf('<table class="matrix">'), html.indexOf('</table>'));
  const cells = [...matrix.matchAll(/<td class="m-([a-z-]+)">(.*?)<\/td>/g)];
  assert.equal(cells.length, 24);
  assert.equal(cells.filter((c) => c[1] === 'exposed').length, 15);
  assert.equal(cells.filter((c) => c[1] === 'mitigated').length, 7);
  for (const c of cells)
    if (c[1] !== 'not-tested') assert.match(c[2]!, /^<a href="#f-[^"]+" title="[^"]+">[✗✓]<\/a>$/);
  assert.match(matrix, /title="Déni de service : exposé"/);
});

test('the stylesheet colours statuses and keeps wide tables scrollable on narrow screens', () => {
  const html = renderHtml(fullRun(), 'en');
  assert.match(html, /\.scroll \{ overflow-x: auto;/);
  assert.match(html, /td\.m-exposed[^{]*\{ background: var\(--exposed-bg\)/);
  assert.match(html, /@media \(max-width: 640px\)/);
  assert.equal(
    (html.match(/<div class="scroll"><table/g) ?? []).length,
    (html.match(/<table/g) ?? []).length,
  );
});

test('ids stay unique in the page even if two findings share an id', () => {
  const twice = [finding('x/y@2', 'succeeded', ['S']), finding('x/y@2', 'blocked', ['S'])];
  const html = renderHtml(labRun(twice, [stepRun(2)]), 'en');
  assert.equal(html.match(/ id="f-x_y\.2"/g)?.length, 1);
  const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length);
});
