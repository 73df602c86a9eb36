import type { TopologyResult } from '../results/types.js';
import { RATE_KEPT_SHARE } from '../results/warnings.js';
import { mean } from '../stats/describe.js';
import { unpairedRatioInterval } from '../stats/inference.js';
import { positiveValue, trialValues, type Gauged, type Measured } from './metrics.js';
import { MACHINE_NOISE, SATURATED_SHARE } from './noise-figures.js';

/**
 * How much faster the head's machine ran the reference app than the base's (head / base), per
 * metric, with the interval of that factor.
 */
export interface Calibration {
  readonly rps: number;
  readonly cpu: number | null;
  readonly rpsInterval: { readonly low: number; readonly high: number } | null;
  /** Variance of the log factors, which a comparison calibrated after the cell adds to its own. */
  readonly variance: { readonly rps: number; readonly cpu: number };
  /** Both sides ran the reference app by turns with their trials: each trial is divided by its own. */
  readonly byTurns: boolean;
  /** The reference app gauges the machine, not the topology's shape (genericReference). */
  readonly generic: boolean;
  /** How much of the machine's speed each side's req/s follows, 0–1 (elasticity). */
  readonly elasticity: { readonly base: number; readonly head: number };
  /** Both sides answered at their arrival rate (keptSchedule): req/s is the schedule's, not the machine's. */
  readonly scheduled: boolean;
}

/**
 * Whether a cell's reference app stands in for the machine only, not for its shape (pure): a
 * `command` topology's, or gunicorn's with workers of an async class (calibration/plan.ts
 * referenceShaped). Across runs it still divides out the machine's speed, less exactly than one of
 * the same shape (noise.ts widens its noise for that).
 */
export function genericReference(t: TopologyResult): boolean {
  return t.kind === 'command' || t.calibration?.generic === true;
}

/** Whether a cell's calibration ran by turns with its trials, one reference trial beside each. */
export function interleaved(t: TopologyResult): boolean {
  return t.calibration?.interleaved === true && t.calibration.trials.length === t.trials.length && t.trials.length > 0;
}

/** A reference app that kept more cores busy than this ran on several server cores. */
const SEVERAL_CORES = 1.5;

/** Server cores kept busy over a side's trials: req/s × CPU per request, averaged; null when CPU is unknown. */
function busyCores(trials: readonly Measured[]): number | null {
  const busy = trials.map((t) => {
    const rps = positiveValue(t, 'rps');
    const cpu = positiveValue(t, 'cpu');
    return rps !== null && cpu !== null ? (rps * cpu) / 1e6 : null;
  });
  return busy.length && busy.every((b) => b !== null) ? mean(busy) : null;
}

/**
 * Whether every trial of an open-model cell was answered at its arrival rate (pure): its req/s is
 * then the schedule's, whatever the machine's speed.
 */
function keptSchedule(t: TopologyResult): boolean {
  return t.trials.length > 0 && t.trials.every((x) => x.rate !== undefined && x.rps >= RATE_KEPT_SHARE * x.rate.intended);
}

/**
 * How much of the machine's speed a cell's req/s follows, 0–1 (pure): 0 when it kept an arrival
 * rate's schedule (keptSchedule); else its busy share.
 */
export function elasticity(t: TopologyResult): number {
  return keptSchedule(t) ? 0 : busyShare(t);
}

/**
 * The share of server CPU a cell kept busy against the reference app of its shape, which saturates
 * it, 0–1 (pure). The reference's req/s is the machine's speed; an app that waits (sleeps, I/O, a
 * small worker pool) gains less than that from a faster machine, and dividing its req/s by the
 * whole factor would hand it the machine's swings instead (a 20 ms-sleep app read +43% between two
 * trials of one run where its req/s held still). The busy share bounds the true elasticity from
 * above, and is exact at both ends: 1 for a CPU-bound cell, 0 for one that only waits. Within
 * SATURATED_SHARE of the reference counts as saturated (a gunicorn master idles beside its
 * workers). Other processes' CPU on the run's cores counts as the app's (othersCores). Unknown CPU
 * or foreign load, or a `command` on several server cores: 1, as before the rule.
 */
function busyShare(t: TopologyResult): number {
  const app = busyCores(t.trials);
  const reference = busyCores(t.calibration?.trials ?? []);
  if (app === null || reference === null || reference <= 0) return 1;
  // A command's reference app is generic, pre-forked over every server core. With several, a
  // command that cannot use them all (one process, fewer workers) stays below the reference's
  // share however CPU-bound it is: its busy share bounds nothing.
  if (t.kind === 'command' && reference > SEVERAL_CORES) return 1;
  const others = othersCores(t, reference);
  if (others === null) return 1;
  return Math.min(1, (app + others) / reference / SATURATED_SHARE);
}

/**
 * How much of the machine's speed a cell's CPU per request follows (pure): all of it in theory (CPU
 * time is work over speed), and so for saturated cells; a cell that waits followed the reference
 * app's only partly on this host (a sync cell busy 19% of its core by 0.43 ± 0.15 over seven runs,
 * a gthread one busy 27% by 0.88 ± 0.23; in one pair not at all). So it is taken as anywhere
 * between its busy share and 1: the middle is used, and the rest is noise (cpuElasticityVariance).
 */
export function cpuElasticity(t: TopologyResult): { readonly low: number; readonly mid: number } {
  const low = busyShare(t);
  return { low, mid: (1 + low) / 2 };
}

/**
 * Variance on the log scale that not knowing a partly CPU-bound cell's CPU elasticity adds to its
 * CPU per request (pure): the elasticity uniform between the two sides' mean busy share and 1,
 * times the log of the reference app's CPU factor head / base (Calibration.cpu). Nil when both
 * saturate, or when the machine ran at one speed.
 */
export function cpuElasticityVariance(base: TopologyResult, head: TopologyResult, cpuFactor: number): number {
  const width = 1 - (cpuElasticity(base).low + cpuElasticity(head).low) / 2;
  return ((width * width) / 12) * Math.log(cpuFactor) ** 2;
}

/**
 * Cores that processes outside the run kept busy during a cell's trials (the foreign load, whose
 * shares are of the servers' cores — as many as the reference app saturates — and of the load
 * generator's). A database the app waits on is one of them, and its speed is the machine's too, so
 * it counts with the app's share: noise counted so only moves e towards 1. Null when a trial did
 * not measure it (an unpinned run, an older document): then nothing vouches that the app waits on
 * nothing the machine's speed moves.
 */
function othersCores(t: TopologyResult, referenceCores: number): number | null {
  const generators = t.placement?.generators ?? 1;
  const cores = t.trials.map((x) => (x.foreign ? (x.foreign.server ?? 0) * referenceCores + (x.foreign.loadgen ?? 0) * generators : null));
  return cores.length && cores.every((c) => c !== null) ? mean(cores) : null;
}

/**
 * Per-trial values of a metric with the machine's speed divided out (pure): each is scaled from
 * the reference app's value beside it to `anchor` by the cell's elasticity for the metric,
 * (anchor / reference)^e. Pairs missing a value are skipped.
 */
function normalizedValues(t: TopologyResult, metric: Gauged, anchor: number): number[] {
  const ref = t.calibration?.trials ?? [];
  const e = metric === 'rps' ? elasticity(t) : cpuElasticity(t).mid;
  const out: number[] = [];
  t.trials.forEach((trial, i) => {
    const a = positiveValue(trial, metric);
    const b = ref[i] ? positiveValue(ref[i], metric) : null;
    if (a !== null && b !== null) out.push(a * (anchor / b) ** e);
  });
  return out;
}

/**
 * Both sides' normalized values, brought to one machine speed (pure): the geometric mean of both
 * sides' reference values. Each side follows it by its own elasticity: a change that makes the app
 * CPU-bound changes how much of the machine's speed it follows.
 */
export function normalizedPair(base: TopologyResult, head: TopologyResult, metric: Gauged): { base: number[]; head: number[] } {
  const reference = [...trialValues(base.calibration?.trials ?? [], metric), ...trialValues(head.calibration?.trials ?? [], metric)];
  const anchor = reference.length ? Math.exp(mean(reference.map(Math.log))) : 1;
  return { base: normalizedValues(base, metric, anchor), head: normalizedValues(head, metric, anchor) };
}

/**
 * How much faster the head's machine ran the reference app than the base's (head / base, per
 * metric), from the calibration stored with both; null when either lacks one (pure). Its
 * uncertainty comes from the calibration trials under this machine kind's trial noise.
 */
export function calibrationRatio(base: TopologyResult, head: TopologyResult, confidence: number): Calibration | null {
  const b = base.calibration;
  const h = head.calibration;
  if (!b || !h) return null;
  const factor = (m: Gauged) => {
    const [vb, vh] = [trialValues(b.trials, m), trialValues(h.trials, m)];
    if (!vb.length || !vh.length) return null;
    const t = MACHINE_NOISE.trial[m];
    // Same machine kind's trial noise, no between-run part: the factor is what differs between runs.
    return unpairedRatioInterval(vh, vb, { withinSd: t.sd, withinDf: t.df, betweenSd: 0, betweenDf: 1 }, confidence);
  };
  const rps = factor('rps');
  const cpu = factor('cpu');
  if (!rps) return null;
  return {
    rps: rps.ratio,
    cpu: cpu?.ratio ?? null,
    rpsInterval: Number.isFinite(rps.high) ? { low: rps.low, high: rps.high } : null,
    variance: { rps: rps.se ** 2, cpu: cpu ? cpu.se ** 2 : 0 },
    byTurns: interleaved(base) && interleaved(head),
    generic: genericReference(base) || genericReference(head),
    elasticity: { base: elasticity(base), head: elasticity(head) },
    scheduled: keptSchedule(base) && keptSchedule(head),
  };
}
