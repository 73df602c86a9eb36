import type { CompareConfig } from '../config/types.js';
import type { NoiseHistoryEntry, NoiseRecord, Results, TopologyResult, TrialResult } from '../results/types.js';
import { FOREIGN_WARN_SHARE } from '../results/warnings.js';
import { mean } from '../stats/describe.js';
import type { NoisePrior } from '../stats/inference.js';
import { interleaved, normalizedPair } from './calibration.js';
import { trialValues, type Gauged, type TrialMetric } from './metrics.js';
import {
  CAPACITY_NOISE,
  CORPUS_TRIAL_SEC,
  CROSS_HARDWARE,
  DRIFT_PRIOR_DF,
  GENERIC_REFERENCE_WIDENING,
  HISTORY_LENGTH,
  HISTORY_MIN,
  MACHINE_NOISE,
  OLD_BASELINE_WIDENING,
} from './noise-figures.js';
import type { PairedJudging } from './paired.js';

/** How compare: base is judged: its looks, and the per-round noise of this machine kind per metric. */
export function pairedJudging(compare: CompareConfig, alpha: number): Omit<PairedJudging, 'final'> {
  const prior = (m: TrialMetric): NoisePrior => ({ withinSd: MACHINE_NOISE.round[m].sd, withinDf: MACHINE_NOISE.round[m].df, betweenSd: 0, betweenDf: 1 });
  return { plan: { alpha, firstRound: compare.rounds, maxRounds: compare.maxRounds }, priors: { rps: prior('rps'), cpu: prior('cpu'), p99: prior('p99') } };
}

function logMean(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && x > 0).map(Math.log);
  return v.length ? mean(v) : null;
}

/** How much a run's trials spread (pure): pooled sd of log values around each ok cell's mean. */
export function trialSpread(topologies: readonly TopologyResult[]): NoiseRecord['trialSpread'] {
  const pooled = (m: Gauged): { sd: number | null; df: number } => {
    let squares = 0;
    let df = 0;
    for (const t of topologies) {
      // A capacity search's steps are at different rates: their spread is not noise.
      if (!t.ok || t.capacity) continue;
      const logs = trialValues(t.trials, m).map(Math.log);
      if (logs.length < 2) continue;
      const m0 = mean(logs);
      squares += logs.reduce((s, v) => s + (v - m0) ** 2, 0);
      df += logs.length - 1;
    }
    return { sd: df > 0 ? Math.round(Math.sqrt(squares / df) * 1e4) / 1e4 : null, df };
  };
  const rps = pooled('rps');
  return { rps: rps.sd, cpu: pooled('cpu').sd, df: rps.df };
}

/**
 * One history entry: each cell's log ratio of run means, `next` against `previous` (pure), of the
 * values a comparison of the two would judge: divided by the reference app when both were
 * calibrated by turns.
 */
export function historyEntry(previous: Results, next: Results): NoiseHistoryEntry {
  const cells: Record<string, { rps: number | null; cpu: number | null; normalized: boolean }> = {};
  for (const t of next.topologies) {
    const p = previous.topologies.find((x) => x.name === t.name);
    if (!p || !p.ok || !t.ok || p.capacity || t.capacity) continue;
    const normalized = interleaved(t) && interleaved(p);
    const ratio = (m: Gauged): number | null => {
      const pair = normalized ? normalizedPair(p, t, m) : { base: trialValues(p.trials, m), head: trialValues(t.trials, m) };
      const a = logMean(pair.head);
      const b = logMean(pair.base);
      return a === null || b === null ? null : Math.round((a - b) * 1e4) / 1e4;
    };
    cells[t.name] = { rps: ratio('rps'), cpu: ratio('cpu'), normalized };
  }
  return { at: next.finishedAt, cells };
}

/** The history a new baseline carries: the previous one's, plus how the two differ, newest last. */
export function nextHistory(previous: Results | null, next: Results): NoiseHistoryEntry[] {
  if (!previous) return [];
  return [...(previous.noise?.history ?? []), historyEntry(previous, next)].slice(-HISTORY_LENGTH);
}

/**
 * The between-run spread a baseline's history shows for one cell and metric (pure): the root mean
 * square of that cell's log ratios of consecutive runs (an unchanged app's are centred on 0), less
 * the part the trials explain. Not a robust spread: the tails are the point — one topology here
 * moved 36% between two A/A runs while others moved a few percent, and a median of absolute
 * deviations pooled over cells put replayed false alarms at 12% (bench:detect --replay). Real
 * changes on the default branch only make it larger: it errs on the side of fewer alarms. Null
 * below HISTORY_MIN entries for the cell.
 */
export function historySpread(
  history: readonly NoiseHistoryEntry[],
  cell: string,
  metric: Gauged,
  trialSd: number,
  trialsPerRun: number,
  normalized = false,
): { sd: number; df: number } | null {
  const ratios = history
    .map((h) => h.cells[cell])
    .filter((c) => c !== undefined && (c.normalized ?? false) === normalized)
    .map((c) => c[metric])
    .filter((v): v is number => typeof v === 'number');
  if (ratios.length < HISTORY_MIN) return null;
  const meanSquare = ratios.reduce((s, r) => s + r * r, 0) / ratios.length;
  const pure = meanSquare - (2 * trialSd ** 2) / Math.max(1, trialsPerRun);
  return { sd: Math.sqrt(Math.max(pure, 0)), df: ratios.length };
}

/**
 * A cell's own history pooled with this machine kind's default, each by its degrees of freedom
 * (pure): a short history of a lucky quiet spell cannot shrink the drift to nothing, and a long
 * one speaks for its cell. The default counts as DRIFT_PRIOR_DF: cells of one machine drift
 * unalike, so it says little of any one.
 */
export function pooledDrift(own: { sd: number; df: number }, fallback: { sd: number; df: number }): { sd: number; df: number } {
  const df = own.df + fallback.df;
  return { sd: Math.sqrt((own.df * own.sd ** 2 + fallback.df * fallback.sd ** 2) / df), df };
}

/** How much wider one trial's spread is than the corpus's, for trials of `seconds` (pure; ≥ 1). */
export function trialScale(seconds: number): number {
  return seconds > 0 && seconds < CORPUS_TRIAL_SEC ? Math.sqrt(CORPUS_TRIAL_SEC / seconds) : 1;
}

/** The largest share others took of a trial's measured CPUs (the generator's, the servers'); null when unknown. */
export function trialForeign(t: TrialResult): number | null {
  const f = t.foreign;
  if (!f || (f.loadgen === null && f.server === null)) return null;
  return Math.max(f.loadgen ?? 0, f.server ?? 0);
}

/**
 * Variance a side's trials owe to other processes (pure): a trial where others took a share s of a
 * measured CPU (above the warning's 5%) may read low by anything up to about s, a bias taken as
 * uniform on ±s: s²/3 on the log scale, divided by n² in the side's mean of n trials.
 */
export function foreignVariance(shares: readonly (number | null)[]): number {
  const n = shares.length;
  if (n === 0) return 0;
  return shares.reduce((v: number, s) => (s !== null && s > FOREIGN_WARN_SHARE ? v + (s * s) / 3 : v), 0) / (n * n);
}

/** What is known of a comparison's noise before its own trials: where the figures came from. */
export interface StoredNoise {
  readonly prior: NoisePrior;
  /** "this machine kind's default", "the baseline's history (12 runs)", … */
  readonly source: string;
}

/** How a cell's numbers were freed of the machine's speed: not, by a factor measured after the cell, or trial by trial. */
export type CalibrationMethod = 'none' | 'after' | 'interleaved';

/** Why a `command` topology's between-run noise is widened (noise-figures.ts GENERIC_REFERENCE_WIDENING). */
const GENERIC_WIDENED = `, widened ×${GENERIC_REFERENCE_WIDENING}: the reference app gauges the machine, not the command’s shape`;

/**
 * What is left between two machines (pure, log sd): less where a reference app divided the
 * machine's speed out, less still where it has the topology's shape.
 */
function crossHardwareSd(normalized: boolean, generic: boolean): number {
  if (!normalized) return CROSS_HARDWARE.uncalibrated;
  return generic ? CROSS_HARDWARE.generic : CROSS_HARDWARE.calibrated;
}

/**
 * The noise prior of one metric of one cell compared with a stored baseline (pure): the trial
 * spread and the between-run drift of this machine kind (or the baseline's history), for the way
 * the cell was calibrated, widened across hardware and for a baseline that predates noise records.
 */
export function storedNoise(
  metric: TrialMetric,
  context: {
    readonly baseline: Results;
    readonly base: TopologyResult;
    readonly calibration: CalibrationMethod;
    /** The reference app stands in for the machine only, not for the topology's shape (a `command` topology). */
    readonly generic?: boolean;
    readonly crossHardware: boolean;
    /** The shorter of the two sides' trial lengths, s (the baseline's when unknown). */
    readonly trialSec?: number;
    /** Per trial of each side, the share others took of the measured CPUs (trialForeign). */
    readonly foreign?: { readonly base: readonly (number | null)[]; readonly head: readonly (number | null)[] };
  },
): StoredNoise {
  const method = metric === 'p99' ? 'none' : context.calibration;
  const fitted = method === 'interleaved' ? MACHINE_NOISE.interleaved.trial[metric as Gauged] : MACHINE_NOISE.trial[metric];
  const trialSec = context.trialSec ?? context.baseline.load.durationSec;
  const trial = { sd: fitted.sd * trialScale(trialSec), df: fitted.df };
  let between: { sd: number; df: number } =
    method === 'interleaved'
      ? MACHINE_NOISE.interleaved.runs[metric as Gauged]
      : method === 'after'
        ? MACHINE_NOISE.calibratedRuns[metric as Gauged]
        : MACHINE_NOISE.runs[metric];
  let source = "this machine kind's default noise";
  // The history holds raw ratios, or ratios of normalized values: it speaks for one method each.
  const history =
    method !== 'after' && metric !== 'p99'
      ? historySpread(context.baseline.noise?.history ?? [], context.base.name, metric, trial.sd, context.base.trials.length, method === 'interleaved')
      : null;
  if (history) {
    const machine = between;
    between = pooledDrift(history, { sd: machine.sd, df: DRIFT_PRIOR_DF[method === 'interleaved' ? 'interleaved' : 'none'] });
    source = `the cell's history of ${history.df + 1} baselines, pooled with this machine kind's default`;
    if (context.crossHardware) {
      // The history tells how runs move on the baseline's machine, half of a difference of two runs;
      // the head ran on another, which moves as the default says: a quiet baseline machine's history
      // against a noisy head machine raised 14.5% false alarms (bench:detect --replay --across).
      between = { sd: Math.sqrt((between.sd ** 2 + machine.sd ** 2) / 2), df: Math.min(between.df, machine.df) };
      source += ' for the baseline’s machine, the default for this one';
    }
  } else if (context.baseline.schemaVersion < 2) {
    between = { sd: between.sd * OLD_BASELINE_WIDENING, df: between.df };
    source = `this machine kind's default noise, widened ×${OLD_BASELINE_WIDENING}: the baseline predates noise records`;
  }
  const generic = context.generic === true && method !== 'none';
  if (generic) {
    between = { sd: between.sd * GENERIC_REFERENCE_WIDENING, df: between.df };
    source += GENERIC_WIDENED;
  }
  let betweenVariance = between.sd ** 2;
  if (context.crossHardware) {
    betweenVariance += crossHardwareSd(method !== 'none', generic) ** 2;
    source += method === 'none' ? ', plus the spread between machines (no calibration)' : ', plus what calibration leaves across hardware';
  }
  const foreign = context.foreign ? foreignVariance(context.foreign.base) + foreignVariance(context.foreign.head) : 0;
  if (foreign > 0) {
    betweenVariance += foreign;
    const worst = Math.max(...[...context.foreign!.base, ...context.foreign!.head].map((s) => s ?? 0));
    source += `, plus what other processes took from the measured CPUs (up to ${Math.round(worst * 100)}% in a trial)`;
  }
  return { prior: { withinSd: trial.sd, withinDf: trial.df, betweenSd: Math.sqrt(betweenVariance), betweenDf: between.df }, source };
}

/**
 * A capacity search's result, divided by the reference app's req/s measured by turns with its steps
 * when it has them (the machine's speed divides out): the value a comparison judges, and whether
 * it is normalized (pure). Null without a capacity.
 */
export function capacityValue(t: TopologyResult): { value: number; normalized: boolean } | null {
  const c = t.capacity;
  if (!c || !(c.rate > 0)) return null;
  const reference = c.reference?.filter((r) => r > 0) ?? [];
  if (!reference.length) return { value: c.rate, normalized: false };
  return { value: c.rate / Math.exp(mean(reference.map(Math.log))), normalized: true };
}

/**
 * The noise of comparing two capacities (pure): one search's own spread (CAPACITY_NOISE), and
 * between the two what moves whole runs — little when both are normalized by the reference app or
 * were searched by turns in one job (`paired`), the machine kind's run-to-run drift otherwise,
 * and the spread between machines across hardware.
 */
export function capacityNoise(context: {
  readonly normalized: boolean;
  readonly paired: boolean;
  readonly crossHardware: boolean;
  /** The reference app has not the topology's shape (noise-figures.ts GENERIC_REFERENCE_WIDENING). */
  readonly generic?: boolean;
}): StoredNoise {
  const generic = context.generic === true && context.normalized;
  let between: number = context.paired
    ? 0
    : context.normalized
      ? MACHINE_NOISE.interleaved.runs.rps.sd * (generic ? GENERIC_REFERENCE_WIDENING : 1)
      : MACHINE_NOISE.runs.rps.sd;
  let source = context.paired
    ? "one capacity search's own spread (searches by turns)"
    : context.normalized
      ? "one capacity search's own spread, normalized by the reference app"
      : "one capacity search's own spread and this machine kind's drift between runs";
  if (generic && !context.paired) source += GENERIC_WIDENED;
  if (context.crossHardware) {
    between = Math.sqrt(between ** 2 + crossHardwareSd(context.normalized, generic) ** 2);
    source += ', plus the spread between machines';
  }
  return { prior: { withinSd: CAPACITY_NOISE.sd, withinDf: CAPACITY_NOISE.df, betweenSd: between, betweenDf: MACHINE_NOISE.runs.rps.df }, source };
}
