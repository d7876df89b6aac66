/**
 * Attacks, their evidence, and the STRIDE matrix built from the findings. Each attack button
 * posts to /api/attack, which runs the real attack against the running step; what comes back
 * is shown as the finding records them: what was tried, the outcome, the evidence verbatim,
 * and links to the evidence files.
 */
import { html } from 'htm/preact';
import { pick, STRIDE_NAMES, type Key } from './i18n.js';
import type { AttackRun, Finding, LabState, Lang, Matrix } from './types.js';

type T = (k: Key) => string;

const fileHref = (file: string) => `/files/${file.split('/').map(encodeURIComponent).join('/')}`;
export const findingAnchor = (id: string) => `finding-${id.replace(/[^A-Za-z0-9_-]/g, '-')}`;

export function FindingCard({ f, lang, t }: { f: Finding; lang: Lang; t: T }) {
  return html`<article class=${`finding ${f.outcome}`} id=${findingAnchor(f.id)} data-finding=${f.id}>
    <header>
      <span class=${`badge ${f.outcome}`}>${t(`outcome.${f.outcome}` as Key)}</span>
      <strong>${pick(f.title, lang)}</strong>
      <code class="small">${f.id} · ${f.stride.join('')}</code>
    </header>
    <p><em>${t('attacks.attempted')}:</em> ${pick(f.attempted, lang)}</p>
    <p class="result">${pick(f.result, lang)}</p>
    ${f.evidence.map(
      (e) =>
        html`<details class="evidence" open=${f.outcome === 'succeeded'}>
          <summary>
            ${pick(e.label, lang)} <span class="small">(${e.kind})</span>
            ${e.file ? html` · <a href=${fileHref(e.file)} download>${t('attacks.file')} ${e.file}</a>` : null}
          </summary>
          <pre>${e.data}</pre>
        </details>`,
    )}
    ${f.mitigation ? html`<p class="mitigation"><em>${t('attacks.mitigation')}:</em> ${pick(f.mitigation, lang)}</p>` : null}
  </article>`;
}

export function AttackPanel(props: {
  state: LabState;
  runs: readonly AttackRun[];
  busy: string | undefined;
  run: (name: string) => void;
  lang: Lang;
  t: T;
}) {
  const { state, runs, busy, run, lang, t } = props;
  const active = busy ?? state.activeAttack ?? undefined;
  return html`<div class="attacks">
    <div class="attack-buttons">
      ${state.attacks.map(
        (a) =>
          html`<button
            type="button"
            data-attack=${a.name}
            disabled=${active !== undefined || !state.up}
            class=${active === a.name ? 'running' : ''}
            onClick=${() => run(a.name)}
          >
            ${pick(a.label, lang)}${active === a.name ? ` — ${t('attacks.running')}` : ''}
          </button>`,
      )}
    </div>
    <h3>${t('attacks.results')}</h3>
    ${runs.length === 0 ? html`<p>${t('attacks.none')}</p>` : null}
    <div class="runs" data-testid="attack-results">
      ${runs.map(
        (r) =>
          html`<section class="run" data-run=${r.attack}>
            <h4>${r.attack} · ${t('step')} ${r.step} · ${r.ms} ms</h4>
            ${r.error ? html`<p class="refused">${t('attacks.failed')}: ${r.error}</p>` : null}
            ${r.findings.map((f) => html`<${FindingCard} f=${f} lang=${lang} t=${t} />`)}
          </section>`,
      )}
    </div>
  </div>`;
}

export function StrideMatrix({ matrix, lang, t }: { matrix: Matrix | undefined; lang: Lang; t: T }) {
  if (!matrix) return html`<p>…</p>`;
  if (matrix.rows.length === 0) return html`<p>${t('stride.empty')}</p>`;
  const byId = new Map(matrix.findings.map((f) => [f.id, f]));
  return html`<div class="stride">
    <div class="scroll-x">
      <table class="matrix" data-testid="stride-matrix">
        <thead>
          <tr>
            <th>${t('step')}</th>
            ${matrix.categories.map((c) => html`<th title=${pick(STRIDE_NAMES[c]!, lang)}>${c}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${matrix.rows.map(
            (r) =>
              html`<tr>
                <th scope="row">${r.step}</th>
                ${matrix.categories.map((c) => {
                  const cell = r.cells[c]!;
                  const first = cell.findingIds[0];
                  return html`<td class=${`cell ${cell.status}`} data-step=${r.step} data-cat=${c}>
                    ${
                      first
                        ? html`<a href=${`#${findingAnchor(first)}`}>${t(`stride.${cell.status}` as Key)}</a>`
                        : t(`stride.${cell.status}` as Key)
                    }
                    <span class="small"
                      >${cell.findingIds.length > 0 ? ` (${cell.findingIds.length})` : ''}</span
                    >
                  </td>`;
                })}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h3>${t('stride.findings')}</h3>
    ${[...byId.values()]
      .sort((a, b) => a.step - b.step)
      .map((f) => html`<${FindingCard} f=${f} lang=${lang} t=${t} />`)}
  </div>`;
}
