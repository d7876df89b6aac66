/**
 * The sequence diagram of one captured connection, as SVG: two lifelines (device, broker), one
 * arrow per TLS message / record or MQTT packet, coloured by what an eavesdropper sees
 * (clear, encrypted, metadata). Drawn from /api/sequence, i.e. from the capture itself.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Key } from './i18n.js';
import type { Sequence } from './types.js';

type T = (k: Key) => string;

const ROW = 34;
const TOP = 50;
const LEFT = 90;
const RIGHT = 510;

export function SequenceDiagram({
  seq,
  t,
  onRefresh,
}: {
  seq: Sequence | undefined;
  t: T;
  onRefresh: () => void;
}) {
  const [chosen, setChosen] = useState(0);
  if (!seq) return html`<p>…</p>`;
  if (seq.connections.length === 0) return html`<p>${t('seq.none')}</p>`;
  const index = Math.min(chosen, seq.connections.length - 1);
  const c = seq.connections[index]!;
  const height = TOP + c.messages.length * ROW + 30;
  return html`<div class="sequence">
    <div class="toolbar">
      <label
        >${t('seq.connection')}
        <select
          value=${index}
          onChange=${(e: Event) => setChosen(Number((e.target as HTMLSelectElement).value))}
        >
          ${seq.connections.map(
            (x, i) =>
              html`<option value=${i}>
                #${x.index} ${x.client} → ${x.server} (${x.tlsVersion ?? x.protocol.toUpperCase()})
              </option>`,
          )}
        </select>
      </label>
      <button type="button" onClick=${onRefresh}>${t('seq.refresh')}</button>
    </div>
    ${
      c.protocol === 'tls'
        ? html`<p class=${`badge ${c.clientCertificateInClear ? 'bad' : 'ok'}`} data-testid="cert-visibility">
            ${c.tlsVersion ?? 'TLS'}: ${c.clientCertificateInClear ? t('seq.certClear') : t('seq.certHidden')}
          </p>`
        : null
    }
    <ul class="legend">
      <li class="clear">${t('seq.clear')}</li>
      <li class="encrypted">${t('seq.encrypted')}</li>
      <li class="metadata">${t('seq.metadata')}</li>
    </ul>
    <div class="scroll-x">
      <svg viewBox=${`0 0 600 ${height}`} class="seq-svg" role="img" aria-label=${t('seq.title')}>
        <defs>
          <marker
            id="seq-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
          </marker>
        </defs>
        <text x=${LEFT} y="20" class="h" text-anchor="middle">${t('seq.client')}</text>
        <text x=${LEFT} y="36" class="small" text-anchor="middle">${c.client}</text>
        <text x=${RIGHT} y="20" class="h" text-anchor="middle">${t('seq.server')}</text>
        <text x=${RIGHT} y="36" class="small" text-anchor="middle">${c.server}</text>
        <line x1=${LEFT} y1=${TOP - 8} x2=${LEFT} y2=${height - 10} class="lifeline" />
        <line x1=${RIGHT} y1=${TOP - 8} x2=${RIGHT} y2=${height - 10} class="lifeline" />
        ${c.messages.map((m, i) => {
          const y = TOP + i * ROW + 18;
          const [x1, x2] = m.from === 'client' ? [LEFT, RIGHT] : [RIGHT, LEFT];
          const label = `${m.label}${m.count ? ` ×${m.count}` : ''}`;
          return html`<g class=${`msg ${m.visibility}`}>
            <title>${m.detail ?? m.label}</title>
            <line x1=${x1} y1=${y} x2=${x2} y2=${y} marker-end="url(#seq-arrow)" />
            <text x=${(LEFT + RIGHT) / 2} y=${y - 5} text-anchor="middle">${label}</text>
            ${
              m.detail
                ? html`<text x=${(LEFT + RIGHT) / 2} y=${y + 12} text-anchor="middle" class="detail"
                    >${m.detail.length > 70 ? `${m.detail.slice(0, 70)}…` : m.detail}</text
                  >`
                : null
            }
          </g>`;
        })}
      </svg>
    </div>
    ${c.omitted > 0 ? html`<p class="small">${c.omitted} ${t('seq.omitted')}</p>` : null}
  </div>`;
}
