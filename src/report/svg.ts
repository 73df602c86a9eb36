/**
 * Charts drawn as inline SVG (pure): no library, no script needed to read them, nothing fetched.
 * Every label passes through html() on the way in; numbers are formatted here.
 */
import { html, scriptJson } from './escape.js';

/** One line of a chart: a value per x step, null where there is none (a gap). */
export interface Line {
  readonly name: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly dashed?: boolean;
}

export interface LineChart {
  /** Identifies the chart (tests, the hover readout). */
  readonly id: string;
  readonly title: string;
  /** Unit of the y axis, shown with the title: "req/s", "ms", "%". */
  readonly unit: string;
  readonly lines: readonly Line[];
  /** x steps where a new trial (or round) starts: drawn as thin vertical rules. */
  readonly boundaries?: readonly number[];
  readonly xLabel: string;
  /** The x value of each step, when not the step's index (e.g. a rate). */
  readonly xValues?: readonly number[];
  /** y values are shares: shown as percentages. */
  readonly percent?: boolean;
}

const W = 640;
const H = 210;
const PAD = { left: 52, right: 12, top: 10, bottom: 30 };

/** About `count` round tick values from 0 to at least `max`. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A number as a short axis label: 1,250 · 12.5 · 0.25 · 45% */
export function axisLabel(v: number, percent = false): string {
  if (percent) return `${Math.round(v * 100)}%`;
  if (Math.abs(v) >= 1000) return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (Math.abs(v) >= 10 || v === 0) return String(Math.round(v * 10) / 10);
  return String(Number(v.toPrecision(2)));
}

/** Polyline point lists of a line, broken where values are missing. */
function segments(values: readonly (number | null)[], x: (i: number) => number, y: (v: number) => number): string[] {
  const out: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (current.length) out.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (current.length) out.push(current.join(' '));
  return out;
}

/** A line chart as a <figure> with its SVG, legend and the data for the hover readout. */
export function lineChart(chart: LineChart): string {
  const steps = Math.max(1, ...chart.lines.map((l) => l.values.length));
  const xValues = chart.xValues;
  const xMin = xValues ? Math.min(...xValues) : 0;
  const xMax = xValues ? Math.max(...xValues) : Math.max(1, steps - 1);
  const max = Math.max(0, ...chart.lines.flatMap((l) => l.values.filter((v): v is number => v !== null && Number.isFinite(v))));
  const ticks = niceTicks(max * 1.05);
  const top = ticks[ticks.length - 1] || 1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number): number => PAD.left + ((xValues ? xValues[i] - xMin : i) / Math.max(1e-9, xMax - xMin)) * plotW;
  const y = (v: number): number => PAD.top + plotH - (v / top) * plotH;
  const grid = ticks
    .map(
      (t) =>
        `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/><text class="tick" x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${html(axisLabel(t, chart.percent))}</text>`,
    )
    .join('');
  const xTicks = niceTicks(xMax - xMin, 6)
    .filter((t) => t <= xMax - xMin)
    .map((t) => {
      const px = PAD.left + (t / Math.max(1e-9, xMax - xMin)) * plotW;
      return `<text class="tick" x="${px.toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${html(axisLabel(t + xMin))}</text>`;
    })
    .join('');
  const rules = (chart.boundaries ?? [])
    .map((b) => `<line class="rule" x1="${x(b).toFixed(1)}" x2="${x(b).toFixed(1)}" y1="${PAD.top}" y2="${PAD.top + plotH}"/>`)
    .join('');
  const drawn = chart.lines
    .map((l) => {
      const pts = segments(l.values, x, y);
      // A lone point has no line to draw: a dot shows it.
      return pts
        .map((p) =>
          p.includes(' ')
            ? `<polyline class="series" data-series="${html(l.name)}" points="${p}" stroke="${l.color}"${l.dashed ? ' stroke-dasharray="5 3"' : ''}/>`
            : `<circle class="series" data-series="${html(l.name)}" cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5" fill="${l.color}"/>`,
        )
        .join('');
    })
    .join('');
  const legend = chart.lines.map((l) => `<span><i style="background:${l.color}"${l.dashed ? ' class="dashed"' : ''}></i>${html(l.name)}</span>`).join('');
  const data = { x: xValues ?? null, lines: chart.lines.map((l) => ({ name: l.name, values: l.values })), unit: chart.unit, percent: chart.percent ?? false };
  return [
    `<figure class="chart" id="${html(chart.id)}" data-chart="${html(chart.id)}">`,
    `<figcaption>${html(chart.title)} <span class="unit">${html(chart.unit)}</span></figcaption>`,
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${html(chart.title)}">`,
    `<g class="axes">${grid}${xTicks}<text class="axis-label" x="${W - PAD.right}" y="${H - 4}" text-anchor="end">${html(chart.xLabel)}</text></g>`,
    rules,
    drawn,
    `<line class="cursor" x1="0" x2="0" y1="${PAD.top}" y2="${PAD.top + plotH}" visibility="hidden"/>`,
    '</svg>',
    `<div class="legend">${legend}</div><div class="readout" aria-live="polite"></div>`,
    `<script type="application/json" class="chart-data">${scriptJson({ ...data, frame: { left: PAD.left, width: plotW, total: W, min: xMin, max: xMax } })}</script>`,
    '</figure>',
  ].join('');
}

/** One bar group per label, one bar per series (base, head), with value labels. */
export interface BarChart {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly labels: readonly string[];
  readonly series: readonly { readonly name: string; readonly color: string; readonly values: readonly (number | null)[] }[];
}

/** A grouped bar chart as a <figure>. */
export function barChart(chart: BarChart): string {
  const rowH = 22 * Math.max(1, chart.series.length) + 10;
  const height = PAD.top + rowH * chart.labels.length + PAD.bottom;
  const labelW = 150;
  const plotW = W - labelW - 70;
  const max = Math.max(1, ...chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const bars = chart.labels
    .map((label, i) => {
      const y0 = PAD.top + i * rowH;
      const rows = chart.series
        .map((s, k) => {
          const v = s.values[i];
          if (v === null || v === undefined) return '';
          const w = (v / max) * plotW;
          const y = y0 + k * 22;
          return `<rect class="bar" data-series="${html(s.name)}" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${s.color}"><title>${html(`${label} · ${s.name}: ${axisLabel(v)} ${chart.unit}`)}</title></rect><text class="value" x="${(labelW + w + 4).toFixed(1)}" y="${y + 13}">${html(axisLabel(v))}</text>`;
        })
        .join('');
      return `<text class="label" x="${labelW - 8}" y="${y0 + (rowH - 10) / 2 + 5}" text-anchor="end">${html(label)}</text>${rows}`;
    })
    .join('');
  const legend = chart.series.map((s) => `<span><i style="background:${s.color}"></i>${html(s.name)}</span>`).join('');
  return `<figure class="chart bars" id="${html(chart.id)}" data-chart="${html(chart.id)}"><figcaption>${html(chart.title)} <span class="unit">${html(chart.unit)}</span></figcaption><svg viewBox="0 0 ${W} ${height}" role="img" aria-label="${html(chart.title)}">${bars}</svg><div class="legend">${legend}</div></figure>`;
}
