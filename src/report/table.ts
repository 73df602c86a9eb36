import { markdownTable } from 'markdown-table';
import type { Results, TopologyResult } from '../results/types.js';
import { md } from './escape.js';
import { fixed } from './format.js';

function row(t: TopologyResult): string[] {
  if (!t.ok) return [md(t.name), 'failed', '—', '—', '—', '—', '—'];
  return [
    md(t.name),
    t.totalRequests.toLocaleString('en-US'),
    fixed(t.rps, 1),
    fixed(t.failuresPerSec, 2),
    fixed(t.latencyMs.p50, 1),
    fixed(t.latencyMs.p99, 1),
    fixed(t.cpuMsPer1kRequests, 0),
  ];
}

/** The seed study's table, plus p50, p99 and CPU per 1k requests, as markdown (pure). */
export function resultsTable(results: Results): string {
  return markdownTable(
    [['Topology', 'Total requests', 'Requests/sec', 'Failures/sec', 'p50 ms', 'p99 ms', 'CPU ms / 1k req'], ...results.topologies.map(row)],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'] },
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
