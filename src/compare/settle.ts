/**
 * Settling a stored-baseline comparison: the cells the baseline leaves inconclusive — a change that
 * the drift between runs, or between machines, could explain — are measured again beside the PR's
 * base commit in the same job, by turns, and judged as compare: base judges. The drift between
 * jobs and machines is what makes a stored baseline weak on a −20% change (docs/statistics.md);
 * measured by turns it divides out.
 */
import type { CompareConfig } from '../config/types.js';
import type { Results, SettleResults } from '../results/types.js';
import { pairedJudging } from './noise.js';
import { comparePaired } from './paired.js';
import type { Comparison, Policy } from './types.js';

/** The cells a stored comparison leaves for measuring beside the base (pure): its inconclusive ones. */
export function cellsToSettle(stored: Comparison): string[] {
  if (stored.mode !== 'baseline' || !stored.hasBase) return [];
  return stored.cells.filter((c) => c.verdict === 'inconclusive').map((c) => c.name);
}

/**
 * The stored comparison with its inconclusive cells judged on the settling run instead (pure).
 * The settling run's looks spend α of their own: over both stages the chance of a false alarm is
 * at most twice α (the report says so). Only the cells the stored comparison left inconclusive are
 * taken from the run, so a results directory cannot settle a cell the baseline decided.
 */
export function settleComparison(stored: Comparison, settle: SettleResults, compare: CompareConfig, policy: Policy): Comparison {
  // A settling run measures both sides of every cell it settles (a failed side is a result): a
  // cell missing from either side was not settled, and keeps its stored verdict.
  const on = (r: Results): Set<string> => new Set(r.topologies.map((t) => t.name));
  const [head, base] = [on(settle.head), on(settle.base)];
  const measured = cellsToSettle(stored).filter((n) => head.has(n) && base.has(n));
  if (measured.length === 0) return stored;
  const paired = comparePaired(settle.base.topologies, settle.head.topologies, policy, {
    ...pairedJudging(compare, policy.alpha),
    final: true,
    expected: measured,
  });
  const byName = new Map(paired.cells.map((c) => [c.name, c]));
  return {
    ...stored,
    cells: stored.cells.map((c) => byName.get(c.name) ?? c),
    settled: { cells: measured, looks: paired.looks ?? [], gatedTests: paired.gatedTests },
  };
}
