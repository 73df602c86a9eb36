/**
 * The HTML report (pure): one self-contained file, readable from an artifact download or a
 * file:// URL. Charts are inline SVG (svg.ts); the one script only moves a hover readout, and the
 * content security policy lets nothing else run or load. Every string from a results document
 * passes through html(); numbers are formatted here.
 */
import { createHash } from 'node:crypto';
import { signedPercent } from '../compare/text.js';
import type { CellComparison, Comparison } from '../compare/types.js';
import type { Results, TopologyResult, TrialResult } from '../results/types.js';
import { PERCENTILES } from '../stats/percentiles.js';
import { html } from './escape.js';
import { comparisonNotes, fixed, isSettled, noiseText, type Note, sidesLabel, softwareVersions } from './format.js';
import { headline } from './markdown.js';
import { recommendationLine } from './recommend.js';
import { barChart, lineChart, type Line } from './svg.js';

/** What one report shows: a run, and when there is one, what it was compared with. */
export interface HtmlReportInput {
  /** Shown in the title: the config file. */
  readonly title: string;
  readonly head: Results;
  /** The baseline or the PR base's results; null without one. */
  readonly base: Results | null;
  /** The verdicts; null for a plain run (`flask-perf run`). */
  readonly comparison: Comparison | null;
}

const COLOR = { head: '#2563eb', base: '#9ca3af', p50: '#16a34a', p90: '#d97706', p99: '#dc2626', errors: '#dc2626', non2xx: '#d97706', loadgen: '#7c3aed' };

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827;margin:0 auto;max-width:1340px;padding:16px 24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-top:1px solid #e5e7eb;padding-top:16px}h3{font-size:14px;margin:14px 0 6px}
.headline{font-size:16px;margin:6px 0}.muted{color:#6b7280}.warn{color:#92400e;background:#fffbeb;border-left:3px solid #f59e0b;padding:6px 10px;margin:6px 0}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}th,td{border-bottom:1px solid #e5e7eb;padding:3px 8px;text-align:right;vertical-align:top}
th:first-child,td.text{text-align:left}th{background:#f9fafb;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
figure.bars{max-width:760px;margin:8px 0!important}figure.chart{margin:0;border:1px solid #e5e7eb;border-radius:6px;padding:8px;position:relative}figcaption{font-weight:600}.unit{color:#6b7280;font-weight:400}
svg{width:100%;height:auto;display:block}.grid{stroke:#f3f4f6}.tick,.axis-label,.label,.value{font-size:11px;fill:#6b7280}.label{fill:#111827}
.series{fill:none;stroke-width:1.6}circle.series{stroke:none}.rule{stroke:#d1d5db;stroke-dasharray:2 3}.cursor{stroke:#9ca3af}
.legend{font-size:12px;color:#374151}.legend span{margin-right:12px;white-space:nowrap}.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}.legend i.dashed{opacity:.6}
.readout{font-size:12px;min-height:16px;color:#374151}pre{background:#f9fafb;padding:8px;overflow:auto;max-height:240px}
.regressed,.failed,.missing{color:#b91c1c}.improved,.unchanged{color:#15803d}.inconclusive{color:#92400e}
@media (prefers-color-scheme:dark){body{background:#111827;color:#e5e7eb}th{background:#1f2937}th,td,figure.chart,h2{border-color:#374151}.grid{stroke:#1f2937}.label{fill:#e5e7eb}pre{background:#1f2937}.warn{background:#292524;color:#fde68a}}
`;

// Moves a cursor and shows the values under the pointer; the data is each figure's JSON block.
const SCRIPT = `
for (const fig of document.querySelectorAll('figure[data-chart]')) {
  const block = fig.querySelector('script.chart-data'); if (!block) continue;
  const d = JSON.parse(block.textContent); const svg = fig.querySelector('svg'); const cursor = fig.querySelector('.cursor'); const out = fig.querySelector('.readout');
  const fmt = (v) => v === null ? '—' : d.percent ? Math.round(v * 100) + '%' : (Math.abs(v) >= 100 ? Math.round(v).toLocaleString() : String(Math.round(v * 10) / 10));
  svg.addEventListener('mousemove', (e) => {
    const box = svg.getBoundingClientRect(); const px = (e.clientX - box.left) * d.frame.total / box.width;
    const steps = Math.max(...d.lines.map((l) => l.values.length)); if (!steps) return;
    const share = Math.min(1, Math.max(0, (px - d.frame.left) / d.frame.width)); let i = Math.round(share * Math.max(1, steps - 1));
    if (d.x) { const want = d.frame.min + share * (d.frame.max - d.frame.min); i = d.x.reduce((b, v, k) => Math.abs(v - want) < Math.abs(d.x[b] - want) ? k : b, 0); }
    const at = d.frame.left + (d.x ? (d.x[i] - d.frame.min) / Math.max(1e-9, d.frame.max - d.frame.min) : i / Math.max(1, steps - 1)) * d.frame.width;
    cursor.setAttribute('x1', at); cursor.setAttribute('x2', at); cursor.setAttribute('visibility', 'visible');
    out.textContent = (d.x ? d.x[i] : i + 1 + ' s') + ' — ' + d.lines.map((l) => l.name + ': ' + fmt(l.values[i] ?? null)).join(' · ');
  });
  svg.addEventListener('mouseleave', () => { cursor.setAttribute('visibility', 'hidden'); out.textContent = ''; });
}
`;

/** The content security policy: no network, no script but ours (by hash), inline styles only. */
export function contentSecurityPolicy(): string {
  const hash = createHash('sha256').update(SCRIPT).digest('base64');
  return `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

const num = (v: number | null | undefined, digits = 1): string => fixed(v, digits);

/** An HTML table of already escaped cells; `text`: columns of words, aligned left (numbers go right). */
function table(head: readonly string[], rows: readonly (readonly string[])[], text: readonly number[] = [0]): string {
  const td = (c: string, k: number): string => (text.includes(k) ? `<td class="text">${c}</td>` : `<td>${c}</td>`);
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('')}</tbody></table>`;
}

/** A trial's series laid end to end with the others, and where each trial starts. */
function joined<K extends 'requests' | 'non2xx' | 'errors' | 'p50' | 'p90' | 'p99' | 'serverCpu' | 'rssMb' | 'loadgenCpu'>(
  trials: readonly TrialResult[],
  column: K,
): { values: (number | null)[]; boundaries: number[] } {
  const values: (number | null)[] = [];
  const boundaries: number[] = [];
  for (const t of trials) {
    if (!t.series) continue;
    if (values.length) boundaries.push(values.length);
    values.push(...t.series[column]);
  }
  return { values, boundaries };
}

const hasSeries = (t: TopologyResult | undefined): boolean => !!t?.trials.some((x) => x.series && x.series.requests.length > 0);

function charts(id: string, head: TopologyResult, base: TopologyResult | undefined, baseName: string): string {
  if (!hasSeries(head)) return '<p class="muted">No time series: this results document predates them (schema 1 and 2).</p>';
  const withBase = hasSeries(base) ? base : undefined;
  const line = (name: string, t: TopologyResult, column: Parameters<typeof joined>[1], color: string, dashed = false): Line => ({
    name,
    values: joined(t.trials, column).values,
    color,
    dashed,
  });
  const boundaries = joined(head.trials, 'requests').boundaries;
  const common = { boundaries, xLabel: 'seconds of load (trials end to end)' };
  const figures = [
    ...(head.capacity ? [capacityChart(id, head, base, baseName)] : []),
    lineChart({
      id: `${id}-rps`,
      title: 'Requests per second',
      unit: 'req/s',
      lines: [line('now', head, 'requests', COLOR.head), ...(withBase ? [line(baseName, withBase, 'requests', COLOR.base, true)] : [])],
      ...common,
    }),
    lineChart({
      id: `${id}-latency`,
      title: 'Latency of each second',
      unit: 'ms',
      lines: [
        line('p50', head, 'p50', COLOR.p50),
        line('p90', head, 'p90', COLOR.p90),
        line('p99', head, 'p99', COLOR.p99),
        ...(withBase ? [line(`p99 ${baseName}`, withBase, 'p99', COLOR.base, true)] : []),
      ],
      ...common,
    }),
    lineChart({
      id: `${id}-failures`,
      title: 'Failures per second',
      unit: 'per s',
      lines: [line('non-2xx', head, 'non2xx', COLOR.non2xx), line('errors and timeouts', head, 'errors', COLOR.errors)],
      ...common,
    }),
    lineChart({
      id: `${id}-cpu`,
      title: 'CPU',
      unit: 'share of the server cores · of one core for the generator',
      percent: true,
      lines: [line('server', head, 'serverCpu', COLOR.head), line('load generator', head, 'loadgenCpu', COLOR.loadgen)],
      ...common,
    }),
    lineChart({ id: `${id}-rss`, title: 'Server memory (RSS, whole process tree)', unit: 'MB', lines: [line('RSS', head, 'rssMb', COLOR.head)], ...common }),
  ];
  return `<div class="charts">${figures.join('')}</div>`;
}

/**
 * A capacity search's curve: p50 and p99 (from the intended send times) at each arrival rate tried,
 * the goal as a line; the base's p99 dashed beside it.
 */
function capacityChart(id: string, head: TopologyResult, base: TopologyResult | undefined, baseName: string): string {
  const c = head.capacity!;
  const b = base?.capacity;
  const rates = [...new Set([...c.steps.map((s) => s.rate), ...(b?.steps.map((s) => s.rate) ?? [])])].sort((x, y) => x - y);
  const at = (steps: readonly { rate: number }[], pick: (s: (typeof c.steps)[number]) => number): (number | null)[] =>
    rates.map((r) => {
      // A failed rate was tried again: its last try is the one that counted.
      const step = (steps as typeof c.steps).findLast((s) => s.rate === r);
      return step ? pick(step) : null;
    });
  const rate = Math.round(c.rate).toLocaleString('en-US');
  // Past the knee p99 runs to seconds: drawn at 3× the goal so the curve near it stays readable.
  const top = 3 * c.goal.p99Ms;
  const clip = (v: number): number => Math.min(v, top);
  return lineChart({
    id: `${id}-capacity`,
    title: `Latency against arrival rate: capacity ${c.end === 'bracketed' ? '' : 'at least '}${rate} req/s at p99 ≤ ${num(c.goal.p99Ms, 0)} ms (above ${num(top, 0)} ms drawn at it)`,
    unit: 'ms',
    xLabel: 'arrival rate tried, req/s',
    xValues: rates,
    lines: [
      { name: 'p99', values: at(c.steps, (s) => clip(s.p99Ms)), color: COLOR.p99 },
      { name: 'p50', values: at(c.steps, (s) => clip(s.p50Ms)), color: COLOR.p50 },
      ...(b ? [{ name: `p99 ${baseName}`, values: at(b.steps, (s) => clip(s.p99Ms)), color: COLOR.base, dashed: true }] : []),
      { name: 'goal', values: rates.map(() => c.goal.p99Ms), color: COLOR.loadgen, dashed: true },
    ],
  });
}

function percentileTable(head: TopologyResult, base: TopologyResult | undefined, baseName: string): string {
  const row = (label: string, values: readonly number[] | undefined): string[] | null =>
    values && values.length === PERCENTILES.length ? [html(label), ...values.map((v) => num(v, v >= 100 ? 0 : 1))] : null;
  const rows = [
    row('all requests', head.percentilesMs),
    base ? row(`all requests, ${baseName}`, base.percentilesMs) : null,
    ...head.endpoints.map((e) => row(`${e.method} ${e.path}`, e.percentilesMs)),
  ].filter((r): r is string[] => r !== null);
  if (!rows.length) return '';
  return `<h3>Response time percentiles (ms)</h3>${table(['', ...PERCENTILES.map((p) => `${p}%`)], rows)}`;
}

function endpointTable(t: TopologyResult): string {
  if (!t.endpoints.length) return '';
  const statuses = (s: Readonly<Record<string, number>>): string =>
    Object.entries(s)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${html(code)} × ${n.toLocaleString('en-US')}`)
      .join(', ');
  return `<h3>Endpoints</h3>${table(
    ['Endpoint', 'Requests', 'Req/s', 'Failures/s', 'p50 ms', 'p99 ms', 'Statuses'],
    t.endpoints.map((e) => [
      `<code>${html(`${e.method} ${e.path}`)}</code>`,
      e.totalRequests.toLocaleString('en-US'),
      num(e.rps),
      num(e.failuresPerSec, 2),
      num(e.latencyMs.p50),
      num(e.latencyMs.p99),
      statuses(e.statuses),
    ]),
    [0, 6],
  )}`;
}

/** "1,552.8 → 191.5 (−90.9% [−92.2%, −89.3%])": with statistics, the estimate the verdict used and its interval. */
function change(c: CellComparison, key: 'rps' | 'p50' | 'p99' | 'cpuMsPer1kRequests', digits: number): string {
  const { base, head } = c[key];
  if (base === null) return num(head, digits);
  const m = c.metrics.find((x) => x.metric === (key === 'cpuMsPer1kRequests' ? 'cpu' : key));
  const estimate = m && Number.isFinite(m.interval.ratio) ? m.interval.ratio - 1 : head !== null && base !== 0 ? head / base - 1 : null;
  const bounds =
    m && Number.isFinite(m.interval.high) && m.interval.low > 0
      ? ` <span class="muted">[${signedPercent(m.interval.low - 1)}, ${signedPercent(m.interval.high - 1)}]</span>`
      : '';
  return `${num(base, digits)} → ${num(head, digits)}${estimate === null ? '' : ` (${signedPercent(estimate)}${bounds})`}`;
}

function overview(input: HtmlReportInput): string {
  const { comparison, head } = input;
  if (!comparison) {
    return table(
      ['Topology', 'Requests', 'Req/s', 'Failures/s', 'p50 ms', 'p99 ms', 'CPU ms / 1k req', 'Peak RSS MB'],
      head.topologies.map((t) =>
        t.ok
          ? [
              html(t.name),
              t.totalRequests.toLocaleString('en-US'),
              num(t.rps),
              num(t.failuresPerSec, 2),
              num(t.latencyMs.p50),
              num(t.latencyMs.p99),
              num(t.cpuMsPer1kRequests, 0),
              num(t.peakRssMb),
            ]
          : [html(t.name), '<span class="failed">failed</span>', '—', '—', '—', '—', '—', '—'],
      ),
    );
  }
  const sides = sidesLabel(comparison);
  return table(
    ['Topology', `Req/s (${sides})`, 'p50 ms', 'p99 ms', 'CPU ms / 1k req', 'Noise', 'Verdict'],
    comparison.cells.map((c) => [
      html(c.name),
      change(c, 'rps', 1),
      change(c, 'p50', 1),
      change(c, 'p99', 1),
      change(c, 'cpuMsPer1kRequests', 0),
      html(noiseText(c)),
      `<span class="${c.verdict}">${html(c.verdict)}${isSettled(comparison, c.name) ? ' (beside the base)' : ''}${c.reasons.length && c.verdict !== 'new' ? `: ${html(c.reasons.join('; '))}` : ''}</span>`,
    ]),
    [0, 5, 6],
  );
}

function environment(r: Results, label: string): string {
  const e = r.environment;
  const rows: [string, string][] = [
    ['CPU', `${e.cpuModel}${e.cpuMhz ? ` · ${Math.round(e.cpuMhz)} MHz` : ''} · ${e.cores} cores${e.cpuId ? ` (${e.cpuId})` : ''}`],
    ['Steal time', e.stealPercent === null || e.stealPercent === undefined ? '—' : `${num(e.stealPercent)}%`],
    ['Placement', e.placement.reason],
    ...r.topologies.filter((t) => t.placement).map((t): [string, string] => [`Placement of ${t.name}`, t.placement!.reason]),
    ['Software', [e.os, `Node ${e.node}`, ...softwareVersions(e)].join(' · ')],
    [
      'Load',
      `${r.load.connections} connections · ${r.load.trials} × ${r.load.durationSec} s after ${r.load.warmupSec} s warm-up · timeout ${r.load.timeoutSec} s`,
    ],
    ['Run', `${r.startedAt} → ${r.finishedAt} · ${r.tool.name} ${r.tool.version} · schema ${r.schemaVersion}`],
  ];
  return `<h3>${html(label)}</h3><table>${rows.map(([k, v]) => `<tr><th>${k}</th><td class="text">${html(v)}</td></tr>`).join('')}</table>`;
}

/** The whole report as one HTML document (pure). */
export function renderHtml(input: HtmlReportInput): string {
  const { head, base, comparison } = input;
  const baseName = comparison?.mode === 'base' ? 'base' : 'baseline';
  const recommendation = recommendationLine(head, html);
  const notes = comparison ? comparisonNotes(comparison, head) : [];
  const note = (n: Note): string => `<p class="${n.warn ? 'warn' : 'muted'}"><strong>${html(n.label)}:</strong> ${html(n.text)}.</p>`;
  const warnings = head.topologies.flatMap((t) => t.warnings.map((w) => `<div class="warn">${html(t.name)}: ${html(w.message)}</div>`));
  const bars = barChart({
    id: 'overview-rps',
    title: 'Requests per second',
    unit: 'req/s',
    labels: head.topologies.map((t) => t.name),
    series: [
      ...(base ? [{ name: baseName, color: COLOR.base, values: head.topologies.map((t) => base.topologies.find((b) => b.name === t.name)?.rps ?? null) }] : []),
      { name: 'now', color: COLOR.head, values: head.topologies.map((t) => (t.ok ? t.rps : null)) },
    ],
  });
  const sections = head.topologies.map((t, i) => {
    const b = base?.topologies.find((x) => x.name === t.name);
    const about = [t.kind, t.workers ? `${t.workers} workers` : '', t.instances ? `${t.instances} instances` : ''].filter(Boolean).join(' · ');
    const body = t.ok
      ? `${charts(`t${i}`, t, b, baseName)}${percentileTable(t, b, baseName)}${endpointTable(t)}`
      : `<p class="failed">This cell failed:</p><pre>${html(t.error ?? '')}</pre>`;
    return `<section id="topology-${i}"><h2>${html(t.name)} <span class="muted">${html(about)}</span></h2>${t.warnings.map((w) => `<div class="warn">${html(w.message)}</div>`).join('')}${body}</section>`;
  });
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>flask-perf · ${html(input.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>flask-perf · ${html(input.title)}</h1>`,
    comparison ? `<p class="headline">${headline(comparison, html)}</p>` : '',
    comparison?.baseSource ? `<p class="muted">Compared with ${html(comparison.baseSource)}.</p>` : '',
    // What could mislead stands above the numbers; what explains them, below the table.
    ...notes.filter((n) => n.warn).map(note),
    recommendation ? `<p><strong>Recommendation:</strong> ${recommendation}.</p>` : '',
    warnings.join(''),
    overview(input),
    ...notes.filter((n) => !n.warn).map(note),
    bars,
    ...sections,
    '<h2>Where it ran</h2>',
    environment(head, base ? 'This run' : 'The run'),
    base ? environment(base, comparison?.mode === 'base' ? 'The base' : 'The baseline') : '',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
