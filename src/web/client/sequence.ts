/**
 * The sequence diagram of one captured connection, as SVG: two lifelines (device, broker), one
 * arrow per TLS message / record or MQTT packet, coloured by what an eavesdropper sees
 * (clear, encrypted, metadata). Drawn from /api/sequence, i.e. from the capture itself.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { CapturePicker } from './captures.js';
import type { Key } from './i18n.js';
import type { CaptureEntry, SequenceConnection, SequenceMessage, Sequence } from './types.js';

type T = (k: Key) => string;

const ROW = 34;
/** The extra line of an encrypted TLS 1.3 flight: what it holds, unreadable. */
const HIDDEN_ROW = 18;
const TOP = 50;
const LEFT = 90;
const RIGHT = 510;

export interface CaptureChoice {
  readonly captures: readonly CaptureEntry[];
  readonly id: string;
  readonly pick: (id: string) => void;
  /** The server's coded error for the chosen capture (a malformed file). */
  readonly error?: string;
}

export function SequenceDiagram({
  seq,
  t,
  onRefresh,
  choice,
}: {
  seq: Sequence | undefined;
  t: T;
  onRefresh: () => void;
  choice: CaptureChoice;
}) {
  const [chosen, setChosen] = useState(0);
  const picker = html`<div class="toolbar">
    <${CapturePicker} captures=${choice.captures} value=${choice.id} onChange=${choice.pick} t=${t} />
    <button type="button" onClick=${onRefresh}>${t('seq.refresh')}</button>
  </div>`;
  if (choice.error)
    return html`${picker}
      <p class="error" role="alert" data-testid="capture-error">${choice.error}</p>`;
  if (!seq)
    return html`${picker}
      <p>…</p>`;
  if (seq.connections.length === 0)
    return html`${picker}
      <p>${t('seq.none')}</p>`;
  const index = Math.min(chosen, seq.connections.length - 1);
  const c = seq.connections[index]!;
  const rows = layout(c.messages);
  const height = rows.end + 30;
  return html`<div class="sequence">
    ${picker}
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
    </div>
    <p class="explain" data-testid="seq-explain">${t(explainKey(c))}</p>
    <${CertificateBadge} c=${c} t=${t} />
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
          const y = rows.y[i]!;
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
            ${
              m.hidden
                ? html`<text
                    x=${(LEFT + RIGHT) / 2}
                    y=${y + 12 + HIDDEN_ROW}
                    text-anchor="middle"
                    class="hidden-list"
                    data-testid="hidden-messages"
                    >${t('seq.hidden')} ${m.hidden.join(' · ')}</text
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

function layout(messages: readonly SequenceMessage[]): { y: number[]; end: number } {
  const y: number[] = [];
  let at = TOP;
  for (const m of messages) {
    y.push(at + 18);
    at += ROW + (m.hidden ? HIDDEN_ROW : 0);
  }
  return { y, end: at };
}

function explainKey(c: SequenceConnection): Key {
  if (c.protocol === 'mqtt') return 'seq.explain.mqtt';
  if (c.tlsVersion === 'TLS 1.3') return 'seq.explain.tls13';
  if (c.protocol === 'tls') return 'seq.explain.tls12';
  return 'seq.explain.other';
}

/** Whether the device's identity (its certificate) is readable on the wire, per TLS version. */
function CertificateBadge({ c, t }: { c: SequenceConnection; t: T }) {
  if (c.protocol !== 'tls') return null;
  const cc = c.clientCertificate;
  const v = cc?.visibility ?? (c.clientCertificateInClear ? 'clear' : 'unknown');
  const text =
    v === 'clear'
      ? `${t('seq.certClear')}${cc?.visibility === 'clear' && cc.subject ? `: ${cc.subject}` : ''}`
      : v === 'encrypted'
        ? t('seq.certEncrypted')
        : v === 'none'
          ? t('seq.certNone')
          : t('seq.certHidden');
  return html`<p
      class=${`badge ${v === 'clear' ? 'bad' : 'ok'}`}
      data-testid="cert-visibility"
      data-visibility=${v}
    >
      ${c.tlsVersion ?? 'TLS'}: ${text}
    </p>
    ${cc && cc.visibility !== 'clear' ? html`<p class="small">${cc.evidence}</p>` : null}`;
}
