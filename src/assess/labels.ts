/**
 * Every word the reports add around the data, in both languages. The French report must not
 * fall back to English anywhere but in data and evidence (report-md.test.ts checks it against
 * this table), so a new label goes here, never inline in a renderer.
 */
import type { EvidenceKind, Outcome, StepNumber, Text } from '../core/findings.js';
import type { Verdict } from './claim-checks.js';
import type { CaseChangeKind } from './diff.js';
import type { CellStatus } from './matrix.js';
import type { KeySource } from './types.js';

export const L = {
  title: { en: 'mqtts-lab report', fr: 'Rapport mqtts-lab' },
  tool: { en: 'Tool', fr: 'Outil' },
  seed: { en: 'Seed', fr: 'Graine' },
  broker: { en: 'Broker', fr: 'Broker' },
  started: { en: 'Started', fr: 'Début' },
  duration: { en: 'Duration', fr: 'Durée' },
  stepsRun: { en: 'Steps run', fr: 'Étapes exécutées' },
  stepsNotRun: { en: 'Steps not run', fr: 'Étapes non exécutées' },
  findingCount: { en: 'Findings', fr: 'Constats' },
  none: { en: 'none', fr: 'aucune' },
  summary: { en: 'Summary: STRIDE per step', fr: 'Synthèse : STRIDE par étape' },
  step: { en: 'Step', fr: 'Étape' },
  steps: { en: 'Steps', fr: 'Étapes' },
  legend: {
    en: '✗ exposed: at least one attack succeeded. ✓ mitigated: attacks ran and all were blocked. – not tested: no attack ran, or there was nothing to attack. A cell links to its first finding.',
    fr: '✗ exposé : au moins une attaque a réussi. ✓ atténué : des attaques ont été menées et toutes bloquées. – non testé : aucune attaque, ou rien à attaquer. Chaque case renvoie à son premier constat.',
  },
  succeeded: { en: 'Succeeded', fr: 'Réussies' },
  blocked: { en: 'Blocked', fr: 'Bloquées' },
  notApplicable: { en: 'N/A', fr: 'Sans objet' },
  listener: { en: 'Listener', fr: 'Écoute' },
  keySource: { en: 'Key source', fr: 'Emplacement de la clé' },
  tlsVersion: { en: 'TLS version', fr: 'Version TLS' },
  cipher: { en: 'Cipher suite', fr: 'Suite de chiffrement' },
  readings: { en: 'Readings published / received', fr: 'Mesures publiées / reçues' },
  capture: { en: 'Capture', fr: 'Capture' },
  notes: { en: 'Notes', fr: 'Notes' },
  findings: { en: 'Findings', fr: 'Constats' },
  noFindings: { en: 'No findings for this step.', fr: 'Aucun constat pour cette étape.' },
  finding: { en: 'Finding', fr: 'Constat' },
  attack: { en: 'Attack', fr: 'Attaque' },
  attempted: { en: 'Attempted', fr: 'Tentative' },
  outcome: { en: 'Outcome', fr: 'Issue' },
  result: { en: 'Result', fr: 'Résultat' },
  mitigation: { en: 'Mitigation', fr: 'Parade' },
  evidence: { en: 'Evidence', fr: 'Preuves' },
  file: { en: 'file', fr: 'fichier' },
  packets: { en: 'packets', fr: 'paquets' },
  firstStep: {
    en: 'First step that ran: nothing to compare it with.',
    fr: 'Première étape exécutée : rien à quoi la comparer.',
  },
  nothing: { en: 'nothing', fr: 'rien' },
  cases: {
    en: 'Attack cases whose outcome changed or stayed successful',
    fr: 'Cas d’attaque dont l’issue a changé ou qui réussissent encore',
  },
  attackCase: { en: 'Case', fr: 'Cas' },
  change: { en: 'Change', fr: 'Évolution' },
  notRun: { en: 'not run', fr: 'non exécuté' },
  claims: { en: 'Seed claims checked', fr: 'Affirmations des documents vérifiées' },
  claimsIntro: {
    en: 'Each claim of the seed documents (shared/seeds/), checked against the findings of this run. A claim whose findings are absent is unchecked, never assumed.',
    fr: 'Chaque affirmation des documents sources (shared/seeds/), confrontée aux constats de cette exécution. Une affirmation sans constat est non vérifiée, jamais présumée.',
  },
  claim: { en: 'Claim', fr: 'Affirmation' },
  source: { en: 'Source', fr: 'Source' },
  verdict: { en: 'Verdict', fr: 'Verdict' },
  because: { en: 'Because', fr: 'Motif' },
  risks: { en: 'Residual risks and mitigations', fr: 'Risques résiduels et parades' },
  noRisks: {
    en: 'No attack succeeded: no residual risk.',
    fr: 'Aucune attaque n’a réussi : aucun risque résiduel.',
  },
  risk: { en: 'Risk', fr: 'Risque' },
  openAtEnd: { en: 'Open in the last step', fr: 'Ouvert à la dernière étape' },
  yes: { en: 'yes', fr: 'oui' },
  no: { en: 'no (earlier steps only)', fr: 'non (étapes antérieures seulement)' },
  fromFinding: { en: 'from the finding', fr: 'tirée du constat' },
  fromCatalog: { en: 'lab catalog', fr: 'catalogue du lab' },
  details: { en: 'Findings in detail', fr: 'Constats en détail' },
} as const satisfies Record<string, Text>;

export const STEP_TITLES: Readonly<Record<StepNumber, Text>> = {
  1: { en: 'Plain MQTT', fr: 'MQTT en clair' },
  2: { en: 'Mutual TLS, key in flash', fr: 'TLS mutuel, clé en flash' },
  3: {
    en: 'Secure element, key in slot 8 (the seeds’ design)',
    fr: 'Secure Element, clé dans le slot 8 (conception des documents)',
  },
  4: {
    en: 'Secure element, key in slot 0 (beyond the seeds)',
    fr: 'Secure Element, clé dans le slot 0 (au-delà des documents)',
  },
};

export const KEY_SOURCES: Readonly<Record<KeySource, Text>> = {
  none: { en: 'none (no client certificate)', fr: 'aucune (pas de certificat client)' },
  flash: { en: 'firmware flash (PEM string)', fr: 'flash du firmware (chaîne PEM)' },
  'se-slot8': {
    en: 'secure element slot 8, read out at boot',
    fr: 'slot 8 du Secure Element, relue au démarrage',
  },
  'se-slot0': {
    en: 'secure element slot 0, signs inside the chip',
    fr: 'slot 0 du Secure Element, signature dans la puce',
  },
};

export const STATUSES: Readonly<Record<CellStatus, Text & { readonly symbol: string }>> = {
  exposed: { symbol: '✗', en: 'exposed', fr: 'exposé' },
  mitigated: { symbol: '✓', en: 'mitigated', fr: 'atténué' },
  'not-tested': { symbol: '–', en: 'not tested', fr: 'non testé' },
};

export const OUTCOMES: Readonly<Record<Outcome, Text>> = {
  succeeded: { en: 'succeeded', fr: 'réussie' },
  blocked: { en: 'blocked', fr: 'bloquée' },
  'not-applicable': { en: 'not applicable', fr: 'sans objet' },
};

export const VERDICTS: Readonly<Record<Verdict, Text>> = {
  holds: { en: 'holds', fr: 'confirmée' },
  fails: { en: 'fails', fr: 'démentie' },
  partly: { en: 'partly', fr: 'en partie' },
  unchecked: { en: 'unchecked', fr: 'non vérifiée' },
};

export const CELL_CHANGES = {
  fixed: { en: 'Fixed', fr: 'Corrigé' },
  remaining: { en: 'Still exposed', fr: 'Toujours exposé' },
  regressed: { en: 'Regressed', fr: 'Régression' },
  introduced: { en: 'Newly exposed', fr: 'Nouvellement exposé' },
  untested: { en: 'Exposed before, not tested now', fr: 'Exposé avant, non testé ici' },
} as const satisfies Record<string, Text>;

export const CASE_CHANGES: Readonly<Record<CaseChangeKind, Text>> = {
  fixed: { en: 'fixed', fr: 'corrigé' },
  remaining: { en: 'still succeeds', fr: 'réussit encore' },
  regressed: { en: 'regressed', fr: 'régression' },
  new: { en: 'new risk', fr: 'nouveau risque' },
  untested: { en: 'not tested any more', fr: 'plus testé' },
  unchanged: { en: 'unchanged', fr: 'inchangé' },
  changed: { en: 'other change', fr: 'autre évolution' },
};

export const EVIDENCE_KINDS: Readonly<Record<EvidenceKind, Text>> = {
  capture: { en: 'capture', fr: 'capture' },
  'broker-log': { en: 'broker log', fr: 'journal du broker' },
  'device-console': { en: 'device console', fr: 'console du dispositif' },
  bus: { en: 'I2C bus', fr: 'bus I2C' },
  key: { en: 'key', fr: 'clé' },
  flash: { en: 'flash', fr: 'flash' },
  connection: { en: 'connection', fr: 'connexion' },
  measure: { en: 'measure', fr: 'mesure' },
};

export function stepHeading(step: StepNumber): Text {
  return { en: `Step ${step} — ${STEP_TITLES[step].en}`, fr: `Étape ${step} — ${STEP_TITLES[step].fr}` };
}

export function comparisonHeading(from: StepNumber, to: StepNumber): Text {
  return {
    en: `What Step ${to} fixed, what it did not (compared with Step ${from})`,
    fr: `Ce que l’étape ${to} a corrigé, et ce qu’elle n’a pas corrigé (par rapport à l’étape ${from})`,
  };
}

export function truncated(shown: number, total: number): Text {
  return {
    en: `Truncated: the first ${shown} of ${total} characters are shown; the full data is in report.json.`,
    fr: `Tronqué : ${shown} caractères affichés sur ${total} ; la donnée complète est dans report.json.`,
  };
}
