import { formatPercent } from '../config/percent.js';
import type { CompareSettings, GateMetric } from '../config/types.js';
import type { Fingerprint, Results, TopologyResult } from '../results/types.js';
import type { Thresholds } from './thresholds.js';
import { storedNoise, type CalibrationMethod } from './noise.js';
import { calibrationRatio, interleaved, normalizedValues, type Calibration, type Gauged } from './calibration.js';
import { judgeFamily, METRICS, settleAdvice, type MetricName, type MetricSamples, type MetricTest, type MetricVerdict } from './verdict.js';

export type { Calibration } from './calibration.js';

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive' | 'new' | 'missing' | 'failed';

/** A metric in the baseline and now; `change` is now / baseline − 1 (null when either is missing or 0). */
export interface Delta {
  readonly baseline: number | null;
  readonly now: number | null;
  readonly change: number | null;
}

export interface EndpointComparison {
  readonly method: string;
  readonly path: string;
  readonly rps: Delta;
  readonly p99: Delta;
  readonly failuresPerSec: Delta;
}

export interface CellComparison {
  readonly name: string;
  readonly verdict: Verdict;
  /** Why the verdict, one phrase per rule crossed: "req/s −23.4% [−30.1%, −16.2%]". */
  readonly reasons: readonly string[];
  readonly rps: Delta;
  readonly p50: Delta;
  readonly p99: Delta;
  readonly failuresPerSec: Delta;
  readonly cpuMsPer1kRequests: Delta;
  readonly endpoints: readonly EndpointComparison[];
  /** Statistics per metric; empty when there is nothing to compare. */
  readonly metrics: readonly MetricVerdict[];
  /** Samples per side behind the statistics (rounds in base mode, trials against a baseline). */
  readonly samples: number;
  /** The cell's error when it failed now. */
  readonly error: string | null;
  /** Cross-hardware: how much faster this machine ran the reference app (now / baseline), per metric, when both have it. */
  readonly calibration: Calibration | null;
}

/** How verdicts are reached: thresholds, gated metrics and the family-wise false-alarm rate. */
export interface Policy {
  readonly thresholds: Thresholds;
  readonly gate: readonly GateMetric[];
  readonly alpha: number;
  readonly failOnInconclusive: boolean;
}

export interface Comparison {
  readonly mode: 'baseline' | 'base';
  /**
   * How many times the verdicts were computed on growing data (base mode: once after the first
   * rounds, then after each extra round); each analysis may raise a false alarm.
   */
  readonly analyses?: number;
  /** compare: base — each look: after which round, and the α it could spend on regressions. */
  readonly looks?: readonly { readonly round: number; readonly alpha: number }[];
  readonly baselineFound: boolean;
  /** Where the baseline came from; null without one. */
  readonly baselineSource: string | null;
  /** Set when baseline and run come from different hardware: verdicts are "cross-hardware". */
  readonly hardwareNote: string | null;
  readonly policy: Policy;
  readonly cells: readonly CellComparison[];
  /** Gated tests in the Holm family (for the expected false alarms). */
  readonly gatedTests: number;
  /** Topologies in the results that the config does not list: shown, never judged. */
  readonly ignored: readonly string[];
  /** Stored baseline: where the noise the verdicts assume comes from. */
  readonly noiseSource?: string | null;
}

/** The policy from config settings and thresholds. */
export function policyFrom(thresholds: Thresholds, compare: CompareSettings): Policy {
  return { thresholds, gate: compare.gate, alpha: compare.alpha, failOnInconclusive: compare.failOnInconclusive };
}

/** One delta (pure). */
export function delta(baseline: number | null | undefined, now: number | null | undefined): Delta {
  const b = baseline ?? null;
  const n = now ?? null;
  return { baseline: b, now: n, change: b !== null && n !== null && b !== 0 ? n / b - 1 : null };
}

/** "−12.3%" / "+4.0%" with a real minus sign. */
export function signedPercent(change: number): string {
  const text = `${Math.abs(change * 100).toFixed(1)}%`;
  return change < 0 ? `−${text}` : `+${text}`;
}

/** Says when two fingerprints are different hardware; null when the same CPU model and core count. */
export function hardwareDifference(baseline: Fingerprint | undefined, now: Fingerprint): string | null {
  if (!baseline) return 'the baseline records no environment';
  const parts: string[] = [];
  if (baseline.cpuModel !== now.cpuModel) parts.push(`CPU ${baseline.cpuModel} → ${now.cpuModel}`);
  if (baseline.cores !== now.cores) parts.push(`${baseline.cores} → ${now.cores} cores`);
  if (baseline.placement?.pinned !== now.placement.pinned) parts.push(`placement ${baseline.placement?.pinned ? 'pinned' : 'shared'} → ${now.placement.pinned ? 'pinned' : 'shared'}`);
  return parts.length ? `baseline recorded on different hardware: ${parts.join(', ')}` : null;
}

function compareEndpoints(base: TopologyResult | undefined, now: TopologyResult | undefined): EndpointComparison[] {
  const key = (e: { method: string; path: string }): string => `${e.method} ${e.path}`;
  const baseByKey = new Map((base?.endpoints ?? []).map((e) => [key(e), e]));
  const keys = [...new Set([...(now?.endpoints ?? []).map(key), ...baseByKey.keys()])];
  const nowByKey = new Map((now?.endpoints ?? []).map((e) => [key(e), e]));
  return keys.map((k) => {
    const b = baseByKey.get(k);
    const n = nowByKey.get(k);
    const [method, ...rest] = k.split(' ');
    return { method, path: rest.join(' '), rps: delta(b?.rps, n?.rps), p99: delta(b?.latencyMs.p99, n?.latencyMs.p99), failuresPerSec: delta(b?.failuresPerSec, n?.failuresPerSec) };
  });
}

/** Per-trial values of a metric. */
export function trialValues(t: TopologyResult, metric: MetricName): number[] {
  return t.trials
    .map((trial) => (metric === 'rps' ? trial.rps : metric === 'cpu' ? trial.cpuMsPer1kRequests : trial.latencyMs.p99))
    .filter((v): v is number => typeof v === 'number' && v > 0);
}

function thresholdOf(metric: MetricName, t: Thresholds): number {
  return metric === 'rps' ? t.rpsDrop : metric === 'cpu' ? t.cpuRise : t.p99Rise;
}

const LABEL: Record<MetricName, string> = { rps: 'req/s', cpu: 'CPU/req', p99: 'p99' };

/** "req/s −23.4% [−30.1%, −16.2%]" */
export function describeMetric(m: MetricVerdict): string {
  const i = m.interval;
  const range = Number.isFinite(i.high) && i.low > 0 ? ` [${signedPercent(i.low - 1)}, ${signedPercent(i.high - 1)}]` : '';
  return `${LABEL[m.metric]} ${Number.isFinite(i.ratio) ? signedPercent(i.ratio - 1) : '?'}${range}`;
}

/** A cell to judge: its results before and now, and the samples behind each metric. */
export interface CellInput {
  readonly name: string;
  readonly before: TopologyResult | undefined;
  readonly now: TopologyResult | undefined;
  readonly samples: Partial<Record<MetricName, MetricSamples>>;
  readonly sampleCount: number;
  readonly calibration?: CellComparison['calibration'];
  /** Why it is missing now, when it is (the config lists it, or the baseline has it). */
  readonly missingReason?: string;
}

function cellVerdict(input: CellInput, metrics: readonly MetricVerdict[], policy: Policy): { verdict: Verdict; reasons: string[] } {
  const { before: base, now } = input;
  if (!now) return { verdict: 'missing', reasons: [input.missingReason ?? 'in the baseline, not in this run'] };
  if (!now.ok) return { verdict: 'failed', reasons: [(now.error ?? 'failed').split('\n')[0]] };
  if (!base || !base.ok) return { verdict: 'new', reasons: [base ? 'failed in the baseline' : 'not in the baseline'] };
  const reasons: string[] = [];
  const failuresRise = now.failuresPerSec - base.failuresPerSec;
  if (failuresRise > policy.thresholds.failuresPerSecRise) reasons.push(`failures/s +${failuresRise.toFixed(2)} (threshold ${policy.thresholds.failuresPerSecRise})`);
  const gated = metrics.filter((m) => m.gated);
  for (const m of gated) if (m.verdict === 'regression') reasons.push(`${describeMetric(m)} (threshold ${formatPercent(thresholdOf(m.metric, policy.thresholds))})`);
  if (reasons.length) return { verdict: 'regressed', reasons };
  const undecided = gated.filter((m) => m.verdict === 'inconclusive');
  if (undecided.length) {
    return {
      verdict: 'inconclusive',
      reasons: undecided.map((m) => `${describeMetric(m)}: interval reaches past the threshold; ${settleAdvice(m, input.samples[m.metric]!, thresholdOf(m.metric, policy.thresholds))}`),
    };
  }
  const rps = metrics.find((m) => m.metric === 'rps');
  if (rps?.verdict === 'improvement') return { verdict: 'improved', reasons: [describeMetric(rps)] };
  return { verdict: 'unchanged', reasons: [] };
}

/**
 * Judges cells together (pure): every gated metric of every comparable cell is one test of a Holm
 * family, so the chance of any false alarm over the matrix stays at or below `policy.alpha`.
 */
export function judgeCells(inputs: readonly CellInput[], policy: Policy, regressionAlpha: number = policy.alpha): { cells: CellComparison[]; gatedTests: number } {
  const tests: (MetricTest & { index: number })[] = [];
  inputs.forEach((input, index) => {
    if (!input.now?.ok || !input.before?.ok) return;
    for (const metric of METRICS) {
      const samples = input.samples[metric];
      if (!samples) continue;
      tests.push({ index, cell: input.name, metric, gated: policy.gate.includes(metric), threshold: thresholdOf(metric, policy.thresholds), samples });
    }
  });
  const verdicts = judgeFamily(tests, policy.alpha, regressionAlpha);
  const cells = inputs.map((input, index): CellComparison => {
    const metrics = verdicts.filter((_, k) => tests[k].index === index);
    const { verdict, reasons } = cellVerdict(input, metrics, policy);
    const b = input.before;
    const n = input.now;
    return {
      name: input.name,
      verdict,
      reasons,
      rps: delta(b?.rps, n?.rps),
      p50: delta(b?.latencyMs.p50, n?.latencyMs.p50),
      p99: delta(b?.latencyMs.p99, n?.latencyMs.p99),
      failuresPerSec: delta(b?.failuresPerSec, n?.failuresPerSec),
      cpuMsPer1kRequests: delta(b?.cpuMsPer1kRequests, n?.cpuMsPer1kRequests),
      endpoints: compareEndpoints(b, n),
      metrics,
      samples: input.sampleCount,
      error: n?.error ?? null,
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
 * the results' and the baseline's together: one the baseline has and the run lacks fails too.
 */
export function judgedTopologies(resultNames: readonly string[], baselineNames: readonly string[], expected?: readonly string[]): Judged {
  if (expected) {
    return { names: expected, ignored: resultNames.filter((n) => !expected.includes(n)), missingReason: 'in the config, not in the results' };
  }
  const names = [...resultNames, ...baselineNames.filter((n) => !resultNames.includes(n))];
  return { names, ignored: [], missingReason: 'in the baseline, not in this run: renamed or dropped? Record the baseline again once the change is merged' };
}

/**
 * Compares a run with a stored baseline (null: no baseline yet), cell by cell (pure): Welch's t on
 * the log of per-trial values of each metric, Holm across the matrix.
 * @param expected the topologies to judge (the trusted config's); default: the run's and the baseline's
 */
export function compareResults(baseline: Results | null, now: Results, policy: Policy, baselineSource: string | null = null, expected?: readonly string[]): Comparison {
  const baseByName = new Map((baseline?.topologies ?? []).map((t) => [t.name, t]));
  const judged = judgedTopologies(
    now.topologies.map((t) => t.name),
    [...baseByName.keys()],
    expected,
  );
  const hardwareNote = baseline ? hardwareDifference(baseline.environment, now.environment) : null;
  const sources = new Set<string>();
  const inputs: CellInput[] = judged.names.map((name) => {
    const before = baseByName.get(name);
    const current = now.topologies.find((t) => t.name === name);
    const samples: Partial<Record<MetricName, MetricSamples>> = {};
    // Divide out the machine's speed as the reference app measured it in each run: across hardware,
    // and on the same machine too, whose speed drifts between runs (bench/corpus).
    const calibration = before && current ? calibrationRatio(before, current, 1 - 2 * policy.alpha) : null;
    if (baseline && before && current) {
      const byTurns = interleaved(before) && interleaved(current);
      for (const metric of METRICS) {
        const normalized = metric !== 'p99' && (byTurns || calibration !== null);
        const method: CalibrationMethod = !normalized ? 'none' : byTurns ? 'interleaved' : 'after';
        const noise = storedNoise(metric, { baseline, before, calibration: method, crossHardware: hardwareNote !== null });
        sources.add(noise.source);
        if (method === 'interleaved') {
          samples[metric] = { kind: 'unpaired', before: normalizedValues(before, metric as Gauged), now: normalizedValues(current, metric as Gauged), prior: noise.prior };
          continue;
        }
        // Calibrated after the cell (older documents): divide by the factor, and add its uncertainty.
        const scale = method === 'after' ? (metric === 'rps' ? calibration!.rps : (calibration!.cpu ?? 1)) : 1;
        const factorVariance = method === 'after' ? calibration!.variance[metric as Gauged] : 0;
        const prior = { ...noise.prior, betweenSd: Math.sqrt(noise.prior.betweenSd ** 2 + factorVariance) };
        samples[metric] = { kind: 'unpaired', before: trialValues(before, metric), now: trialValues(current, metric).map((v) => v / scale), prior };
      }
    }
    return { name, before, now: current, samples, sampleCount: Math.min(before?.trials.length ?? 0, current?.trials.length ?? 0), calibration, missingReason: judged.missingReason };
  });
  const { cells, gatedTests } = judgeCells(inputs, policy);
  const finalCells = baseline ? cells : cells.map((c) => (c.verdict === 'new' ? { ...c, reasons: ['no baseline yet'] } : c));
  return {
    mode: 'baseline',
    baselineFound: baseline !== null,
    baselineSource: baseline ? baselineSource : null,
    hardwareNote,
    policy,
    cells: finalCells,
    gatedTests,
    ignored: judged.ignored,
    noiseSource: [...sources].join('; ') || null,
  };
}

/** The cells with a verdict. */
export function cellsWith(comparison: Comparison, verdict: Verdict): CellComparison[] {
  return comparison.cells.filter((c) => c.verdict === verdict);
}
