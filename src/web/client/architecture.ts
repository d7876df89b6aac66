/**
 * The running system as an SVG: publisher with its sensor and secure element, the capture tap,
 * the broker and its listener, the subscriber — each box filled in from /api/state (ports,
 * key source, secure-element presence and locks, connection state, counts).
 */
import { html } from 'htm/preact';
import type { Key } from './i18n.js';
import type { DeviceState, LabState } from './types.js';

type T = (k: Key) => string;

const KEY_TEXT: Readonly<Record<string, string>> = {
  none: '—',
  flash: 'flash (PEM)',
  'se-slot8': 'SE slot 8 (read out)',
  'se-slot0': 'SE slot 0 (Sign)',
};

function statusClass(d: DeviceState): string {
  if (d.status === 'halted') return 'bad';
  return d.connected ? 'ok' : 'warn';
}

function statusText(d: DeviceState, t: T): string {
  if (d.status === 'halted') return t('arch.halted');
  return d.connected ? t('arch.connected') : t('arch.disconnected');
}

function device(
  d: DeviceState | undefined,
  x: number,
  y: number,
  title: string,
  t: T,
  side: 'left' | 'right',
) {
  if (!d) return null;
  const se = d.secureElement;
  const seX = side === 'left' ? x : x;
  const count =
    d.role === 'm5go' ? `${d.published} ${t('arch.published')}` : `${d.received} ${t('arch.received')}`;
  return html`<g class=${`node device ${statusClass(d)}`} data-role=${d.role}>
    <rect x=${x} y=${y} width="200" height="92" rx="8" />
    <text x=${x + 10} y=${y + 20} class="h">${title}</text>
    <text x=${x + 10} y=${y + 38}>${d.clientId} · ${statusText(d, t)}</text>
    <text x=${x + 10} y=${y + 56}>${t('arch.key')}: ${KEY_TEXT[d.keySource] ?? d.keySource}</text>
    <text x=${x + 10} y=${y + 74}>${count}${d.tlsVersion ? ` · ${d.tlsVersion}` : ''}</text>
    <g class=${`chip ${se.present ? 'present' : 'absent'}`}>
      <rect x=${seX} y=${y + 102} width="200" height="42" rx="6" />
      <text x=${seX + 10} y=${y + 120} class="h"
        >${se.present ? `${t('arch.se')} @${se.address}` : t('arch.noSe')}</text
      >
      ${
        se.present
          ? html`<text x=${seX + 10} y=${y + 136}
              >${se.profile} · ${se.locks?.data ? t('arch.locked') : t('arch.unlocked')}</text
            >`
          : null
      }
    </g>
  </g>`;
}

export function Architecture({ state, t }: { state: LabState; t: T }) {
  const pub = state.devices?.find((d) => d.role === 'm5go');
  const sub = state.devices?.find((d) => d.role === 'm5stack');
  const b = state.broker;
  const linkClass = (d?: DeviceState) =>
    `link ${d && d.connected ? 'up' : 'down'} ${b?.tls ? 'tls' : 'plain'}`;
  return html`<figure class="arch">
    <svg viewBox="0 0 760 330" role="img" aria-label=${t('arch.title')}>
      <defs>
        <marker
          id="arrow"
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
      <g class="node sensor">
        <rect x="10" y="250" width="200" height="40" rx="6" />
        <text x="20" y="275">${t('arch.sensor')}</text>
      </g>
      ${device(pub, 10, 10, t('arch.publisher'), t, 'left')}
      ${device(sub, 550, 10, t('arch.subscriber'), t, 'right')}
      ${
        b
          ? html`<g class="node relay">
                <rect x="280" y="20" width="200" height="50" rx="8" />
                <text x="290" y="40" class="h">${t('arch.relay')}</text>
                <text x="290" y="58">127.0.0.1:${b.relayPort} · pcap</text>
              </g>
              <g class=${`node broker ${b.tls ? 'tls' : 'plain'}`}>
                <rect x="280" y="150" width="200" height="92" rx="8" />
                <text x="290" y="170" class="h">${t('arch.broker')} (${b.kind})</text>
                <text x="290" y="188">${b.host}:${b.port}</text>
                <text x="290" y="206">${b.tls ? t('arch.mtls') : t('arch.plain')}</text>
                <text x="290" y="224">${b.tls ? 'tls_version tlsv1.2' : 'allow_anonymous true'}</text>
              </g>
              <path class=${linkClass(pub)} d="M210,45 L280,45" marker-end="url(#arrow)" />
              <path class=${linkClass(sub)} d="M480,45 L550,45" marker-end="url(#arrow)" />
              <path
                class="link up"
                d="M380,70 L380,150"
                marker-end="url(#arrow)"
                marker-start="url(#arrow)"
              />
              <path class="link bus" d="M110,102 L110,112" />
              <path class="link bus" d="M110,154 L110,250" />
              <text x="385" y="115" class="small">${state.topic ?? ''}</text>`
          : null
      }
    </svg>
  </figure>`;
}
