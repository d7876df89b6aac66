/**
 * The capture picker of the Sequence and Eavesdropper views: the ids the server lists (the live
 * step's capture, the saved stepN.pcap files, the files given with --capture). The page only
 * ever sends an id back; it never names a path.
 */
import { html } from 'htm/preact';
import type { Key } from './i18n.js';
import type { CaptureEntry } from './types.js';

type T = (k: Key) => string;

export function captureLabel(c: CaptureEntry, t: T): string {
  const base =
    c.source === 'live'
      ? `${t('cap.live')} ${c.step ?? ''}`
      : c.source === 'file'
        ? `${t('cap.file')} ${c.name}`
        : `${t(c.source === 'run' ? 'cap.run' : 'cap.session')} ${c.name}`;
  const extras = [
    ...(c.format === 'pcapng' ? ['pcapng'] : []),
    ...(c.keyLog ? [t('cap.keyLog')] : []),
    ...(c.error ? [`${t('cap.error')}: ${c.error.code}`] : []),
  ];
  return extras.length > 0 ? `${base} (${extras.join(', ')})` : base;
}

export function CapturePicker({
  captures,
  value,
  onChange,
  t,
}: {
  captures: readonly CaptureEntry[];
  value: string;
  onChange: (id: string) => void;
  t: T;
}) {
  // The chosen id stays listed even before the list has loaded (or once the live step is down).
  const known = captures.some((c) => c.id === value);
  return html`<label class="capture-picker"
    >${t('cap.label')}
    <select
      data-testid="capture-picker"
      value=${value}
      onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}
    >
      ${known ? null : html`<option value=${value}>${value}</option>`}
      ${captures.map((c) => html`<option value=${c.id}>${captureLabel(c, t)}</option>`)}
    </select>
  </label>`;
}

/** The pcap download of a capture, by id. */
export function captureHref(id: string): string {
  return `/api/capture.pcap?capture=${encodeURIComponent(id)}`;
}
