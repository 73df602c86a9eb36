import type { Comparison } from '../compare/types.js';
import type { Results, TopologyResult } from '../results/types.js';
import { mermaidLabel } from './escape.js';

/** One pick of the recommendation: the topology and its figure. */
export interface Pick {
  readonly name: string;
  readonly value: number;
}

/** Which topology to choose, by three measures; null where no cell has the figure. */
export interface Recommendation {
  /** With load.capacity: the highest arrival rate within the goal. */
  readonly mostCapacity: Pick | null;
  readonly mostRps: Pick | null;
  /** Requests per second of server CPU actually used (1,000,000 / CPU ms per 1k requests). */
  readonly mostRpsPerCore: Pick | null;
  readonly lowestP99: Pick | null;
}

function best(cells: readonly TopologyResult[], value: (t: TopologyResult) => number | null, lowest: boolean): Pick | null {
  let pick: Pick | null = null;
  for (const t of cells) {
    const v = value(t);
    if (v === null || !Number.isFinite(v) || v <= 0) continue;
    if (!pick || (lowest ? v < pick.value : v > pick.value)) pick = { name: t.name, value: v };
  }
  return pick;
}

/** The recommendation of a run's successful cells (pure). */
export function recommend(results: Results): Recommendation {
  const ok = results.topologies.filter((t) => t.ok && t.totalRequests > 0);
  return {
    mostCapacity: best(ok, (t) => t.capacity?.rate ?? null, false),
    mostRps: best(ok, (t) => t.rps, false),
    mostRpsPerCore: best(ok, (t) => (t.cpuMsPer1kRequests ? 1e6 / t.cpuMsPer1kRequests : null), false),
    lowestP99: best(ok, (t) => t.latencyMs.p99, true),
  };
}

const whole = (v: number): string => Math.round(v).toLocaleString('en-US');

/**
 * The recommendation as one sentence (pure); `name` writes a topology name for where it goes.
 * Empty when fewer than two cells succeeded: with one there is nothing to choose.
 */
export function recommendationLine(results: Results, name: (s: string) => string): string {
  if (results.topologies.filter((t) => t.ok && t.totalRequests > 0).length < 2) return '';
  const r = recommend(results);
  const parts: string[] = [];
  if (r.mostCapacity) parts.push(`most capacity: ${name(r.mostCapacity.name)} (${whole(r.mostCapacity.value)} req/s within the goal)`);
  if (r.mostRps && !r.mostCapacity) parts.push(`most req/s: ${name(r.mostRps.name)} (${whole(r.mostRps.value)} req/s)`);
  if (r.mostRpsPerCore) parts.push(`most req/s per server core: ${name(r.mostRpsPerCore.name)} (${whole(r.mostRpsPerCore.value)} req/s per busy core)`);
  if (r.lowestP99) parts.push(`lowest p99: ${name(r.lowestP99.name)} (${r.lowestP99.value.toFixed(1)} ms)`);
  return parts.join(' · ');
}

/** What the chart's bars and line are; settled cells show the run beside the base (pure). */
function chartSides(comparison: Comparison): string {
  if (comparison.mode === 'base') return 'bars: head, line: base';
  return `bars: now, line: baseline${comparison.settled?.cells.length ? '; settled cells: head and base beside it' : ''}`;
}

/**
 * req/s per topology as a mermaid xychart (GitHub draws it): bars for the head, a line for the
 * base when there is one (pure). Names pass through mermaidLabel(); figures are numbers.
 */
export function rpsChart(comparison: Comparison): string {
  // With capacity searches, capacity is the figure each topology is about.
  const capacity = comparison.cells.some((c) => c.capacity);
  const figure = (c: (typeof comparison.cells)[number]) => (capacity ? (c.capacity ?? { base: null, head: null }) : c.rps);
  const cells = comparison.cells.filter((c) => figure(c).head !== null || figure(c).base !== null);
  if (cells.length === 0) return '';
  const values = (side: 'base' | 'head'): string => `[${cells.map((c) => Math.round(figure(c)[side] ?? 0)).join(', ')}]`;
  const withBase = comparison.hasBase && cells.some((c) => figure(c).base !== null);
  const top = Math.max(1, ...cells.flatMap((c) => [figure(c).base ?? 0, figure(c).head ?? 0]));
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${capacity ? 'capacity' : 'req/s'} per topology${withBase ? ` (${chartSides(comparison)})` : ''}"`,
    `  x-axis [${cells.map((c) => mermaidLabel(c.name)).join(', ')}]`,
    `  y-axis "req/s" 0 --> ${Math.ceil((top * 1.1) / 10) * 10}`,
    `  bar ${values('head')}`,
  ];
  if (withBase) lines.push(`  line ${values('base')}`);
  lines.push('```');
  return lines.join('\n');
}
