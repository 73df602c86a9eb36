import { markdownTable } from 'markdown-table';
import { cellsWith, signedPercent, type CellComparison, type Comparison, type Delta, type Verdict } from '../compare/compare.js';
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
  improved: '🚀 improved',
  unchanged: '✅ unchanged',
  new: '🆕 new',
  missing: '➖ missing',
  failed: '💥 failed',
};

function num(value: number | null, digits: number): string {
  return value === null ? '—' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "473.7 → 380.1 (−19.8%)", or just the value when there is no baseline. */
function change(d: Delta, digits: number): string {
  if (d.baseline === null) return num(d.now, digits);
  if (d.now === null) return `${num(d.baseline, digits)} → —`;
  return `${num(d.baseline, digits)} → ${num(d.now, digits)}${d.change === null ? '' : ` (${signedPercent(d.change)})`}`;
}

function verdictCell(c: CellComparison): string {
  return c.reasons.length && c.verdict !== 'new' ? `${ICON[c.verdict]}: ${c.reasons.join('; ')}` : ICON[c.verdict];
}

/** The first line: no regression / N regressions / N cells failed (pure). */
export function headline(comparison: Comparison): string {
  const regressed = cellsWith(comparison, 'regressed');
  const failed = cellsWith(comparison, 'failed');
  const parts: string[] = [];
  if (regressed.length) parts.push(`${regressed.length} regression${regressed.length > 1 ? 's' : ''} (${regressed.map((c) => c.name).join(', ')})`);
  if (failed.length) parts.push(`${failed.length} cell${failed.length > 1 ? 's' : ''} failed (${failed.map((c) => c.name).join(', ')})`);
  if (parts.length) return `❌ ${parts.join(', ')}`;
  if (!comparison.baselineFound) return '🆕 no baseline yet — these numbers become the reference once a baseline is recorded';
  const improved = cellsWith(comparison, 'improved');
  return `✅ no regression${improved.length ? `; ${improved.length} improved (${improved.map((c) => c.name).join(', ')})` : ''}`;
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
  const t = comparison.thresholds;
  lines.push(`**Thresholds:** req/s −${formatPercent(t.rpsDrop)}, p99 +${formatPercent(t.p99Rise)}, failures/s +${t.failuresPerSecRise}.`);
  if (comparison.baselineSource) lines.push(`**Baseline:** \`${comparison.baselineSource}\`.`);
  if (comparison.hardwareNote) lines.push(`⚠️ ${comparison.hardwareNote}; differences may come from the machine, not the code.`);
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
      ['Topology', 'Req/s (baseline → now)', 'p50 ms', 'p99 ms', 'Failures/s', 'CPU ms / 1k req', 'Verdict'],
      ...comparison.cells.map((c) => [
        c.name,
        change(c.rps, 1),
        change(c.p50, 1),
        change(c.p99, 1),
        change(c.failuresPerSec, 2),
        change(c.cpuMsPer1kRequests, 0),
        verdictCell(c),
      ]),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'l'] },
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
