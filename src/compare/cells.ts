import { formatPercent } from '../config/percent.js';
import type { CompareConfig } from '../config/types.js';
import type { Fingerprint, TopologyResult } from '../results/types.js';
import { METRICS, metricOf } from './metrics.js';
import { describeMetric } from './text.js';
import type { Thresholds } from './thresholds.js';
import type { CellComparison, CellInput, Comparison, Delta, EndpointComparison, Policy, Verdict } from './types.js';
import { judgeFamily, settleAdvice, type MetricTest, type MetricVerdict } from './verdict.js';

/** The policy from the config's thresholds and compare section. */
export function policyFrom(thresholds: Thresholds, compare: CompareConfig): Policy {
  return { thresholds, gate: compare.gate, alpha: compare.alpha, failOnInconclusive: compare.failOnInconclusive };
}

/** One delta (pure). */
export function delta(base: number | null | undefined, head: number | null | undefined): Delta {
  const b = base ?? null;
  const h = head ?? null;
  return { base: b, head: h, change: b !== null && h !== null && b !== 0 ? h / b - 1 : null };
}

/** Says when two fingerprints are different hardware; null when the same CPU model, core count and placement. */
export function hardwareDifference(base: Fingerprint | undefined, head: Fingerprint): string | null {
  if (!base) return 'the baseline records no environment';
  const parts: string[] = [];
  if (base.cpuModel !== head.cpuModel) parts.push(`CPU ${base.cpuModel} → ${head.cpuModel}`);
  // The same name, another generation (a hypervisor's generic model string); unknown on either side: not told apart.
  else if (base.cpuId && head.cpuId && base.cpuId !== head.cpuId) parts.push(`CPU ${head.cpuModel}: ${base.cpuId} → ${head.cpuId}`);
  if (base.cores !== head.cores) parts.push(`${base.cores} → ${head.cores} cores`);
  if (base.placement?.pinned !== head.placement.pinned)
    parts.push(`placement ${base.placement?.pinned ? 'pinned' : 'shared'} → ${head.placement.pinned ? 'pinned' : 'shared'}`);
  return parts.length ? `baseline recorded on different hardware: ${parts.join(', ')}` : null;
}

/** Load generator processes and server CPUs a cell ran with: its own placement, else its run's. */
function cellPlacementOf(t: TopologyResult, env: Fingerprint | undefined): { generators: number; serverCpus: string | null } {
  return {
    generators: t.placement?.generators ?? env?.placement?.generators ?? 1,
    serverCpus: t.placement?.serverCpus ?? env?.placement?.serverCpus ?? null,
  };
}

/**
 * Says how a cell's placement differs between base and head when the load generator grew on one
 * side only (load.generators: auto): its servers had other cores, so it is compared as across
 * hardware. Null when the same (pure).
 */
export function cellPlacementDifference(base: TopologyResult, head: TopologyResult, baseEnv: Fingerprint | undefined, headEnv: Fingerprint): string | null {
  const b = cellPlacementOf(base, baseEnv);
  const h = cellPlacementOf(head, headEnv);
  if (b.generators === h.generators && b.serverCpus === h.serverCpus) return null;
  return `${head.name}: load generator processes ${b.generators} → ${h.generators}, server CPUs ${b.serverCpus ?? 'all'} → ${h.serverCpus ?? 'all'}`;
}

function compareEndpoints(base: TopologyResult | undefined, head: TopologyResult | undefined): EndpointComparison[] {
  const key = (e: { method: string; path: string }): string => `${e.method} ${e.path}`;
  const baseByKey = new Map((base?.endpoints ?? []).map((e) => [key(e), e]));
  const headByKey = new Map((head?.endpoints ?? []).map((e) => [key(e), e]));
  const keys = [...new Set([...headByKey.keys(), ...baseByKey.keys()])];
  return keys.map((k) => {
    const b = baseByKey.get(k);
    const h = headByKey.get(k);
    const [method, ...rest] = k.split(' ');
    return {
      method,
      path: rest.join(' '),
      rps: delta(b?.rps, h?.rps),
      p99: delta(b?.latencyMs.p99, h?.latencyMs.p99),
      failuresPerSec: delta(b?.failuresPerSec, h?.failuresPerSec),
    };
  });
}

/** A cell's error in one line (pure): its first, with the last line of output it quotes, which is most often the cause. */
export function errorSummary(error: string | null): string {
  const lines = (error ?? 'failed').split('\n');
  const last = lines
    .slice(1)
    .reverse()
    .find((l) => l.trim());
  return last && lines[0].endsWith('last output:') ? `${lines[0]} ${last.trim()}` : lines[0];
}

function cellVerdict(input: CellInput, metrics: readonly MetricVerdict[], policy: Policy): { verdict: Verdict; reasons: string[] } {
  const { base, head } = input;
  if (!head) return { verdict: 'missing', reasons: [input.missingReason ?? 'in the baseline, not in this run'] };
  if (!head.ok) return { verdict: 'failed', reasons: [errorSummary(head.error)] };
  if (base && !base.ok && input.sameJob)
    return { verdict: 'inconclusive', reasons: [`the base failed in this job, so nothing was compared: ${errorSummary(base.error)}`] };
  // Both sides of a job are measured round by round: a base with no record of the cell is not a
  // new cell (a results directory could drop one to let a regression pass), nothing was compared.
  if (!base && input.sameJob) return { verdict: 'inconclusive', reasons: ['the base has no measurement of it, so nothing was compared'] };
  if (!base || !base.ok) return { verdict: 'new', reasons: [base ? 'failed in the baseline' : 'not in the baseline'] };
  const reasons: string[] = [];
  const failuresRise = head.failuresPerSec - base.failuresPerSec;
  if (failuresRise > policy.thresholds.failuresPerSecRise)
    reasons.push(`failures/s +${failuresRise.toFixed(2)} (threshold ${policy.thresholds.failuresPerSecRise})`);
  const gated = metrics.filter((m) => m.gated);
  const threshold = (m: MetricVerdict): number => metricOf(m.metric).threshold(policy.thresholds);
  for (const m of gated) if (m.verdict === 'regression') reasons.push(`${describeMetric(m)} (threshold ${formatPercent(threshold(m))})`);
  if (reasons.length) return { verdict: 'regressed', reasons };
  const undecided = gated.filter((m) => m.verdict === 'inconclusive');
  if (undecided.length) {
    return {
      verdict: 'inconclusive',
      reasons: undecided.map((m) => `${describeMetric(m)}: interval reaches past the threshold; ${settleAdvice(m, input.samples[m.metric]!, threshold(m))}`),
    };
  }
  const rps = metrics.find((m) => m.metric === 'rps');
  if (rps?.verdict === 'improvement') return { verdict: 'improved', reasons: [describeMetric(rps)] };
  return { verdict: 'unchanged', reasons: [] };
}

/**
 * Judges cells together (pure): every gated metric of every comparable cell is one test of a Holm
 * family, so the chance of any false alarm over the matrix stays at or below `regressionAlpha`.
 * @param final no more data will come for these cells (see metricVerdict)
 */
export function judgeCells(
  inputs: readonly CellInput[],
  policy: Policy,
  regressionAlpha: number = policy.alpha,
  final = true,
): { cells: CellComparison[]; gatedTests: number } {
  const tests: (MetricTest & { index: number })[] = [];
  inputs.forEach((input, index) => {
    if (!input.head?.ok || !input.base?.ok) return;
    for (const metric of METRICS) {
      const samples = input.samples[metric.name];
      if (!samples) continue;
      tests.push({
        index,
        cell: input.name,
        metric: metric.name,
        gated: policy.gate.includes(metric.name),
        threshold: metric.threshold(policy.thresholds),
        samples,
      });
    }
  });
  const verdicts = judgeFamily(tests, policy.alpha, regressionAlpha, final);
  const cells = inputs.map((input, index): CellComparison => {
    const metrics = verdicts.filter((_, k) => tests[k].index === index);
    const { verdict, reasons } = cellVerdict(input, metrics, policy);
    // A side that failed measured nothing: its figures are not zeros.
    const b = input.base?.ok ? input.base : undefined;
    const h = input.head?.ok ? input.head : undefined;
    return {
      name: input.name,
      verdict,
      reasons,
      rps: delta(b?.rps, h?.rps),
      p50: delta(b?.latencyMs.p50, h?.latencyMs.p50),
      p99: delta(b?.latencyMs.p99, h?.latencyMs.p99),
      failuresPerSec: delta(b?.failuresPerSec, h?.failuresPerSec),
      cpuMsPer1kRequests: delta(b?.cpuMsPer1kRequests, h?.cpuMsPer1kRequests),
      ...(b?.capacity || h?.capacity ? { capacity: delta(b?.capacity?.rate, h?.capacity?.rate) } : {}),
      endpoints: compareEndpoints(b, h),
      metrics,
      samples: input.sampleCount,
      error: input.head?.error ?? null,
      calibration: input.calibration ?? null,
    };
  });
  return { cells, gatedTests: tests.filter((t) => t.gated).length };
}

/** Which topologies a comparison judges, and which results it sets aside. */
export interface Judged {
  readonly names: readonly string[];
  readonly ignored: readonly string[];
  readonly missingReason: string;
}

/**
 * The topologies to judge (pure). With `expected` (the trusted config's list) exactly those: a
 * topology of the results outside it is set aside, one missing from the results fails. Without,
 * the head's and the base's together: one the base has and the head lacks fails too.
 */
export function judgedTopologies(headNames: readonly string[], baseNames: readonly string[], expected?: readonly string[]): Judged {
  if (expected) {
    return { names: expected, ignored: headNames.filter((n) => !expected.includes(n)), missingReason: 'in the config, not in the results' };
  }
  const names = [...headNames, ...baseNames.filter((n) => !headNames.includes(n))];
  return { names, ignored: [], missingReason: 'in the baseline, not in this run: renamed or dropped? Record the baseline again once the change is merged' };
}

/** The cells with a verdict. */
export function cellsWith(comparison: Comparison, verdict: Verdict): CellComparison[] {
  return comparison.cells.filter((c) => c.verdict === verdict);
}
