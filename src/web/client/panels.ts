/** The consoles, the broker's security events, and the eavesdropper's view of the capture. */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Key } from './i18n.js';
import type { ConsoleLine, Eavesdropper, SecurityEvent } from './types.js';

type T = (k: Key) => string;

function ms(n: number): string {
  return (n / 1000).toFixed(3).padStart(9, ' ');
}

function Console({ title, lines, id }: { title: string; lines: readonly ConsoleLine[]; id: string }) {
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return html`<section class="console">
    <h3>${title}</h3>
    <pre ref=${pre} data-testid=${`console-${id}`}>
${lines.map((l) => `[${ms(l.ms)}] ${l.text}\n`).join('')}</pre>
  </section>`;
}

export function Consoles(props: { m5go: readonly ConsoleLine[]; m5stack: readonly ConsoleLine[]; t: T }) {
  return html`<div class="consoles two">
    <${Console} title="M5Go (publisher)" lines=${props.m5go} id="m5go" />
    <${Console} title="M5Stack (subscriber)" lines=${props.m5stack} id="m5stack" />
  </div>`;
}

export function SecurityEvents({ events, t }: { events: readonly SecurityEvent[]; t: T }) {
  if (events.length === 0) return html`<p class="small">${t('events.none')}</p>`;
  return html`<ul class="events" data-testid="security-events">
    ${events
      .slice(-12)
      .reverse()
      .map(
        (e) =>
          html`<li class=${e.type}>
            <code>${e.at.slice(11, 23)}</code> <strong>${e.type}</strong> ${e.clientId ?? ''}
            ${e.certificateSubject ? ` · ${e.certificateSubject}` : ''}${e.topic ? ` · ${e.topic}` : ''}${e.reason ? ` · ${e.reason}` : ''}
          </li>`,
      )}
  </ul>`;
}

export function EavesdropperView({ view, t }: { view: Eavesdropper | undefined; t: T }) {
  if (!view) return html`<p>…</p>`;
  const v = (verdict: string) =>
    html`<span class=${`badge v-${verdict}`}>${t(`verdict.${verdict}` as Key) ?? verdict}</span>`;
  return html`<div class="eaves">
    <p>
      <a class="button" href="/api/capture.pcap" download>${t('eaves.download')}</a>
      <span class="small"> ${view.packets} ${t('eaves.packets')}</span>
    </p>
    ${view.connections.map(
      (c) =>
        html`<details class="conn" open=${c.index < 2}>
          <summary>
            #${c.index} ${c.client} → ${c.server} · ${c.protocol.toUpperCase()} · ${t('eaves.payload')}
            ${v(c.verdict.payload)} · ${t('eaves.identity')} ${v(c.verdict.identity)} · ${t('eaves.metadata')}
            ${v(c.verdict.metadata)}
          </summary>
          <div class="scroll-x">
            <table class="obs">
              <tbody>
                ${c.observations.map(
                  (o) =>
                    html`<tr>
                      <th scope="row"><code>${o.item}</code></th>
                      <td>${v(o.verdict)}</td>
                      <td>
                        ${o.value ? html`<code>${o.value}</code><br />` : null}<span class="small"
                          >${o.detail}</span
                        >
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>
        </details>`,
    )}
  </div>`;
}
