import { markdownTable } from 'markdown-table';
import { cellsWith } from '../compare/cells.js';
import { signedPercent } from '../compare/text.js';
import type { CellComparison, Comparison, Delta, Verdict } from '../compare/types.js';
import type { MetricVerdict } from '../compare/verdict.js';
import { formatPercent } from '../config/percent.js';
import type { Results } from '../results/types.js';
import { md, mdCode, mdFence } from './escape.js';
import { comparisonNotes, fixed, isSettled, noiseText, sidesLabel, softwareVersions } from './format.js';
import { recommendationLine, rpsChart } from './recommend.js';

/** GitHub refuses comments longer than 65,536 characters; keep a margin. */
export const COMMENT_LIMIT = 60_000;
/** GitHub refuses a job summary over 1 MiB. */
export const SUMMARY_LIMIT = 1_000_000;
/** Longest reason shown in a table cell (a failed cell's reason is the first line of its error). */
const MAX_REASON_CHARS = 300;

/** What the report says about where it comes from. */
export interface ReportContext {
  /** Config path, shown and used in the hidden marker (one comment per config). */
  readonly configPath: string;
  /** Baseline path in the repository, for the update instructions. */
  readonly baselinePath: string;
  /** An HTML report is written beside this one (report.html): the report says so. */
  readonly htmlReport?: boolean;
}

/** Hidden marker that identifies this action's comment for a config (the report's first line). */
export function commentMarker(configPath: string): string {
  return `<!-- flask-perf-action config=${configPath.replace(/[^\w./@:+-]/g, '_')} -->`;
}

const ICON: Record<Verdict, string> = {
  regressed: '❌ regressed',
  inconclusive: '❔ inconclusive',
  improved: '🚀 improved',
  unchanged: '✅ unchanged',
  new: '🆕 new',
  missing: '➖ missing',
  failed: '💥 failed',
};

function interval(m: MetricVerdict | undefined): string {
  if (!m || !Number.isFinite(m.interval.high) || m.interval.low <= 0) return '';
  return ` [${signedPercent(m.interval.low - 1)}, ${signedPercent(m.interval.high - 1)}]`;
}

/** "473.7 → 380.1 (−19.8% [−24.0%, −15.1%])", or just the value when there is no baseline. */
function change(d: Delta, digits: number, m?: MetricVerdict): string {
  if (d.base === null) return fixed(d.head, digits);
  if (d.head === null) return `${fixed(d.base, digits)} → —`;
  // With statistics the estimate is the geometric mean of ratios, shown with its interval.
  const estimate = m && Number.isFinite(m.interval.ratio) ? m.interval.ratio - 1 : d.change;
  return `${fixed(d.base, digits)} → ${fixed(d.head, digits)}${estimate === null ? '' : ` (${signedPercent(estimate)}${interval(m)})`}`;
}

function metric(c: CellComparison, name: MetricVerdict['metric']): MetricVerdict | undefined {
  return c.metrics.find((m) => m.metric === name);
}

function verdictCell(c: CellComparison, settled: boolean): string {
  const reasons = c.reasons.join('; ');
  const shown = reasons.length > MAX_REASON_CHARS ? `${reasons.slice(0, MAX_REASON_CHARS)}…` : reasons;
  const icon = `${ICON[c.verdict]}${settled ? ' (beside the base)' : ''}`;
  return c.reasons.length && c.verdict !== 'new' ? `${icon}: ${md(shown)}` : icon;
}

/**
 * The first line: no regression / N regressions / N cells failed / N inconclusive (pure).
 * @param text how names are written: escaped for markdown, as they are for plain text
 */
export function headline(comparison: Comparison, text: (s: string) => string = md): string {
  const list = (cells: CellComparison[], one: string, many: string): string =>
    `${cells.length} ${cells.length > 1 ? many : one} (${cells.map((c) => text(c.name)).join(', ')})`;
  const missing = cellsWith(comparison, 'missing');
  const regressed = cellsWith(comparison, 'regressed');
  const failed = cellsWith(comparison, 'failed');
  const inconclusive = cellsWith(comparison, 'inconclusive');
  const parts: string[] = [];
  if (regressed.length) parts.push(list(regressed, 'regression', 'regressions'));
  if (failed.length) parts.push(list(failed, 'cell failed', 'cells failed'));
  if (missing.length) parts.push(list(missing, 'missing', 'missing'));
  if (inconclusive.length) parts.push(list(inconclusive, 'inconclusive', 'inconclusive'));
  // Settled cells were measured beside the base, on one machine: cross-hardware only if one is left.
  const cross = comparison.hardwareNote && comparison.cells.some((c) => !isSettled(comparison, c.name)) ? ' (cross-hardware)' : '';
  if (regressed.length || failed.length || missing.length) return `❌ ${parts.join(', ')}${cross}`;
  if (inconclusive.length) return `❔ no regression found; ${parts.join(', ')}${cross}`;
  if (!comparison.hasBase) return '🆕 no baseline yet — these numbers become the reference once a baseline is recorded';
  const improved = cellsWith(comparison, 'improved');
  return `✅ no regression${improved.length ? `; ${improved.length} improved (${improved.map((c) => text(c.name)).join(', ')})` : ''}${cross}`;
}

/** One line of plain text for logs and the `summary` output (pure; escape it for where it goes). */
export function summaryLine(comparison: Comparison): string {
  const detail = cellsWith(comparison, 'regressed')
    .map((c) => `${c.name} ${c.reasons.join(', ')}`)
    .join('; ');
  const text = headline(comparison, (name) => name).replace(/^\S+ /, '');
  return `flask-perf: ${text}${detail ? ` — ${detail}` : ''}`;
}

function endpointDetails(comparison: Comparison): string {
  const sections = comparison.cells
    .filter((c) => c.endpoints.length > 0)
    .map((c) => {
      const table = markdownTable(
        [
          ['Endpoint', 'Req/s', 'p99 ms', 'Failures/s'],
          ...c.endpoints.map((e) => [mdCode(`${e.method} ${e.path}`), change(e.rps, 1), change(e.p99, 1), change(e.failuresPerSec, 2)]),
        ],
        { align: ['l', 'r', 'r', 'r'] },
      );
      return `**${md(c.name)}**\n\n${table}`;
    });
  return sections.length ? `<details><summary>Per endpoint</summary>\n\n${sections.join('\n\n')}\n\n</details>` : '';
}

/** Failed cells' errors: in full, only their first line (cut) when space is short, or none. */
function failures(comparison: Comparison, errors: Detail['errors']): string {
  const failed = cellsWith(comparison, 'failed');
  if (!failed.length || errors === 'none') return '';
  return failed
    .map((c) => {
      const error = c.error ?? '';
      const shown = errors === 'full' ? error : error.split('\n', 1)[0].slice(0, MAX_REASON_CHARS);
      return `<details><summary>💥 ${md(c.name)} failed</summary>\n\n${mdFence(shown)}\n\n</details>`;
    })
    .join('\n');
}

/** "0.003%" — α shares of early looks are tiny. */
function share(alpha: number): string {
  const pct = alpha * 100;
  return `${pct >= 0.1 ? Number(pct.toFixed(2)) : Number(pct.toPrecision(1))}%`;
}

/** What the design guarantees about false alarms, in one paragraph. */
function falseAlarms(comparison: Comparison): string {
  const p = comparison.policy;
  const level = `${Math.round((1 - 2 * p.alpha) * 1000) / 10}%`;
  if (comparison.mode === 'base' && comparison.looks?.length) {
    const { looks } = comparison;
    const after = looks.length === 1 ? `after round ${looks[0].round}` : `after rounds ${looks.map((l) => l.round).join(', ')}`;
    return (
      `**False alarms:** judged ${after}; α = ${formatPercent(p.alpha)} is spent over the looks by an O'Brien–Fleming-type function (${looks.map((l) => share(l.alpha)).join(', ')}; the last look spends what the earlier ones left), each look a Holm step-down over its gated tests (${comparison.gatedTests} at the first), ` +
      `so the chance of any false alarm over the whole run is at most ${formatPercent(p.alpha)}. A regression also needs the change to reach past the threshold: its estimate at an earlier look, its interval at the last. Intervals are ${level}, paired over interleaved rounds on log ratios, pooled with this machine kind's per-round noise; MDE is the smallest change this run could call a regression.`
    );
  }
  const settled = comparison.settled?.cells.length
    ? ` The cells settled beside the base were judged again at α = ${formatPercent(p.alpha)} of their own (spent over their looks as compare: base spends it, Holm over ${comparison.settled.gatedTests} gated tests), so over both stages the chance of any false alarm is at most ${formatPercent(Math.min(1, 2 * p.alpha))}.`
    : '';
  return (
    `**False alarms:** a regression needs a p-value below ${formatPercent(p.alpha)} after Holm's adjustment over the ${comparison.gatedTests} gated tests of this matrix, so the chance of any false alarm is at most ${formatPercent(p.alpha)} as far as the noise model holds; it also needs its interval to reach past the threshold. ` +
    `Intervals are ${level} on log ratios: the trials' spread pooled with ${comparison.noiseSource ?? "this machine kind's default noise"}, plus the drift between whole runs that no trial spread shows; MDE is the smallest change this run could call a regression.${settled}`
  );
}

function environment(results: Results, comparison: Comparison): string {
  const env = results.environment;
  const lines = [
    `**Environment:** ${md([`${env.cpuModel}, ${env.cores} cores, ${env.os}`, softwareVersions(env).join(', '), `placement: ${env.placement.reason}`].filter(Boolean).join('; '))}.`,
    `**Load:** ${results.load.connections} connections, ${results.load.trials} × ${results.load.durationSec}s after ${results.load.warmupSec}s warm-up.`,
  ];
  const grown = results.topologies.filter((t) => t.placement);
  if (grown.length) lines.push(`**Load generator grown:** ${grown.map((t) => md(`${t.name}: ${t.placement!.reason}`)).join('; ')}.`);
  const p = comparison.policy;
  const t = p.thresholds;
  lines.push(
    `**Thresholds:** req/s −${formatPercent(t.rpsDrop)}, CPU/req +${formatPercent(t.cpuRise)}, p99 +${formatPercent(t.p99Rise)}, failures/s +${t.failuresPerSecRise}; gating on ${p.gate.join(', ')}.`,
  );
  if (comparison.gatedTests > 0) lines.push(falseAlarms(comparison));
  if (comparison.baseSource) lines.push(`**Baseline:** ${mdCode(comparison.baseSource)}.`);
  for (const note of comparisonNotes(comparison, results)) lines.push(`${note.warn ? '⚠️ ' : ''}**${note.label}:** ${md(note.text)}.`);
  return lines.join('\n');
}

/** Cell warnings as a list, or only the first `limit` of them. */
function warnings(results: Results, limit = Infinity): string {
  const all = results.topologies.flatMap((t) => t.warnings.map((w) => `- ${md(t.name)}: ${md(w.message)}`));
  if (!all.length) return '';
  const shown = all.slice(0, limit);
  const more = all.length > shown.length ? [`- … and ${all.length - shown.length} more (see the full report)`] : [];
  return `**Warnings:**\n${[...shown, ...more].join('\n')}`;
}

function howToUpdate(ctx: ReportContext): string {
  return [
    '<details><summary>Updating the baseline</summary>',
    '',
    `The baseline is ${mdCode(ctx.baselinePath)}, a results document kept in the repository. It is rewritten by the action with \`update-baseline: true\` on pushes to the default branch (never on a pull request), or locally:`,
    '',
    mdFence(`npx flask-perf run --config ${ctx.configPath} --out ${ctx.baselinePath}`),
    '',
    '</details>',
  ].join('\n');
}

function resultsTable(comparison: Comparison, results: Results): string {
  const goal = results.topologies.find((t) => t.capacity)?.capacity?.goal;
  const sides = `(${sidesLabel(comparison)})`;
  const capacity = goal
    ? {
        header: [`Capacity req/s at p99 ≤ ${fixed(goal.p99Ms, 0)} ms ${sides}`],
        cell: (c: CellComparison) => [c.capacity ? change(c.capacity, 0, metric(c, 'capacity')) : '—'],
      }
    : { header: [], cell: () => [] };
  return markdownTable(
    [
      [
        'Topology',
        ...capacity.header,
        goal ? `Req/s at capacity ${sides}` : `Req/s ${sides}`,
        'p50 ms',
        'p99 ms',
        'Failures/s',
        'CPU ms / 1k req',
        'Noise',
        'Verdict',
      ],
      ...comparison.cells.map((c) => [
        md(c.name),
        ...capacity.cell(c),
        change(c.rps, 1, metric(c, 'rps')),
        change(c.p50, 1),
        change(c.p99, 1, metric(c, 'p99')),
        change(c.failuresPerSec, 2),
        change(c.cpuMsPer1kRequests, 0, metric(c, 'cpu')),
        noiseText(c),
        verdictCell(c, isSettled(comparison, c.name)),
      ]),
    ],
    { align: ['l', ...capacity.header.map(() => 'r' as const), 'r', 'r', 'r', 'r', 'r', 'l', 'l'] },
  );
}

/** How much of the report to include: the comment leaves out the least important parts first. */
interface Detail {
  readonly endpoints: boolean;
  readonly errors: 'full' | 'first-line' | 'none';
  readonly warnings: number;
  readonly howToUpdate: boolean;
  readonly chart: boolean;
}
const FULL: Detail = { endpoints: true, errors: 'full', warnings: Infinity, howToUpdate: true, chart: true };
const SHORTER: readonly Detail[] = [
  { ...FULL, endpoints: false },
  { ...FULL, endpoints: false, errors: 'first-line' },
  { endpoints: false, errors: 'first-line', warnings: 10, howToUpdate: false, chart: true },
  { endpoints: false, errors: 'none', warnings: 10, howToUpdate: false, chart: false },
];

function recommendation(results: Results): string {
  const line = recommendationLine(results, md);
  return line ? `**Recommendation:** ${line}.` : '';
}

function htmlNote(ctx: ReportContext): string {
  return ctx.htmlReport ? '**Charts:** every topology second by second in `report.html`, beside `report.md` (in the action: the results artifact).' : '';
}

function render(comparison: Comparison, results: Results, ctx: ReportContext, detail: Detail, note: string): string {
  return [
    commentMarker(ctx.configPath),
    `### flask-perf · ${mdCode(ctx.configPath)}: ${headline(comparison)}`,
    '',
    resultsTable(comparison, results),
    '',
    recommendation(results),
    detail.chart ? rpsChart(comparison) : '',
    '',
    failures(comparison, detail.errors),
    detail.endpoints ? endpointDetails(comparison) : '',
    '',
    environment(results, comparison),
    warnings(results, detail.warnings),
    htmlNote(ctx),
    '',
    detail.howToUpdate ? howToUpdate(ctx) : '',
    note,
    '',
  ]
    .filter((part, i, all) => !(part === '' && all[i - 1] === ''))
    .join('\n');
}

/**
 * The whole report: marker, headline, table, details, environment, update instructions (pure).
 * With `limit` (the PR comment), parts are left out, least important first, until it fits, and
 * the report says where the full one is.
 */
export function renderReport(comparison: Comparison, results: Results, ctx: ReportContext, limit = Infinity): string {
  const full = render(comparison, results, ctx, FULL, '');
  if (full.length <= limit) return full;
  const note =
    '_Some details were left out to fit a pull-request comment: the full report is in the job summary and in `report.md` of the results artifact._\n';
  for (const detail of SHORTER) {
    const shorter = render(comparison, results, ctx, detail, note);
    if (shorter.length <= limit) return shorter;
  }
  // Still too long (a wide matrix with long reasons): cut at a line, never inside the marker.
  const last = render(comparison, results, ctx, SHORTER[SHORTER.length - 1], note);
  return `${last.slice(0, last.lastIndexOf('\n', limit - note.length - 2))}\n\n${note}`;
}
