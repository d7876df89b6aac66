/** The consoles, the broker's security events, and the eavesdropper's view of a capture. */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { captureHref, CapturePicker } from './captures.js';
import type { Key } from './i18n.js';
import type { CaptureChoice } from './sequence.js';
import type { ConsoleLine, Eavesdropper, KeyHolderConnection, SecurityEvent } from './types.js';

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

export function EavesdropperView({
  view,
  t,
  choice,
}: {
  view: Eavesdropper | undefined;
  t: T;
  choice: CaptureChoice;
}) {
  const picker = html`<p class="toolbar">
    <${CapturePicker} captures=${choice.captures} value=${choice.id} onChange=${choice.pick} t=${t} />
    <a class="button" href=${captureHref(choice.id)} download data-testid="capture-download"
      >${t('eaves.download')}</a
    >
    ${view ? html`<span class="small"> ${view.packets} ${t('eaves.packets')}</span>` : null}
  </p>`;
  if (choice.error)
    return html`${picker}
      <p class="error" role="alert" data-testid="capture-error">${choice.error}</p>`;
  if (!view)
    return html`${picker}
      <p>…</p>`;
  const v = (verdict: string) =>
    html`<span class=${`badge v-${verdict}`}>${t(`verdict.${verdict}` as Key) ?? verdict}</span>`;
  return html`<div class="eaves">
    ${picker}
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
    ${view.keyHolder ? html`<${KeyHolder} held=${view.keyHolder} t=${t} />` : null}
  </div>`;
}

/** What the key log's holder reads: set apart, and said not to be the eavesdropper's view. */
function KeyHolder({ held, t }: { held: NonNullable<Eavesdropper['keyHolder']>; t: T }) {
  return html`<section class="key-holder" data-testid="key-holder">
    <h3>${t('eaves.keyHolder.title')}</h3>
    <p class="small">${t('eaves.keyHolder.note')} (${held.sessions} ${t('eaves.keyHolder.sessions')})</p>
    ${
      held.connections.length === 0 || held.decryptedConnections === 0
        ? html`<p>${t('eaves.keyHolder.none')}</p>`
        : held.connections.map(
            (c: KeyHolderConnection) =>
              html`<div class="conn">
                <p>
                  <strong>#${c.index}</strong> <span class="badge">${c.status}</span>
                  <span class="small">${c.detail}</span>
                </p>
                <ul>
                  ${c.clientCertificate ? html`<li>${t('eaves.keyHolder.cert')}: <code>${c.clientCertificate}</code></li>` : null}
                  ${c.clientId ? html`<li>${t('eaves.keyHolder.clientId')}: <code>${c.clientId}</code>${c.username ? html` · <code>${c.username}</code>` : null}</li>` : null}
                  ${c.publishes.map((p) => html`<li>PUBLISH <code>${p.topic}</code> <code>${p.payload}</code></li>`)}
                </ul>
              </div>`,
          )
    }
  </section>`;
}
