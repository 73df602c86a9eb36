import { markdownTable } from 'markdown-table';
import { cellsWith, signedPercent, type CellComparison, type Comparison, type Delta, type Verdict } from '../compare/compare.js';
import type { MetricVerdict } from '../compare/verdict.js';
import { formatPercent } from '../config/percent.js';
import type { Results } from '../results/types.js';

/** What the report says about where it comes from. */
export interface ReportContext {
  /** Config path, shown and used in the hidden marker (one comment per config). */
  readonly configPath: string;
  /** Baseline path in the repository, for the update instructions. */
  readonly baselinePath: string;
}

/** Hidden marker that identifies this action's comment for a config. */
export function commentMarker(configPath: string): string {
  return `<!-- flask-perf-action config=${configPath.replace(/--+>/g, '')} -->`;
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

function num(value: number | null, digits: number): string {
  return value === null ? '—' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function interval(m: MetricVerdict | undefined): string {
  if (!m || !Number.isFinite(m.interval.high) || m.interval.low <= 0) return '';
  return ` [${signedPercent(m.interval.low - 1)}, ${signedPercent(m.interval.high - 1)}]`;
}

/** "473.7 → 380.1 (−19.8% [−24.0%, −15.1%])", or just the value when there is no baseline. */
function change(d: Delta, digits: number, m?: MetricVerdict): string {
  if (d.baseline === null) return num(d.now, digits);
  if (d.now === null) return `${num(d.baseline, digits)} → —`;
  // With statistics the estimate is the geometric mean of ratios, shown with its interval.
  const estimate = m && Number.isFinite(m.interval.ratio) ? m.interval.ratio - 1 : d.change;
  return `${num(d.baseline, digits)} → ${num(d.now, digits)}${estimate === null ? '' : ` (${signedPercent(estimate)}${interval(m)})`}`;
}

/** "n=5 · CV 3.1% · MDE 10%": samples, observed noise of req/s, smallest detectable change. */
function noise(c: CellComparison): string {
  const rps = c.metrics.find((m) => m.metric === 'rps');
  if (!rps) return '—';
  const mde = Number.isFinite(rps.minDetectable) ? `${Math.round(rps.minDetectable * 100)}%` : '∞';
  return `n=${c.samples} · CV ${(rps.cv * 100).toFixed(1)}% · MDE ${mde}`;
}

function metric(c: CellComparison, name: MetricVerdict['metric']): MetricVerdict | undefined {
  return c.metrics.find((m) => m.metric === name);
}

function verdictCell(c: CellComparison): string {
  return c.reasons.length && c.verdict !== 'new' ? `${ICON[c.verdict]}: ${c.reasons.join('; ')}` : ICON[c.verdict];
}

/** The first line: no regression / N regressions / N cells failed / N inconclusive (pure). */
export function headline(comparison: Comparison): string {
  const list = (cells: CellComparison[], one: string, many: string): string =>
    `${cells.length} ${cells.length > 1 ? many : one} (${cells.map((c) => c.name).join(', ')})`;
  const regressed = cellsWith(comparison, 'regressed');
  const failed = cellsWith(comparison, 'failed');
  const inconclusive = cellsWith(comparison, 'inconclusive');
  const parts: string[] = [];
  if (regressed.length) parts.push(list(regressed, 'regression', 'regressions'));
  if (failed.length) parts.push(list(failed, 'cell failed', 'cells failed'));
  if (inconclusive.length) parts.push(list(inconclusive, 'inconclusive', 'inconclusive'));
  const cross = comparison.hardwareNote ? ' (cross-hardware)' : '';
  if (regressed.length || failed.length) return `❌ ${parts.join(', ')}${cross}`;
  if (inconclusive.length) return `❔ no regression found; ${parts.join(', ')}${cross}`;
  if (!comparison.baselineFound) return '🆕 no baseline yet — these numbers become the reference once a baseline is recorded';
  const improved = cellsWith(comparison, 'improved');
  return `✅ no regression${improved.length ? `; ${improved.length} improved (${improved.map((c) => c.name).join(', ')})` : ''}${cross}`;
}

/** One line for logs and the `summary` output (pure). */
export function summaryLine(comparison: Comparison): string {
  const detail = cellsWith(comparison, 'regressed')
    .map((c) => `${c.name} ${c.reasons.join(', ')}`)
    .join('; ');
  const text = headline(comparison).replace(/^\S+ /, '');
  return `flask-perf: ${text}${detail ? ` — ${detail}` : ''}`;
}

function endpointDetails(comparison: Comparison): string {
  const sections = comparison.cells
    .filter((c) => c.endpoints.length > 0)
    .map((c) => {
      const table = markdownTable(
        [
          ['Endpoint', 'Req/s', 'p99 ms', 'Failures/s'],
          ...c.endpoints.map((e) => [`\`${e.method} ${e.path}\``, change(e.rps, 1), change(e.p99, 1), change(e.failuresPerSec, 2)]),
        ],
        { align: ['l', 'r', 'r', 'r'] },
      );
      return `**${c.name}**\n\n${table}`;
    });
  return sections.length ? `<details><summary>Per endpoint</summary>\n\n${sections.join('\n\n')}\n\n</details>` : '';
}

function failures(comparison: Comparison): string {
  const failed = cellsWith(comparison, 'failed');
  if (!failed.length) return '';
  return failed.map((c) => `<details><summary>💥 ${c.name} failed</summary>\n\n\`\`\`\n${c.error ?? ''}\n\`\`\`\n\n</details>`).join('\n');
}

function environment(results: Results, comparison: Comparison): string {
  const env = results.environment;
  const lines = [
    `**Environment:** ${env.cpuModel}, ${env.cores} cores, ${env.os}; Python ${env.python ?? '?'}, Flask ${env.flask ?? '?'}, gunicorn ${env.gunicorn ?? '?'}; placement: ${env.placement.reason}.`,
    `**Load:** ${results.load.connections} connections, ${results.load.trials} × ${results.load.durationSec}s after ${results.load.warmupSec}s warm-up.`,
  ];
  const p = comparison.policy;
  const t = p.thresholds;
  lines.push(
    `**Thresholds:** req/s −${formatPercent(t.rpsDrop)}, CPU/req +${formatPercent(t.cpuRise)}, p99 +${formatPercent(t.p99Rise)}, failures/s +${t.failuresPerSecRise}; gating on ${p.gate.join(', ')}.`,
  );
  if (comparison.gatedTests > 0) {
    const analyses = comparison.analyses ?? 1;
    const bound =
      analyses > 1
        ? `so the chance of any false alarm is at most ${formatPercent(p.alpha)} at each of this run's ${analyses} analyses (cells still inconclusive were measured and judged again after each extra round): at most ${formatPercent(Math.min(1, analyses * p.alpha))} over the run by the union bound, less in practice, as the analyses share their rounds`
        : `so the chance of any false alarm is at most ${formatPercent(p.alpha)} (expected false alarms ≤ ${p.alpha.toFixed(2)} per run)`;
    lines.push(
      `**False alarms:** a regression needs its estimate past the threshold and a p-value below ${formatPercent(p.alpha)} after Holm's adjustment over the ${comparison.gatedTests} gated tests of this matrix, ${bound}. Intervals are ${Math.round((1 - 2 * p.alpha) * 100)}% (${comparison.mode === 'base' ? 'paired over interleaved rounds' : "Welch's, over trials"}, on log ratios); MDE is the smallest change this run could call a regression.`,
    );
  }
  if (comparison.baselineSource) lines.push(`**Baseline:** \`${comparison.baselineSource}\`.`);
  const calibrated = comparison.cells.filter((c) => c.calibration);
  if (comparison.hardwareNote && calibrated.length) {
    lines.push(
      `**Calibration:** this machine ran the reference app at ${calibrated.map((c) => `×${c.calibration!.rps.toFixed(2)} req/s under ${c.name}`).join(', ')} of the baseline's; those cells' req/s and CPU are divided by it before comparing.`,
    );
  }
  if (comparison.hardwareNote) lines.push(`⚠️ **cross-hardware:** ${comparison.hardwareNote}; differences may come from the machine, not the code${comparison.policy.failCrossHardware ? '' : ', so they do not fail the step'}.`);
  const warnings = results.topologies.flatMap((t) => t.warnings.map((w) => `- ${t.name}: ${w.message}`));
  if (warnings.length) lines.push(`**Warnings:**\n${warnings.join('\n')}`);
  return lines.join('\n');
}

function howToUpdate(ctx: ReportContext): string {
  return [
    '<details><summary>Updating the baseline</summary>',
    '',
    `The baseline is \`${ctx.baselinePath}\`, a results document kept in the repository. It is rewritten by the action with \`update-baseline: true\` on pushes to the default branch (never on a pull request), or locally:`,
    '',
    '```sh',
    `npx flask-perf run --config ${ctx.configPath} --out ${ctx.baselinePath}`,
    '```',
    '',
    '</details>',
  ].join('\n');
}

/** The whole report: marker, headline, table, details, environment, update instructions (pure). */
export function renderReport(comparison: Comparison, results: Results, ctx: ReportContext): string {
  const table = markdownTable(
    [
      [
        'Topology',
        comparison.mode === 'base' ? 'Req/s (base → head)' : 'Req/s (baseline → now)',
        'p50 ms',
        'p99 ms',
        'Failures/s',
        'CPU ms / 1k req',
        'Noise',
        'Verdict',
      ],
      ...comparison.cells.map((c) => [
        c.name,
        change(c.rps, 1, metric(c, 'rps')),
        change(c.p50, 1),
        change(c.p99, 1, metric(c, 'p99')),
        change(c.failuresPerSec, 2),
        change(c.cpuMsPer1kRequests, 0, metric(c, 'cpu')),
        noise(c),
        verdictCell(c),
      ]),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'] },
  );
  return [
    commentMarker(ctx.configPath),
    `### flask-perf · \`${ctx.configPath}\`: ${headline(comparison)}`,
    '',
    table,
    '',
    failures(comparison),
    endpointDetails(comparison),
    '',
    environment(results, comparison),
    '',
    howToUpdate(ctx),
    '',
  ]
    .filter((part, i, all) => !(part === '' && all[i - 1] === ''))
    .join('\n');
}
