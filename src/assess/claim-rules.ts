/**
 * The seed-claim checks that weigh more than a list of ids: payload opacity with its side
 * channels, STRIDE coverage of a whole step, forged readings across the certificate steps.
 */
import { type Finding, STRIDE_CATEGORIES, STRIDE_NAMES } from '../core/findings.js';
import {
  allBlocked,
  alsoUntested,
  type ClaimCheck,
  notTested,
  results,
  tested,
  untestedIds,
} from './claim-checks.js';
import { cellOf } from './matrix.js';
import { cat, joinText } from './text.js';

export function checkOpaque(findings: readonly Finding[]): ClaimCheck {
  const [payload] = tested(findings, ['sniff/payload@2']);
  if (payload === undefined)
    return { verdict: 'unchecked', because: notTested(['sniff/payload@2']), findingIds: [] };
  if (payload.outcome === 'succeeded')
    return {
      verdict: 'fails',
      because: cat(
        { en: 'The payload was read.', fr: 'La charge utile a été lue.' },
        ' ',
        results([payload]),
      ),
      findingIds: [payload.id],
    };
  // TLS 1.2 sends the client certificate in clear, and record lengths and timing are never hidden.
  const side = ['sniff/identity@2', 'sniff/traffic-analysis@2'];
  const ran = tested(findings, side);
  const leaks = ran.filter((f) => f.outcome === 'succeeded');
  const missing = untestedIds(findings, side);
  const ids = [...leaks, payload, ...ran.filter((f) => f.outcome !== 'succeeded')].map((f) => f.id);
  if (leaks.length > 0)
    return {
      verdict: 'partly',
      because: cat(
        {
          en: 'The payload stayed opaque, but the wire still shows more:',
          fr: 'La charge utile est restée opaque, mais le trafic en montre davantage :',
        },
        ' ',
        results(leaks),
        alsoUntested(missing),
      ),
      findingIds: ids,
    };
  return {
    verdict: missing.length === 0 ? 'holds' : 'partly',
    because: cat(
      { en: 'Nothing was read from the wire.', fr: 'Rien n’a pu être lu sur le réseau.' },
      ' ',
      results([payload, ...ran]),
      alsoUntested(missing),
    ),
    findingIds: ids,
  };
}

export function checkCoverage(findings: readonly Finding[]): ClaimCheck {
  const step3 = findings.filter((f) => f.step === 3);
  const cells = STRIDE_CATEGORIES.map((c) => cellOf(step3, c));
  const exposed = cells.filter((c) => c.status === 'exposed');
  const untested = cells.filter((c) => c.status === 'not-tested');
  if (untested.length === cells.length)
    return {
      verdict: 'unchecked',
      because: { en: 'No attack ran against Step 3.', fr: 'Aucune attaque n’a visé l’étape 3.' },
      findingIds: [],
    };
  const names = (cs: typeof cells) =>
    joinText(cs.map((c) => cat(STRIDE_NAMES[c.category], ` (${c.category})`)));
  if (exposed.length > 0) {
    const ids = [
      ...new Set(
        exposed.flatMap((c) =>
          c.findingIds.filter((id) => step3.some((f) => f.id === id && f.outcome === 'succeeded')),
        ),
      ),
    ];
    return {
      verdict: 'fails',
      because: cat(
        { en: 'Step 3 is exposed in ', fr: 'L’étape 3 est exposée en ' },
        names(exposed),
        { en: ', by ', fr: ', par ' },
        joinText(ids),
        '.',
      ),
      findingIds: ids,
    };
  }
  const ids = [...new Set(cells.flatMap((c) => c.findingIds))];
  if (untested.length > 0)
    return {
      verdict: 'partly',
      because: cat(
        {
          en: 'No attack succeeded, but these categories were not tested: ',
          fr: 'Aucune attaque n’a réussi, mais ces catégories n’ont pas été testées : ',
        },
        names(untested),
        '.',
      ),
      findingIds: ids,
    };
  return {
    verdict: 'holds',
    because: {
      en: 'Every category was attacked and every attack was blocked.',
      fr: 'Chaque catégorie a été attaquée et chaque attaque bloquée.',
    },
    findingIds: ids,
  };
}

/**
 * The seeds' claim rests on the TLS certificate identity of their design (Steps 2 and 3). Step 1
 * is left out: it has no certificate identity at all. Step 4 is left out too: its readings carry
 * a signature made in the secure element, which the seeds do not have, so a forgery it refuses
 * says nothing of what the certificate identity alone proves.
 */
export function checkRepudiation(findings: readonly Finding[]): ClaimCheck {
  const ids = findings.map((f) => f.id).filter((id) => /^repudiation\/forged-reading@[23]$/.test(id));
  if (ids.length === 0)
    return { verdict: 'unchecked', because: notTested(['repudiation/forged-reading@2…3']), findingIds: [] };
  return allBlocked(findings, ids, {
    fails: {
      en: 'A reading the device never produced was accepted as its own.',
      fr: 'Une mesure que le dispositif n’a jamais produite a été acceptée comme la sienne.',
    },
    holds: { en: 'Forged readings were refused.', fr: 'Les mesures forgées ont été refusées.' },
  });
}
