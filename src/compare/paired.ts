import { judgeCells, judgedTopologies } from './cells.js';
import { TRIAL_METRICS, positiveValue, type MetricName } from './metrics.js';
import { capacityNoise, capacityValue } from './noise.js';
import { lookAlpha, type LookPlan } from './sequential.js';
import type { CellComparison, CellInput, Comparison, Policy } from './types.js';
import type { MetricSamples } from './verdict.js';
import type { TopologyResult, TrialResult } from '../results/types.js';
import type { NoisePrior } from '../stats/inference.js';

/** Paired samples of a metric: trial i of each side is round i; rounds missing a value are skipped. */
export function pairedSamples(base: readonly TrialResult[], head: readonly TrialResult[], metric: MetricName, prior?: NoisePrior): MetricSamples {
  const b: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < Math.min(base.length, head.length); i++) {
    const vb = positiveValue(base[i], metric);
    const vh = positiveValue(head[i], metric);
    if (vb !== null && vh !== null) {
      b.push(vb);
      h.push(vh);
    }
  }
  return { kind: 'paired', base: b, head: h, prior };
}

/** How a paired (compare: base) run is judged: its looks, and what is known of per-round noise. */
export interface PairedJudging {
  readonly plan: LookPlan;
  /** The data holds the last look (the run is over): it spends what α is left. */
  readonly final: boolean;
  /** The topologies to judge (the trusted config's); default: both sides'. */
  readonly expected?: readonly string[];
  /** Per-round noise known beforehand, per metric. */
  readonly priors?: Partial<Record<MetricName, NoisePrior>>;
}

// A capacity cell is one search a side: one round.
const rounds = (t: TopologyResult | undefined): number => (t?.capacity ? 1 : (t?.trials.length ?? 0));

function cellAt(
  name: string,
  base: TopologyResult | undefined,
  head: TopologyResult | undefined,
  round: number,
  priors: PairedJudging['priors'],
  missingReason: string,
): CellInput {
  const cut = (t: TopologyResult | undefined): TopologyResult | undefined => (t ? { ...t, trials: t.trials.slice(0, round) } : t);
  const b = cut(base);
  const h = cut(head);
  const samples: Partial<Record<MetricName, MetricSamples>> = {};
  if (b?.capacity || h?.capacity) {
    // Capacity searches by turns in one job: one result a side, judged under the search's own noise.
    const cb = b ? capacityValue(b) : null;
    const ch = h ? capacityValue(h) : null;
    if (cb && ch)
      samples.capacity = {
        kind: 'unpaired',
        base: [b!.capacity!.rate],
        head: [h!.capacity!.rate],
        prior: capacityNoise({ normalized: false, paired: true, crossHardware: false }).prior,
      };
    return { name, base, head, samples, sampleCount: cb && ch ? 1 : 0, missingReason, sameJob: true };
  }
  if (b && h) for (const { name: metric } of TRIAL_METRICS) samples[metric] = pairedSamples(b.trials, h.trials, metric, priors?.[metric]);
  return { name, base, head, samples, sampleCount: Math.min(rounds(b), rounds(h)), missingReason, sameJob: true };
}

/**
 * Verdicts of a paired run (compare: base; pure), look by look as `compare: base` made them: both sides list one
 * trial per round, in round order. At the look after round r, the cells not yet decided and
 * measured r rounds are judged on their first r rounds, at that look's share of α (spent by
 * sequential.ts's design, Holm over the look's gated tests); a cell keeps the verdict of the look
 * that decided it. The runner and the report job reach the same verdicts from the same data.
 */
export function comparePaired(base: readonly TopologyResult[], head: readonly TopologyResult[], policy: Policy, judging: PairedJudging): Comparison {
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
  const { plan } = judging;
  const judgeAt = (names: readonly string[], round: number, alpha: number, final: boolean): void => {
    looks.push({ round, alpha });
    const outcome = judgeCells(
      names.map((n) => cellAt(n, byName(base, n), byName(head, n), round, judging.priors, judged.missingReason)),
      policy,
      alpha,
      final,
    );
    if (looks.length === 1) gatedTests = outcome.gatedTests;
    for (const cell of outcome.cells) {
      latest.set(cell.name, cell);
      if (cell.verdict !== 'inconclusive' || final) decided.set(cell.name, cell);
    }
  };
  for (let round = firstLook; round <= Math.max(firstLook, lastRound); round++) {
    const last = judging.final && round >= lastRound;
    const active = judged.names.filter((n) => !decided.has(n) && (measured(n) >= round || last));
    if (active.length === 0) break;
    // The last look spends all the α earlier looks left; a run cut short before its first planned
    // look has one look, with all of α. No more data will come after the last: it is final.
    const share = round < plan.firstRound ? plan.alpha : lookAlpha(plan, round, last);
    judgeAt(active, round, share, last);
  }
  // A cell no look reached (a side failed before the first look) is judged on what it has.
  const cells = judged.names.map(
    (n) =>
      decided.get(n) ??
      latest.get(n) ??
      judgeCells([cellAt(n, byName(base, n), byName(head, n), lastRound, judging.priors, judged.missingReason)], policy, 0).cells[0],
  );
  return {
    mode: 'base',
    looks,
    hasBase: true,
    baseSource: 'the PR base, measured in this job',
    hardwareNote: null,
    policy,
    cells,
    gatedTests,
    ignored: judged.ignored,
  };
}
