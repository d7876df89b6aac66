import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STRIDE_NAMES, type Text } from '../core/findings.js';
import { SEED_CLAIMS } from './claims.js';
import { finding, fullRun, fullRunFindings, labRun, stepRun } from './fixtures.case.js';
import * as labels from './labels.js';
import { renderMarkdown } from './report-md.js';

/** Cells of a pipe-table row, split on unescaped pipes. */
const cells = (row: string) =>
  row
    .slice(2, -2)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
const row = (md: string, start: string) => md.split('\n').find((l) => l.startsWith(start));

test('the matrix rows in French and English: ✗/✓/– linked to findings, then the counts', () => {
  const fr = renderMarkdown(fullRun(), 'fr');
  const en = renderMarkdown(fullRun(), 'en');
  assert.match(fr, /^# Rapport mqtts-lab$/m);
  assert.match(fr, /^## Synthèse : STRIDE par étape$/m);
  assert.match(en, /^## Summary: STRIDE per step$/m);
  assert.match(fr, /^\| Étape \| S \| T \| R \| I \| D \| E \| Réussies \| Bloquées \| Sans objet \|$/m);
  const r3 = cells(row(fr, '| [Étape 3](#step-3)')!);
  assert.deepEqual(
    r3.slice(1, 7).map((c) => c.slice(0, 2)),
    ['[✗', '[✗', '[✗', '[✗', '[✗', '[✓'],
  );
  assert.equal(r3[1], '[✗](#f-i2c_read-slot8.3 "Usurpation : exposé")');
  assert.deepEqual(r3.slice(7), ['6', '6', '0']);
  const e1 = cells(row(en, '| [Step 1](#step-1)')!);
  assert.equal(e1[5], '–');
  assert.equal(e1[1], '[✗](#f-cert_no-certificate.1 "Spoofing: exposed")');
  for (const c of Object.values(STRIDE_NAMES)) {
    assert.ok(fr.includes(c.fr), c.fr);
    assert.ok(en.includes(c.en), c.en);
  }
  assert.match(fr, /Déni de service/);
  assert.match(
    fr,
    /^#### Ce que l’étape 3 a corrigé, et ce qu’elle n’a pas corrigé \(par rapport à l’étape 2\)$/m,
  );
  assert.match(en, /^#### What Step 4 fixed, what it did not \(compared with Step 3\)$/m);
  assert.match(en, /^- \*\*Still exposed\*\*: I Information disclosure$/m);
});

test('no English words of the report’s own in the French report', () => {
  const fr = renderMarkdown(fullRun(), 'fr');
  const texts: Text[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'function' || v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.en === 'string' && typeof o.fr === 'string') texts.push(o as unknown as Text);
    else Object.values(o).forEach(collect);
  };
  collect(labels);
  collect(STRIDE_NAMES);
  collect(SEED_CLAIMS.map((c) => [c.claim, c.source.where]));
  for (const step of [1, 2, 3, 4] as const)
    texts.push(labels.stepHeading(step), labels.comparisonHeading(1, step));
  assert.ok(texts.length > 80, String(texts.length));
  for (const t of texts)
    if (t.en !== t.fr && t.en.length >= 5) assert.ok(!fr.includes(t.en), `English in fr: ${t.en}`);
  assert.doesNotMatch(fr, /\bStep \d|\bFindings\b|\bsucceeded\b|\bblocked\b/);
});

test('every link to an anchor resolves to an anchor the report defines', () => {
  for (const lang of ['en', 'fr'] as const) {
    const md = renderMarkdown(fullRun(), lang);
    const ids = new Set([...md.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    const targets = [...md.matchAll(/\]\(#([^) "]+)/g)].map((m) => m[1]!);
    assert.ok(targets.length > 100);
    for (const t of targets) assert.ok(ids.has(t), `#${t} (${lang})`);
    for (const f of fullRunFindings())
      assert.ok(ids.has(`f-${f.id.replace('/', '_').replace('@', '.')}`), f.id);
  }
});

test('hostile text cannot break a table or open HTML; long evidence is cut with a note', () => {
  const evil = finding('odd/x@2', 'succeeded', ['T'], {
    title: { en: 'a | b\n# not a heading <b>', fr: 'a | b\n# pas un titre <b>' },
    attempted: { en: 'x `|` y', fr: 'x `|` y' },
    evidence: [
      { kind: 'bus', label: { en: 'Long', fr: 'Long' }, data: 'z'.repeat(4500) },
      {
        kind: 'flash',
        label: { en: 'Fence', fr: 'Clôture' },
        data: 'a\n```\nb ````',
        file: 'javascript:alert(1)',
      },
    ],
  });
  const piped = finding('odd/p|q@2', 'blocked', ['T']);
  const md = renderMarkdown(labRun([evil, piped], [stepRun(2)]), 'en');
  const r = row(md, '| [`odd/x@2`]')!;
  assert.equal(cells(r).length, 5, r);
  // GFM splits cells before reading code spans: a pipe inside an id needs its escape too.
  assert.equal(cells(row(md, '| [`odd/p\\|q@2`]')!).length, 5);
  assert.ok(r.includes('x \\`\\|\\` y'), r);
  assert.ok(md.includes('### `odd/x@2` — a \\| b \\# not a heading \\<b\\>'));
  assert.doesNotMatch(md, /<b>/);
  assert.ok(
    md.includes(`\`\`\`text\n${'z'.repeat(4000)}\n\`\`\`\n\nTruncated: the first 4000 of 4500 characters`),
  );
  assert.ok(md.includes('`````text\na\n```\nb ````\n`````'));
  assert.ok(md.includes('file `javascript:alert(1)`'), 'a non-relative path is shown, not linked');
  assert.doesNotMatch(md, /\]\(javascript/);
});

test('steps that did not run are listed as such and get no section', () => {
  const md = renderMarkdown(labRun([], [stepRun(1, { ran: false }), stepRun(3)]), 'en');
  assert.match(md, /^- \*\*Steps run\*\*: 3$/m);
  assert.match(md, /^- \*\*Steps not run\*\*: 1$/m);
  assert.doesNotMatch(md, /id="step-1"/);
  assert.match(md, /First step that ran: nothing to compare it with\./);
  assert.match(md, /No findings for this step\./);
  assert.match(md, /No attack succeeded: no residual risk\./);
});
