/**
 * The slot-map explorer: 16 slots of the publisher's ATECC608B as its configuration zone
 * decides. Clicking a slot decodes SlotConfig and KeyConfig and shows the content only when
 * the server sent it — which it does only when the chip's Read policy allows a clear read.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Key } from './i18n.js';
import type { SlotMap, SlotView } from './types.js';

type T = (k: Key) => string;

function hexLines(hex: string): string {
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 64) {
    const offset = (i / 2).toString(16).padStart(4, '0');
    lines.push(
      `${offset}  ${hex
        .slice(i, i + 64)
        .replace(/(..)/g, '$1 ')
        .trim()}`,
    );
  }
  return lines.join('\n');
}

function fields(record: Readonly<Record<string, number | boolean | string>>) {
  return html`<table class="fields">
    <tbody>
      ${Object.entries(record).map(
        ([k, v]) =>
          html`<tr>
            <th scope="row">${k}</th>
            <td>${String(v)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function tag(s: SlotView, t: T): string {
  if (s.privateKey) return t('slots.privateKey');
  return s.readable ? t('slots.readable') : t('slots.secret');
}

export function SlotExplorer({ map, t }: { map: SlotMap | undefined; t: T }) {
  const [selected, setSelected] = useState<number | undefined>(undefined);
  if (!map) return html`<p>…</p>`;
  if (!map.present) return html`<p data-testid="no-se">${t('slots.none')}</p>`;
  const s = selected === undefined ? undefined : map.slots[selected];
  const yn = (b: boolean) => (b ? t('slots.yes') : t('slots.no'));
  const lock = (b: boolean | undefined) => (b ? t('slots.lockedZone') : t('slots.unlockedZone'));
  return html`<div class="slots">
    <p class="small">
      ${`${map.profile} @${map.i2cAddress} · ${t('slots.serial')} ${map.serial} · ${t('slots.configZone')}: ${lock(map.locks?.config)} · ${t('slots.dataZone')}: ${lock(map.locks?.data)}`}
    </p>
    <div class="slot-grid">
      ${map.slots.map(
        (x) =>
          html`<button
            type="button"
            class=${`slot ${x.privateKey ? 'private' : x.readable ? 'readable' : 'secret'} ${selected === x.slot ? 'selected' : ''}`}
            data-slot=${x.slot}
            aria-pressed=${selected === x.slot}
            onClick=${() => setSelected(x.slot)}
          >
            <strong>${x.slot}</strong>
            <span>${tag(x, t)}</span>
          </button>`,
      )}
    </div>
    ${
      s
        ? html`<section class="slot-detail" data-testid="slot-detail" data-slot=${s.slot}>
            <h3>${t('slots.slot')} ${s.slot} · ${s.size} B · ${tag(s, t)}</h3>
            <p>
              ${`${t('slots.locked')}: ${yn(s.locked)} · ${t('slots.write')}: ${s.write} · ${t('slots.sign')}: ${yn(s.sign)} · ${t('slots.ecdh')}: ${yn(s.ecdh)}`}
            </p>
            <div class="two">
              <div>
                <h4>SlotConfig</h4>
                ${fields(s.slotConfig)}
              </div>
              <div>
                <h4>KeyConfig</h4>
                ${fields(s.keyConfig)}
              </div>
            </div>
            <h4>${t('slots.content')}</h4>
            ${
              s.contentHex !== undefined
                ? html`<pre class="hex" data-testid="slot-hex">${hexLines(s.contentHex)}</pre>
                    ${s.blank ? html`<p class="small">${t('slots.blank')}</p>` : null}`
                : html`<p class="refused" data-testid="slot-refused">
                    ${t('slots.noContent')} <code>${s.readRefusal ?? ''}</code>
                  </p>`
            }
          </section>`
        : html`<p>${t('slots.pick')}</p>`
    }
  </div>`;
}
