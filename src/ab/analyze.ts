import { judgeCells, judgedTopologies, type CellInput, type Comparison, type Policy } from '../compare/compare.js';
import { METRICS, type MetricName, type MetricSamples } from '../compare/verdict.js';
import type { TopologyResult, TrialResult } from '../results/types.js';

function value(t: TrialResult, metric: MetricName): number | null {
  const v = metric === 'rps' ? t.rps : metric === 'cpu' ? t.cpuMsPer1kRequests : t.latencyMs.p99;
  return typeof v === 'number' && v > 0 ? v : null;
}

/** Paired samples of a metric: trial i of each side is round i; rounds missing a value are skipped. */
export function pairedSamples(base: readonly TrialResult[], head: readonly TrialResult[], metric: MetricName): MetricSamples {
  const b: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < Math.min(base.length, head.length); i++) {
    const vb = value(base[i], metric);
    const vh = value(head[i], metric);
    if (vb !== null && vh !== null) {
      b.push(vb);
      h.push(vh);
    }
  }
  return { kind: 'paired', base: b, head: h };
}

/**
 * Verdicts of an A/B run (pure): both sides' results list one trial per round, in round order;
 * per cell, the per-round head/base ratios; Holm across the matrix. `firstRounds` (compare.rounds)
 * tells how many analyses a run of this length made.
 */
export function compareAb(base: readonly TopologyResult[], head: readonly TopologyResult[], policy: Policy, firstRounds?: number, expected?: readonly string[]): Comparison {
  const judged = judgedTopologies(
    head.map((t) => t.name),
    base.map((t) => t.name),
    expected,
  );
  const inputs: CellInput[] = judged.names.map((name) => {
    const before = base.find((b) => b.name === name);
    const now = head.find((h) => h.name === name);
    const samples: Partial<Record<MetricName, MetricSamples>> = {};
    if (before && now) for (const metric of METRICS) samples[metric] = pairedSamples(before.trials, now.trials, metric);
    return { name, before, now, samples, sampleCount: Math.min(before?.trials.length ?? 0, now?.trials.length ?? 0), missingReason: judged.missingReason };
  });
  const { cells, gatedTests } = judgeCells(inputs, policy);
  const rounds = Math.max(0, ...inputs.map((c) => c.sampleCount));
  const analyses = firstRounds === undefined ? 1 : Math.max(1, rounds - firstRounds + 1);
  return { mode: 'base', analyses, baselineFound: true, baselineSource: 'the PR base, measured in this job', hardwareNote: null, policy, cells, gatedTests, ignored: judged.ignored };
}
