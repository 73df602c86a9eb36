import { markdownTable } from 'markdown-table';
import type { Results, TopologyResult } from '../results/types.js';
import { md } from './escape.js';
import { fixed } from './format.js';

/** "1,240 req/s", or what the search says when it found no bracket. */
function capacityText(t: TopologyResult): string {
  const c = t.capacity;
  if (!c) return '—';
  const rate = Math.round(c.rate).toLocaleString('en-US');
  return c.end === 'bracketed' ? rate : c.end === 'below-minimum' ? 'none' : `≥ ${rate}`;
}

function row(t: TopologyResult, withCapacity: boolean): string[] {
  if (!t.ok) return [md(t.name), ...(withCapacity ? ['—'] : []), 'failed', '—', '—', '—', '—', '—'];
  return [
    md(t.name),
    ...(withCapacity ? [capacityText(t)] : []),
    t.totalRequests.toLocaleString('en-US'),
    fixed(t.rps, 1),
    fixed(t.failuresPerSec, 2),
    fixed(t.latencyMs.p50, 1),
    fixed(t.latencyMs.p99, 1),
    fixed(t.cpuMsPer1kRequests, 0),
  ];
}

/**
 * The seed study's table, plus p50, p99 and CPU per 1k requests, as markdown (pure). With a
 * capacity search, its result leads, and the other numbers are those at that rate.
 */
export function resultsTable(results: Results): string {
  const goal = results.topologies.find((t) => t.capacity)?.capacity?.goal;
  const capacity = goal ? [`Capacity req/s (p99 ≤ ${fixed(goal.p99Ms, 0)} ms)`] : [];
  return markdownTable(
    [
      ['Topology', ...capacity, 'Total requests', 'Requests/sec', 'Failures/sec', 'p50 ms', 'p99 ms', 'CPU ms / 1k req'],
      ...results.topologies.map((t) => row(t, goal !== undefined)),
    ],
    { align: ['l', ...capacity.map(() => 'r' as const), 'r', 'r', 'r', 'r', 'r', 'r'] },
  );
}

/** Failed cells with their reasons, and warnings, as markdown lines (pure). */
export function resultsNotes(results: Results): string {
  const lines: string[] = [];
  for (const t of results.topologies) {
    if (!t.ok) lines.push(`- **${md(t.name)} failed**: ${(t.error ?? '').split('\n').map(md).join('\n  ')}`);
    for (const w of t.warnings) lines.push(`- ${md(t.name)}: ${md(w.message)}`);
  }
  return lines.join('\n');
}
