/**
 * The building blocks of a seed-claim check. One rule throughout: a verdict rests on findings
 * that ran. A finding that is absent, or that found nothing to attack, is named as not tested
 * and never counts for or against a claim (DESIGN.md §2.1).
 */
import type { Finding, Text } from '../core/findings.js';
import { cat, joinText } from './text.js';

export type Verdict = 'holds' | 'fails' | 'partly' | 'unchecked';

export interface ClaimCheck {
  readonly verdict: Verdict;
  readonly because: Text;
  /** The findings the verdict rests on, the contradicting ones first. */
  readonly findingIds: readonly string[];
}

/** The findings with these ids that have an outcome to weigh (not absent, not not-applicable). */
export function tested(findings: readonly Finding[], ids: readonly string[]): Finding[] {
  return ids
    .map((id) => findings.find((f) => f.id === id))
    .filter((f): f is Finding => f !== undefined && f.outcome !== 'not-applicable');
}

export function untestedIds(findings: readonly Finding[], ids: readonly string[]): string[] {
  const seen = tested(findings, ids).map((f) => f.id);
  return ids.filter((id) => !seen.includes(id));
}

export function notTested(ids: readonly string[]): Text {
  return cat({ en: 'Not tested: no finding ', fr: 'Non vérifié : aucun résultat ' }, joinText(ids), {
    en: ' with an outcome in this run.',
    fr: ' exploitable dans cette exécution.',
  });
}

/** " Not tested: x, y." or nothing. */
export function alsoUntested(ids: readonly string[]): Text {
  return ids.length === 0 ? cat('') : cat({ en: ' Not tested: ', fr: ' Non testé : ' }, joinText(ids), '.');
}

/** What the findings themselves report, in their own words. */
export function results(findings: readonly Finding[]): Text {
  return joinText(
    findings.map((f) => cat(f.id, ' — ', f.result)),
    ' ',
  );
}

/**
 * A claim that is true when every listed attack was blocked (e.g. "the key is protected"):
 * fails on any success, partly when some cases did not run, unchecked when none did.
 */
export function allBlocked(
  findings: readonly Finding[],
  ids: readonly string[],
  lead: { fails: Text; holds: Text },
): ClaimCheck {
  const ran = tested(findings, ids);
  const missing = untestedIds(findings, ids);
  if (ran.length === 0) return { verdict: 'unchecked', because: notTested(ids), findingIds: [] };
  const won = ran.filter((f) => f.outcome === 'succeeded');
  const lost = ran.filter((f) => f.outcome === 'blocked');
  if (won.length > 0)
    return {
      verdict: 'fails',
      because: cat(lead.fails, ' ', results(won), alsoUntested(missing)),
      findingIds: [...won, ...lost].map((f) => f.id),
    };
  return {
    verdict: missing.length === 0 ? 'holds' : 'partly',
    because: cat(lead.holds, ' ', results(lost), alsoUntested(missing)),
    findingIds: lost.map((f) => f.id),
  };
}

/**
 * A claim that an attack works (the seeds' own warnings, e.g. "the flash key can be dumped"):
 * holds when it succeeded, fails when it was blocked.
 */
export function succeeded(
  findings: readonly Finding[],
  id: string,
  lead: { fails: Text; holds: Text },
): ClaimCheck {
  const [f] = tested(findings, [id]);
  if (f === undefined) return { verdict: 'unchecked', because: notTested([id]), findingIds: [] };
  return f.outcome === 'succeeded'
    ? { verdict: 'holds', because: cat(lead.holds, ' ', results([f])), findingIds: [f.id] }
    : { verdict: 'fails', because: cat(lead.fails, ' ', results([f])), findingIds: [f.id] };
}
