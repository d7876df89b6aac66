import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../core/findings.js';
import { checkClaims, SEED_CLAIMS } from './claims.js';
import { finding, fullRunFindings } from './fixtures.case.js';

const verdict = (id: string, findings: Finding[]) => {
  const c = checkClaims(findings).find((x) => x.id === id);
  assert.ok(c, id);
  return c;
};
const s = 'succeeded' as const;
const b = 'blocked' as const;
const na = 'not-applicable' as const;

test('every claim is sourced from a seed with a short verbatim quote, and is unchecked without findings', () => {
  assert.deepEqual(
    SEED_CLAIMS.map((c) => c.id),
    [
      'step2-opaque',
      'step3-complete-coverage',
      'step3-key-protected',
      'step3-wrong-se',
      'step3-unplugged',
      'step3-ram',
      'step2-flash',
      'non-repudiation',
    ],
  );
  for (const c of SEED_CLAIMS) {
    assert.match(c.source.file, /^00[0-2]_[0-9a-f]{16}\.txt$/);
    assert.ok(c.source.quote.split(/\s+/).length <= 15, c.id);
    const r = verdict(c.id, []);
    assert.equal(r.verdict, 'unchecked', c.id);
    assert.deepEqual(r.findingIds, []);
  }
  // A probe that found nothing to attack is not evidence either.
  assert.equal(verdict('step3-wrong-se', [finding('se/wrong@3', na, ['S'])]).verdict, 'unchecked');
});

test('step2-opaque: holds, partly (identity or traffic shape visible, or not tested), fails', () => {
  const payload = finding('sniff/payload@2', b, ['I']);
  const identity = (o: 'succeeded' | 'blocked') => finding('sniff/identity@2', o, ['I']);
  const traffic = finding('sniff/traffic-analysis@2', b, ['I']);
  assert.equal(verdict('step2-opaque', [payload, identity(b), traffic]).verdict, 'holds');
  const partly = verdict('step2-opaque', [payload, identity(s), traffic]);
  assert.equal(partly.verdict, 'partly');
  assert.deepEqual(partly.findingIds, ['sniff/identity@2', 'sniff/payload@2', 'sniff/traffic-analysis@2']);
  assert.match(partly.because.en, /sniff\/identity@2/);
  const untested = verdict('step2-opaque', [payload]);
  assert.equal(untested.verdict, 'partly');
  assert.match(untested.because.fr, /Non testé : sniff\/identity@2, sniff\/traffic-analysis@2/);
  assert.equal(verdict('step2-opaque', [finding('sniff/payload@2', s, ['I'])]).verdict, 'fails');
});

test('step3-complete-coverage: fails naming exposed categories and findings; partly when a category is untested', () => {
  const r = verdict('step3-complete-coverage', fullRunFindings());
  assert.equal(r.verdict, 'fails');
  assert.match(r.because.fr, /Usurpation \(S\)/);
  assert.match(r.because.en, /Denial of service \(D\)/);
  assert.ok(r.findingIds.includes('i2c/read-slot8@3'));
  assert.ok(!r.findingIds.includes('se/wrong@3'), 'only the findings that exposed a category');
  const all = (['S', 'T', 'R', 'I', 'D', 'E'] as const).map((c) => finding(`x/${c}@3`, b, [c]));
  assert.equal(verdict('step3-complete-coverage', all).verdict, 'holds');
  const some = verdict('step3-complete-coverage', all.slice(0, 4));
  assert.equal(some.verdict, 'partly');
  assert.match(some.because.en, /Denial of service \(D\), Elevation of privilege \(E\)/);
  // Step 2 findings say nothing about Step 3.
  assert.equal(verdict('step3-complete-coverage', [finding('x/S@2', s, ['S'])]).verdict, 'unchecked');
});

test('step3-key-protected: any bus read, sniff or overwrite that succeeds makes it fail', () => {
  const ids = ['i2c/read-slot8@3', 'i2c/sniff-boot@3', 'i2c/overwrite-slot8@3'];
  assert.equal(
    verdict(
      'step3-key-protected',
      ids.map((id) => finding(id, b, ['S'])),
    ).verdict,
    'holds',
  );
  const fails = verdict('step3-key-protected', [finding(ids[0]!, b, ['S']), finding(ids[2]!, s, ['T'])]);
  assert.equal(fails.verdict, 'fails');
  assert.deepEqual(fails.findingIds, ['i2c/overwrite-slot8@3', 'i2c/read-slot8@3']);
  assert.match(fails.because.en, /Not tested: i2c\/sniff-boot@3/);
  assert.equal(verdict('step3-key-protected', [finding(ids[1]!, b, ['I'])]).verdict, 'partly');
});

test('step3-wrong-se and step3-unplugged hold when blocked, fail when they succeed', () => {
  assert.equal(verdict('step3-wrong-se', [finding('se/wrong@3', b, ['S'])]).verdict, 'holds');
  assert.equal(verdict('step3-wrong-se', [finding('se/wrong@3', s, ['S'])]).verdict, 'fails');
  assert.equal(verdict('step3-wrong-se', [finding('se/wrong@4', b, ['S'])]).verdict, 'unchecked');
  assert.equal(verdict('step3-unplugged', [finding('se/unplugged@3', b, ['D'])]).verdict, 'holds');
  assert.equal(verdict('step3-unplugged', [finding('se/unplugged@3', s, ['D'])]).verdict, 'fails');
});

test('step3-ram: the seed’s own limitation is confirmed when the key is found in RAM', () => {
  const r = verdict('step3-ram', [finding('ram/key-after-boot@3', s, ['I'])]);
  assert.equal(r.verdict, 'fails');
  assert.match(r.because.en, /seed’s own limitation is confirmed/);
  assert.match(r.because.fr, /limitation signalée par le document est confirmée/);
  assert.equal(verdict('step3-ram', [finding('ram/key-after-boot@3', b, ['I'])]).verdict, 'holds');
});

test('step2-flash: the seed’s warning holds when the dump yields the key', () => {
  assert.equal(verdict('step2-flash', [finding('flash-dump/key@2', s, ['S'])]).verdict, 'holds');
  assert.equal(verdict('step2-flash', [finding('flash-dump/key@2', b, ['S'])]).verdict, 'fails');
  assert.equal(verdict('step2-flash', [finding('flash-dump/key@3', s, ['S'])]).verdict, 'unchecked');
});

test('non-repudiation: judged on the seeds’ certificate steps (2, 3); Step 1 and the signed readings of Step 4 do not count', () => {
  const forged = (step: number, o: 'succeeded' | 'blocked') =>
    finding(`repudiation/forged-reading@${step}`, o, ['R']);
  assert.equal(verdict('non-repudiation', [forged(1, s)]).verdict, 'unchecked');
  assert.equal(verdict('non-repudiation', [forged(4, b)]).verdict, 'unchecked');
  assert.equal(verdict('non-repudiation', [forged(1, s), forged(2, b), forged(3, b)]).verdict, 'holds');
  const r = verdict('non-repudiation', [forged(2, b), forged(3, s), forged(4, b)]);
  assert.equal(r.verdict, 'fails');
  assert.deepEqual(r.findingIds, ['repudiation/forged-reading@3', 'repudiation/forged-reading@2']);
});

test('the full run: the verdicts the report must show (DESIGN.md §1)', () => {
  const got = Object.fromEntries(checkClaims(fullRunFindings()).map((c) => [c.id, c.verdict]));
  assert.deepEqual(got, {
    'step2-opaque': 'partly',
    'step3-complete-coverage': 'fails',
    'step3-key-protected': 'fails',
    'step3-wrong-se': 'holds',
    'step3-unplugged': 'holds',
    'step3-ram': 'fails',
    'step2-flash': 'holds',
    'non-repudiation': 'fails',
  });
});
