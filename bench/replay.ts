/**
 * The replay simulator behind `bench:detect -- --replay`: thousands of verdicts from the recorded
 * A/A corpus (bench/corpus/), through the same comparison code the action runs, with known effects
 * injected into one side. Pure but for the seeded random source.
 */
import { nextHistory, pairedJudging } from '../src/compare/noise.js';
import { comparePaired } from '../src/compare/paired.js';
import { cellsToSettle, settleComparison } from '../src/compare/settle.js';
import { compareStored } from '../src/compare/stored.js';
import type { Comparison, Policy } from '../src/compare/types.js';
import { failureMessage } from '../src/compare/gate.js';
import type { CompareConfig } from '../src/config/types.js';
import type { Fingerprint, Results, TopologyResult, TrialResult } from '../src/results/types.js';

/** One measurement as the corpus keeps it; `foreign`: the largest share others took of a measured CPU. */
export interface Point {
  readonly rps: number;
  readonly cpu: number | null;
  readonly p99: number;
  readonly foreign?: number | null;
}

/** A stored-baseline run of the corpus: per topology, its trials and calibration trials. */
export interface StoredRun {
  readonly started: string;
  /** Length of the run's trials, s (5 in corpora that do not say). */
  readonly trialSec?: number;
  /** What the runner did besides measuring (bench/corpus.ts RUNNER); absent in the first runs. */
  readonly runner?: string;
  /** The machine as the kernel named it. */
  readonly machine?: { readonly cpuModel: string };
  readonly topologies: readonly {
    readonly name: string;
    readonly ok: boolean;
    readonly trials: readonly Point[];
    readonly calibration: readonly { rps: number; cpu: number | null }[] | null;
  }[];
}

/** A compare: base A/A run of the corpus: per topology, its rounds. */
export interface AbRun {
  readonly seconds?: number;
  /** What the runner did besides measuring (bench/corpus.ts RUNNER); absent in the first runs. */
  readonly runner?: string;
  readonly topologies: readonly { readonly name: string; readonly rounds: readonly { base: Point; head: Point }[] }[];
}

/** A known change injected into the head side: req/s × (1 + rps), CPU per request × (1 + cpu). */
export interface Effect {
  readonly name: string;
  readonly rps: number;
  readonly cpu: number;
}

/** How often verdicts flagged a regression, with a 95% Wilson interval. */
export interface Rate {
  readonly flagged: number;
  readonly of: number;
  readonly low: number;
  readonly high: number;
}

/** The 95% Wilson score interval of k successes in n. */
export function wilson(k: number, n: number): Rate {
  const z = 1.959964;
  const p = k / n;
  const center = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return { flagged: k, of: n, low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

function trial(p: Point, effect: Effect | null, scale = 1, durationSec = 5): TrialResult {
  const rps = p.rps * (1 + (effect?.rps ?? 0)) * scale;
  const cpu = p.cpu === null ? null : (p.cpu * (1 + (effect?.cpu ?? 0))) / scale;
  return {
    durationSec,
    requests: Math.round(rps * durationSec),
    rps,
    failures: 0,
    failuresPerSec: 0,
    latencyMs: { p50: p.p99 / 3, p90: p.p99 / 2, p99: p.p99, max: p.p99 },
    bytesPerSec: 0,
    cpuMsPer1kRequests: cpu,
    loadgenCpu: 0.3,
    // The corpus keeps the larger of the two shares: taken for both, it errs towards more foreign load.
    ...(typeof p.foreign === 'number' ? { foreign: { loadgen: p.foreign, server: p.foreign } } : {}),
  };
}

function cell(
  name: string,
  trials: TrialResult[],
  calibration: TopologyResult['calibration'] = null,
  kind: TopologyResult['kind'] = 'gunicorn',
): TopologyResult {
  const mean = (f: (t: TrialResult) => number | null): number => trials.reduce((s, t) => s + (f(t) ?? 0), 0) / Math.max(1, trials.length);
  return {
    name,
    kind,
    ok: true,
    error: null,
    totalRequests: trials.reduce((s, t) => s + t.requests, 0),
    rps: mean((t) => t.rps),
    failuresPerSec: 0,
    latencyMs: trials[0]?.latencyMs ?? { p50: 0, p90: 0, p99: 0, max: 0 },
    bytesPerSec: 0,
    cpuMsPer1kRequests: mean((t) => t.cpuMsPer1kRequests),
    peakRssMb: null,
    workers: null,
    instances: null,
    trials,
    endpoints: [],
    warnings: [],
    peakTimeWait: 0,
    calibration,
  };
}

const environment = (cpuModel: string): Fingerprint => ({
  cpuModel,
  cores: 2,
  os: 'Linux',
  node: 'v20',
  python: '3.11',
  flask: '3',
  gunicorn: '23',
  placement: { pinned: true, loadgenCpus: '0', serverCpus: '1', serverCores: 1, reason: 'replay' },
});

function doc(topologies: TopologyResult[], cpuModel: string, durationSec: number): Results {
  return {
    schemaVersion: 2,
    tool: { name: 'flask-perf', version: 'replay' },
    startedAt: '',
    finishedAt: '',
    load: { connections: 64, warmupSec: 2, durationSec, trials: topologies[0]?.trials.length ?? 1, timeoutSec: 10 },
    environment: environment(cpuModel),
    topologies,
    noise: { trialSpread: { rps: null, cpu: null, df: 0 }, history: [] },
  };
}

/** `k` distinct items of `list`, in random order. */
function pick<T>(list: readonly T[], k: number, random: () => number): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, k);
}

/** How a stored-baseline verdict is simulated. */
export interface StoredCase {
  readonly trials: number;
  readonly effect: Effect | null;
  /** Another machine: the PR run's app and reference app both run ×speed (req/s), apps differ by `residual` (log sd). */
  readonly crossHardware?: { readonly residual: number };
  /** Leave the calibration cells out (a `command` topology, or calibrate: false). */
  readonly uncalibrated?: boolean;
  /** The corpus's calibration ran by turns with the trials (else after the cell). */
  readonly interleaved: boolean;
  /** Judge the cells as `command` topologies, on a generic reference (the corpus's own tracks their shape: an optimistic stand-in for the data, the widened prior as shipped). */
  readonly command?: boolean;
  /**
   * The baseline carries a history (nextHistory) of this many earlier baselines: the corpus's other
   * runs, drawn at random and put oldest first, all their trials each.
   */
  readonly history?: number;
  /** The head is drawn from these runs, another machine's corpus: across hardware as measured, nothing simulated. */
  readonly headRuns?: readonly StoredRun[];
  /** That machine names its CPU as the baseline's did: judged as the same hardware. */
  readonly sameCpuName?: boolean;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** One simulated stored-baseline verdict: two distinct corpus runs, `trials` trials of each. */
export function storedVerdict(runs: readonly StoredRun[], c: StoredCase, policy: Policy, random: () => number): Comparison {
  const [b, h] = c.headRuns ? [pick(runs, 1, random)[0], pick(c.headRuns, 1, random)[0]] : pick(runs, 2, random);
  const speed = c.crossHardware ? Math.exp((random() * 2 - 1) * Math.log(1.25)) : 1;
  const side = (run: StoredRun, isHead: boolean, count = c.trials): TopologyResult[] =>
    run.topologies
      .filter((t) => t.ok && t.trials.length >= count)
      .map((t) => {
        const residual = isHead && c.crossHardware ? Math.exp(normal(random) * c.crossHardware.residual) : 1;
        const scale = isHead ? speed * residual : 1;
        // The same trials of the app and of the reference app beside them (calibrated by turns).
        const indexes = pick(
          t.trials.map((_, i) => i),
          count,
          random,
        );
        const trials = indexes.map((i) => trial(t.trials[i], isHead ? c.effect : null, scale, run.trialSec ?? 5));
        const refSpeed = isHead ? speed : 1;
        const calTrials =
          !c.uncalibrated && t.calibration
            ? indexes
                .map((i) => t.calibration![i])
                .filter(Boolean)
                .map((p) => ({ rps: p.rps * refSpeed, cpuMsPer1kRequests: p.cpu === null ? null : p.cpu / refSpeed }))
            : null;
        const calibration = calTrials
          ? { interleaved: c.interleaved, rps: calTrials.reduce((s, x) => s + x.rps, 0) / calTrials.length, cpuMsPer1kRequests: null, trials: calTrials }
          : null;
        return cell(t.name, trials, calibration, c.command ? 'command' : undefined);
      });
  let baseline = doc(side(b, false), 'corpus CPU', b.trialSec ?? 5);
  if (c.history) {
    const others = runs.filter((r) => r !== b && r !== h);
    const earlier = pick(others, c.history, random).sort((x, y) => x.started.localeCompare(y.started));
    let previous: Results | null = null;
    for (const run of earlier) {
      const next = doc(side(run, false, run.topologies[0]?.trials.length ?? 1), 'corpus CPU', run.trialSec ?? 5);
      previous = { ...next, noise: { ...next.noise!, history: nextHistory(previous, next) } };
    }
    baseline = { ...baseline, noise: { ...baseline.noise!, history: nextHistory(previous, baseline) } };
  }
  const headCpu = c.crossHardware || (c.headRuns && !c.sameCpuName) ? 'another CPU' : 'corpus CPU';
  return compareStored(baseline, doc(side(h, true), headCpu, h.trialSec ?? 5), policy, 'replay');
}

/** What one simulated compare: base run did, and both sides it measured. */
export interface AbOutcome {
  readonly comparison: Comparison;
  readonly rounds: number;
  readonly seconds: number;
  readonly base: readonly TopologyResult[];
  readonly head: readonly TopologyResult[];
}

/**
 * One simulated compare: base run: each round draws, per active topology, one recorded A/A round
 * (base and head measured back to back), applies the effect to the head, and the looks, the
 * max-rounds and the max-time budget go as in run/ab.ts.
 */
export function abVerdict(
  runs: readonly AbRun[],
  effect: Effect | null,
  compare: CompareConfig,
  policy: Policy,
  random: () => number,
  only?: readonly string[],
): AbOutcome {
  const names = runs[0].topologies.map((t) => t.name).filter((n) => !only || only.includes(n));
  const pool = new Map(names.map((n) => [n, runs.flatMap((r) => r.topologies.find((t) => t.name === n)?.rounds ?? [])]));
  // The clock is the newest runner's: the rounds' values are alike, what goes on around them is not.
  const timed = runs.filter((r) => r.runner === runs.at(-1)!.runner);
  const secondsPerMeasurement = mean(timed.map((r) => (r.seconds ?? 0) / (names.length * (2 * 8 + 1))).filter((s) => s > 0)) || 6;
  const base = new Map<string, TrialResult[]>(names.map((n) => [n, []]));
  const head = new Map<string, TrialResult[]>(names.map((n) => [n, []]));
  const judging = pairedJudging(compare, policy.alpha);
  let active = [...names];
  let elapsed = names.length * secondsPerMeasurement; // the uncounted first start of each topology
  let comparison: Comparison | undefined;
  let round = 0;
  const side = (m: Map<string, TrialResult[]>): TopologyResult[] => names.filter((n) => m.get(n)!.length).map((n) => cell(n, m.get(n)!));
  while (round < compare.maxRounds && active.length > 0) {
    round++;
    for (const n of active) {
      const rounds = pool.get(n)!;
      const r = rounds[Math.floor(random() * rounds.length)];
      base.get(n)!.push(trial(r.base, null));
      head.get(n)!.push(trial(r.head, effect));
      elapsed += 2 * secondsPerMeasurement;
    }
    if (round >= compare.rounds) {
      const next = 2 * secondsPerMeasurement * active.length;
      const final = round >= compare.maxRounds || (elapsed + next) * 1000 > compare.maxTimeMs;
      comparison = comparePaired(side(base), side(head), policy, { ...judging, final });
      active = active.filter((n) => comparison!.cells.find((c) => c.name === n)?.verdict === 'inconclusive');
      if (final) break;
    }
  }
  return { comparison: comparison!, rounds: round, seconds: elapsed, base: side(base), head: side(head) };
}

/** What one simulated stored-baseline verdict with compare.settle did: the verdicts, and the settling run's cells and time. */
export interface SettledOutcome {
  readonly comparison: Comparison;
  readonly settledCells: number;
  readonly seconds: number;
}

/**
 * One simulated stored-baseline verdict, settled as the action settles it: the cells it leaves
 * inconclusive get a compare: base run (drawn from the A/A corpus, the same effect on the head),
 * and settle.ts judges them on it.
 */
export function settledVerdict(
  storedRuns: readonly StoredRun[],
  abRuns: readonly AbRun[],
  c: StoredCase,
  compare: CompareConfig,
  policy: Policy,
  random: () => number,
): SettledOutcome {
  const stored = storedVerdict(storedRuns, c, policy, random);
  const names = cellsToSettle(stored);
  if (names.length === 0) return { comparison: stored, settledCells: 0, seconds: 0 };
  const o = abVerdict(abRuns, c.effect, compare, policy, random, names);
  const settle = { head: doc([...o.head], 'corpus CPU', 3), base: doc([...o.base], 'corpus CPU', 3) };
  return { comparison: settleComparison(stored, settle, compare, policy), settledCells: names.length, seconds: o.seconds };
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/** Whether a comparison fails the step. */
export const flagged = (c: Comparison): boolean => failureMessage(c) !== null;
