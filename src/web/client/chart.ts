/**
 * The live chart of m5go/env (uPlot): temperature on the left axis, humidity on the right, the
 * last pressure as a figure. Readings come from /api/readings, then one by one over SSE.
 */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Key } from './i18n.js';
import type { Reading } from './types.js';

type T = (k: Key) => string;

export function ReadingsChart({ readings, t }: { readings: readonly Reading[]; t: T }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 240,
      scales: { x: { time: true }, C: { auto: true }, RH: { auto: true } },
      series: [
        {},
        { label: t('chart.temperature'), scale: 'C', stroke: '#c0392b', width: 2 },
        { label: t('chart.humidity'), scale: 'RH', stroke: '#2471a3', width: 2 },
      ],
      axes: [{}, { scale: 'C', label: '°C' }, { scale: 'RH', side: 1, label: '%RH', grid: { show: false } }],
      legend: { show: true },
    };
    plot.current = new uPlot(opts, [[], [], []], el);
    const ro = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: 240 }),
    );
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [t]);

  useEffect(() => {
    const xs = readings.map((r) => Date.parse(r.timestamp) / 1000);
    plot.current?.setData([xs, readings.map((r) => r.temperature), readings.map((r) => r.humidity)]);
  }, [readings, t]);

  const last = readings[readings.length - 1];
  return html`<div class="chart">
    <div ref=${box} class="plot" data-count=${readings.length}></div>
    <p class="last">
      ${
        last
          ? html`<span data-testid="last-reading"
              >${`#${last.seq} · ${last.temperature.toFixed(2)} °C · ${last.humidity.toFixed(1)} %RH · ${t('chart.pressure')} ${last.pressure.toFixed(2)} hPa`}</span
            >`
          : t('chart.waiting')
      }
    </p>
  </div>`;
}
