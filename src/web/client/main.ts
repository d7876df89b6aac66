/**
 * The dashboard page: one live lab step, its views in tabs, English or French. State comes
 * from the JSON API; readings, console lines, broker events and step/attack changes arrive
 * over Server-Sent Events.
 */
import { html, render } from 'htm/preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { ApiError, get, post } from './api.js';
import { Architecture } from './architecture.js';
import { ReadingsChart } from './chart.js';
import { AttackPanel, StrideMatrix } from './findings.js';
import { initialLang, type Key, pick, translator } from './i18n.js';
import { Consoles, EavesdropperView, SecurityEvents } from './panels.js';
import { SequenceDiagram } from './sequence.js';
import { SlotExplorer } from './slots.js';
import type {
  AttackRun,
  CaptureEntry,
  ConsoleLine,
  Eavesdropper,
  LabState,
  Lang,
  Matrix,
  Reading,
  SecurityEvent,
  Sequence,
  SlotMap,
} from './types.js';

const TABS = ['overview', 'consoles', 'sequence', 'slots', 'attacks', 'stride', 'eavesdropper'] as const;
type Tab = (typeof TABS)[number];
const KEEP = 300;

function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const t = useMemo(() => translator(lang), [lang]);
  const [tab, setTab] = useState<Tab>(tabFromHash());
  const [state, setState] = useState<LabState | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [switching, setSwitching] = useState(false);
  const [readings, setReadings] = useState<readonly Reading[]>([]);
  const [consoles, setConsoles] = useState<{ m5go: ConsoleLine[]; m5stack: ConsoleLine[] }>({
    m5go: [],
    m5stack: [],
  });
  const [events, setEvents] = useState<readonly SecurityEvent[]>([]);
  const [slots, setSlots] = useState<SlotMap | undefined>();
  const [seq, setSeq] = useState<Sequence | undefined>();
  const [eaves, setEaves] = useState<Eavesdropper | undefined>();
  const [matrix, setMatrix] = useState<Matrix | undefined>();
  const [runs, setRuns] = useState<readonly AttackRun[]>([]);
  const [busy, setBusy] = useState<string | undefined>();
  const [captures, setCaptures] = useState<readonly CaptureEntry[]>([]);
  const [captureId, setCaptureId] = useState('live');
  const [captureError, setCaptureError] = useState<string | undefined>();

  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));

  const loadStep = useCallback(async () => {
    const [s, r, c, ev] = await Promise.all([
      get<LabState>('/api/state'),
      get<{ readings: Reading[] }>('/api/readings'),
      get<{ m5go: ConsoleLine[]; m5stack: ConsoleLine[] }>('/api/consoles'),
      get<{ events: SecurityEvent[] }>('/api/security-events'),
    ]);
    setState(s);
    setReadings(r.readings.slice(-KEEP));
    setConsoles({ m5go: c.m5go, m5stack: c.m5stack });
    setEvents(ev.events);
  }, []);

  const loadTab = useCallback(
    async (which: Tab) => {
      if (which === 'slots') setSlots(await get<SlotMap>('/api/slots'));
      if (which === 'stride') setMatrix(await get<Matrix>('/api/matrix'));
      if (which !== 'sequence' && which !== 'eavesdropper') return;
      const q = `?capture=${encodeURIComponent(captureId)}`;
      const list = get<{ captures: CaptureEntry[] }>('/api/captures').then((r) => setCaptures(r.captures));
      try {
        if (which === 'sequence') setSeq(await get<Sequence>(`/api/sequence${q}`));
        else setEaves(await get<Eavesdropper>(`/api/eavesdropper${q}`));
        setCaptureError(undefined);
      } catch (e) {
        // A capture that does not parse is the capture's problem, shown in the view, not the page's.
        if (!(e instanceof ApiError) || e.status >= 500) throw e;
        setSeq(undefined);
        setEaves(undefined);
        setCaptureError(`${e.code}: ${e.message}`);
      }
      await list;
    },
    [captureId],
  );

  const choice = { captures, id: captureId, pick: setCaptureId, error: captureError };

  useEffect(() => {
    loadStep().catch(fail);
    const es = new EventSource('/api/events');
    es.addEventListener('reading', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as { reading: Reading };
      setReadings((rs) => [...rs.slice(-(KEEP - 1)), e.reading]);
    });
    es.addEventListener('console', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as {
        device: 'm5go' | 'm5stack';
        line: ConsoleLine;
      };
      setConsoles((c) => ({ ...c, [e.device]: [...c[e.device].slice(-999), e.line] }));
    });
    es.addEventListener('security', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as { event: SecurityEvent };
      setEvents((list) => [...list.slice(-99), e.event]);
    });
    es.addEventListener('step', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as { state: string };
      if (e.state === 'up') loadStep().catch(fail);
    });
    const poll = setInterval(() => {
      get<LabState>('/api/state').then(setState, () => undefined);
    }, 2000);
    return () => {
      es.close();
      clearInterval(poll);
    };
  }, [loadStep]);

  useEffect(() => {
    loadTab(tab).catch(fail);
  }, [tab, state?.step, loadTab]);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('title');
    localStorage.setItem('mqtts-lab.lang', lang);
  }, [lang, t]);

  const choose = (next: Tab) => {
    setTab(next);
    history.replaceState(null, '', `#${next}`);
  };

  const switchStep = (step: number) => {
    setSwitching(true);
    setError(undefined);
    post<LabState>('/api/step', { step })
      .then(setState)
      .then(loadStep)
      .catch(fail)
      .finally(() => setSwitching(false));
  };

  const runAttack = (name: string) => {
    setBusy(name);
    setError(undefined);
    post<AttackRun>('/api/attack', { attack: name })
      .then((r) => setRuns((list) => [r, ...list]))
      .then(() => loadTab('stride'))
      .catch(fail)
      .finally(() => setBusy(undefined));
  };

  const body = () => {
    if (!state) return html`<p>…</p>`;
    if (switching) return html`<p class="notice">${t('switching')}</p>`;
    if (!state.up) return html`<p class="notice">${t('down')}</p>`;
    switch (tab) {
      case 'overview':
        return html`<div class="grid">
          <section class="card">
            <h2>${t('arch.title')}</h2>
            <${Architecture} state=${state} t=${t} />
          </section>
          <section class="card">
            <h2>${t('chart.title')} <code>${state.topic}</code></h2>
            <${ReadingsChart} readings=${readings} t=${t} />
            <h3>${t('events.title')}</h3>
            <${SecurityEvents} events=${events} t=${t} />
          </section>
        </div>`;
      case 'consoles':
        return html`<section class="card">
          <h2>${t('consoles.title')}</h2>
          <${Consoles} ...${consoles} t=${t} />
        </section>`;
      case 'sequence':
        return html`<section class="card">
          <h2>${t('seq.title')}</h2>
          <${SequenceDiagram}
            seq=${seq}
            t=${t}
            choice=${choice}
            onRefresh=${() => loadTab('sequence').catch(fail)}
          />
        </section>`;
      case 'slots':
        return html`<section class="card">
          <h2>${t('slots.title')}</h2>
          <${SlotExplorer} map=${slots} t=${t} />
        </section>`;
      case 'attacks':
        return html`<section class="card">
          <h2>${t('attacks.title')}</h2>
          <${AttackPanel} state=${state} runs=${runs} busy=${busy} run=${runAttack} lang=${lang} t=${t} />
        </section>`;
      case 'stride':
        return html`<section class="card">
          <h2>${t('stride.title')}</h2>
          <${StrideMatrix} matrix=${matrix} lang=${lang} t=${t} />
        </section>`;
      case 'eavesdropper':
        return html`<section class="card">
          <h2>${t('eaves.title')}</h2>
          <${EavesdropperView} view=${eaves} t=${t} choice=${choice} />
        </section>`;
    }
  };

  return html`<header class="top">
      <h1>${t('title')}</h1>
      <nav class="steps" aria-label=${t('step')}>
        ${(state?.steps ?? []).map(
          (s) =>
            html`<button
              type="button"
              data-step=${s.step}
              aria-pressed=${state?.step === s.step}
              disabled=${switching || busy !== undefined}
              title=${pick(s.title, lang)}
              onClick=${() => state?.step !== s.step && switchStep(s.step)}
            >
              ${t('step')} ${s.step}<span class="small"> ${pick(s.title, lang)}</span>
            </button>`,
        )}
      </nav>
      <div class="lang" role="group" aria-label=${t('language')}>
        ${(['en', 'fr'] as const).map(
          (l) =>
            html`<button type="button" data-lang=${l} aria-pressed=${lang === l} onClick=${() => setLang(l)}>
              ${l.toUpperCase()}
            </button>`,
        )}
      </div>
    </header>
    <nav class="tabs" role="tablist">
      ${TABS.map(
        (x) =>
          html`<button
            type="button"
            role="tab"
            data-tab=${x}
            aria-selected=${tab === x}
            onClick=${() => choose(x)}
          >
            ${t(`tab.${x}` as Key)}
          </button>`,
      )}
    </nav>
    ${error ? html`<p class="error" role="alert">${t('error')}: ${error}</p>` : null}
    <main>${body()}</main>`;
}

function tabFromHash(): Tab {
  const h = location.hash.slice(1);
  return (TABS as readonly string[]).includes(h) ? (h as Tab) : 'overview';
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
