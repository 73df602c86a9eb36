import { judgeCells, judgedTopologies, type CellComparison, type CellInput, type Comparison, type Policy } from '../compare/compare.js';
import { lookAlpha, type LookPlan } from '../compare/sequential.js';
import { METRICS, type MetricName, type MetricSamples } from '../compare/verdict.js';
import type { TopologyResult, TrialResult } from '../results/types.js';
import type { NoisePrior } from '../stats/inference.js';

function value(t: TrialResult, metric: MetricName): number | null {
  const v = metric === 'rps' ? t.rps : metric === 'cpu' ? t.cpuMsPer1kRequests : t.latencyMs.p99;
  return typeof v === 'number' && v > 0 ? v : null;
}

/** Paired samples of a metric: trial i of each side is round i; rounds missing a value are skipped. */
export function pairedSamples(base: readonly TrialResult[], head: readonly TrialResult[], metric: MetricName, prior?: NoisePrior): MetricSamples {
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
  return { kind: 'paired', base: b, head: h, prior };
}

/** How an A/B run is judged: its looks, and what is known of per-round noise. */
export interface AbJudging {
  readonly plan: LookPlan;
  /** The data holds the last look (the run is over): it spends what α is left. */
  readonly final: boolean;
  /** The topologies to judge (the trusted config's); default: both sides'. */
  readonly expected?: readonly string[];
  /** Per-round noise known beforehand, per metric. */
  readonly priors?: Partial<Record<MetricName, NoisePrior>>;
}

const rounds = (t: TopologyResult | undefined): number => t?.trials.length ?? 0;

function cellAt(name: string, before: TopologyResult | undefined, now: TopologyResult | undefined, round: number, priors: AbJudging['priors'], missingReason: string): CellInput {
  const cut = (t: TopologyResult | undefined): TopologyResult | undefined => (t ? { ...t, trials: t.trials.slice(0, round) } : t);
  const b = cut(before);
  const h = cut(now);
  const samples: Partial<Record<MetricName, MetricSamples>> = {};
  if (b && h) for (const metric of METRICS) samples[metric] = pairedSamples(b.trials, h.trials, metric, priors?.[metric]);
  return { name, before, now, samples, sampleCount: Math.min(rounds(b), rounds(h)), missingReason };
}

/**
 * Verdicts of an A/B run (pure), look by look as `compare: base` made them: both sides list one
 * trial per round, in round order. At the look after round r, the cells not yet decided and
 * measured r rounds are judged on their first r rounds, at that look's share of α (spent by
 * sequential.ts's design, Holm over the look's gated tests); a cell keeps the verdict of the look
 * that decided it. The runner and the report job reach the same verdicts from the same data.
 */
export function compareAb(base: readonly TopologyResult[], head: readonly TopologyResult[], policy: Policy, judging: AbJudging): Comparison {
  const judged = judgedTopologies(
    head.map((t) => t.name),
    base.map((t) => t.name),
    judging.expected,
  );
  const byName = (list: readonly TopologyResult[], name: string): TopologyResult | undefined => list.find((t) => t.name === name);
  const measured = (name: string): number => Math.min(rounds(byName(base, name)), rounds(byName(head, name)));
  const lastRound = Math.max(0, ...judged.names.map(measured));
  const firstLook = Math.min(judging.plan.firstRound, Math.max(1, lastRound));
  const decided = new Map<string, CellComparison>();
  const latest = new Map<string, CellComparison>();
  const looks: { round: number; alpha: number }[] = [];
  let gatedTests = 0;
  for (let round = firstLook; round <= Math.max(firstLook, lastRound); round++) {
    const final = judging.final && round >= lastRound;
    const active = judged.names.filter((n) => !decided.has(n) && (measured(n) >= round || final));
    if (active.length === 0) break;
    const alpha = final && round < judging.plan.firstRound ? judging.plan.alpha : lookAlpha(judging.plan, round, final);
    looks.push({ round, alpha });
    const inputs = active.map((n) => cellAt(n, byName(base, n), byName(head, n), round, judging.priors, judged.missingReason));
    const outcome = judgeCells(inputs, policy, alpha);
    if (looks.length === 1) gatedTests = outcome.gatedTests;
    for (const cell of outcome.cells) {
      latest.set(cell.name, cell);
      if (cell.verdict !== 'inconclusive' || final) decided.set(cell.name, cell);
    }
  }
  // A cell no look reached (a side failed before the first look) is judged on what it has.
  const cells = judged.names.map((n) => decided.get(n) ?? latest.get(n) ?? judgeCells([cellAt(n, byName(base, n), byName(head, n), lastRound, judging.priors, judged.missingReason)], policy, 0).cells[0]);
  return {
    mode: 'base',
    analyses: looks.length,
    looks,
    baselineFound: true,
    baselineSource: 'the PR base, measured in this job',
    hardwareNote: null,
    policy,
    cells,
    gatedTests,
    ignored: judged.ignored,
  };
}
