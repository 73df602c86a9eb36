/**
 * Fits the noise model (src/compare/noise.ts MACHINE_NOISE) to the A/A corpus (bench/corpus/):
 * pure functions over the recorded points, printed by `npm run bench:detect -- --fit`.
 */
import { lnGamma } from '../src/stats/distributions.js';
import type { AbRun, StoredRun } from './replay.js';

/** A log-scale sd with the degrees of freedom behind it. */
export interface Fitted {
  readonly sd: number;
  readonly df: number;
}

type Metric = 'rps' | 'cpu' | 'p99';

const log = (v: number | null | undefined): number | null => (typeof v === 'number' && v > 0 ? Math.log(v) : null);
const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** Each ok cell's per-trial log values in each run: raw, or divided by the reference trial beside it. */
export function cellLogs(runs: readonly StoredRun[], metric: Metric, normalized: boolean): Map<string, number[][]> {
  const cells = new Map<string, number[][]>();
  for (const run of runs) {
    for (const t of run.topologies) {
      if (!t.ok) continue;
      const values = t.trials
        .map((p, i) => {
          const a = log(p[metric]);
          if (!normalized) return a;
          if (metric === 'p99') return null;
          const b = log(t.calibration?.[i]?.[metric]);
          return a === null || b === null ? null : a - b;
        })
        .filter((v): v is number => v !== null);
      if (values.length === 0) continue;
      const list = cells.get(t.name) ?? [];
      list.push(values);
      cells.set(t.name, list);
    }
  }
  return cells;
}

/** sd of one trial around its run's mean, pooled over cells and runs. */
export function withinRun(cells: ReadonlyMap<string, number[][]>): Fitted {
  let squares = 0;
  let df = 0;
  for (const runs of cells.values()) {
    for (const values of runs) {
      if (values.length < 2) continue;
      const m = mean(values);
      squares += values.reduce((s, v) => s + (v - m) ** 2, 0);
      df += values.length - 1;
    }
  }
  return { sd: df ? Math.sqrt(squares / df) : NaN, df };
}

/**
 * sd of the difference of two runs' means beyond what their trials explain: over every pair of
 * runs of each cell, Var(mean_j − mean_i) less 2·σ²_within/n, floored at 0.
 */
export function betweenRuns(cells: ReadonlyMap<string, number[][]>, within: Fitted): Fitted {
  let squares = 0;
  let pairs = 0;
  let trials = 0;
  let runs = 0;
  for (const list of cells.values()) {
    const means = list.map(mean);
    for (const values of list) trials += values.length;
    runs += list.length;
    for (let i = 0; i < means.length; i++) {
      for (let j = i + 1; j < means.length; j++) {
        squares += (means[j] - means[i]) ** 2;
        pairs++;
      }
    }
  }
  if (!pairs) return { sd: NaN, df: 0 };
  const perRun = trials / runs;
  const pure = squares / pairs - (2 * within.sd ** 2) / perRun;
  // Pairs of runs are not independent: the degrees of freedom are those of the run means.
  return { sd: Math.sqrt(Math.max(0, pure)), df: Math.max(1, runs - cells.size) };
}

/** sd of one paired round's log ratio head/base, around 0 (head = base), pooled over cells. */
export function perRound(runs: readonly AbRun[], metric: Metric): Fitted {
  let squares = 0;
  let n = 0;
  for (const run of runs) {
    for (const t of run.topologies) {
      for (const r of t.rounds) {
        const a = log(r.head[metric]);
        const b = log(r.base[metric]);
        if (a === null || b === null) continue;
        squares += (a - b) ** 2;
        n++;
      }
    }
  }
  return { sd: n ? Math.sqrt(squares / n) : NaN, df: n };
}

/** Correlation of run means of the app and of the reference app beside it, per cell (how much of the drift they share). */
export function sharedDrift(runs: readonly StoredRun[], metric: 'rps' | 'cpu'): Record<string, number> {
  const out: Record<string, number> = {};
  const raw = cellLogs(runs, metric, false);
  for (const [name, list] of raw) {
    const app = list.map(mean);
    const ref = runs
      .map(
        (r) =>
          r.topologies
            .find((t) => t.name === name && t.ok)
            ?.calibration?.map((c) => log(c[metric]))
            .filter((v): v is number => v !== null) ?? [],
      )
      .filter((v) => v.length > 0)
      .map(mean);
    if (ref.length !== app.length || app.length < 3) continue;
    const ma = mean(app);
    const mr = mean(ref);
    const cov = app.reduce((s, a, i) => s + (a - ma) * (ref[i] - mr), 0);
    const va = app.reduce((s, a) => s + (a - ma) ** 2, 0);
    const vr = ref.reduce((s, r) => s + (r - mr) ** 2, 0);
    out[name] = Math.round((cov / Math.sqrt(va * vr)) * 100) / 100;
  }
  return out;
}

/** Two runs of one cell: how far their normalized means and their reference app's means lie apart (log). */
export interface RunPair {
  readonly cell: string;
  /** Mean of log(app / reference) of the later run less the earlier's. */
  readonly apart: number;
  /** Mean of log(reference) of the later run less the earlier's: how much faster the machine ran. */
  readonly speed: number;
  /** Variance of `apart` the trials explain: σ²(1/n₁ + 1/n₂). */
  readonly trialPart: number;
}

/** Every pair of runs of every calibrated cell, with what their trials explain (pure). */
export function runPairs(runs: readonly StoredRun[], metric: 'rps' | 'cpu', trialSd: number): RunPair[] {
  const perCell = new Map<string, { norm: number; ref: number; n: number }[]>();
  for (const run of runs) {
    for (const t of run.topologies) {
      if (!t.ok || !t.calibration) continue;
      const norm: number[] = [];
      const ref: number[] = [];
      t.trials.forEach((p, i) => {
        const a = log(p[metric]);
        const b = log(t.calibration?.[i]?.[metric]);
        if (a === null || b === null) return;
        norm.push(a - b);
        ref.push(b);
      });
      if (!norm.length) continue;
      const list = perCell.get(t.name) ?? [];
      list.push({ norm: mean(norm), ref: mean(ref), n: norm.length });
      perCell.set(t.name, list);
    }
  }
  const pairs: RunPair[] = [];
  for (const [cell, list] of perCell) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        pairs.push({
          cell,
          apart: list[j].norm - list[i].norm,
          speed: list[j].ref - list[i].ref,
          trialPart: trialSd ** 2 * (1 / list[i].n + 1 / list[j].n),
        });
      }
    }
  }
  return pairs;
}

/**
 * The drift between runs as a function of how differently fast the machine ran them (pure):
 * apart ~ N(0, trialPart + drift² + (slope · speed)²), fitted by maximum likelihood on a grid.
 * `slope` is how far an app's log speed may stray from the reference app's per unit of the
 * reference's (cells here ranged −0.55…+0.46); `drift`, what is left when the speed did not move.
 * Both sds; the likelihood gain over a constant drift says whether the speed term earns its place.
 */
export function speedDrift(pairs: readonly RunPair[]): { drift: number; slope: number; gain: number } {
  const nll = (drift: number, slope: number): number =>
    pairs.reduce((s, p) => {
      const v = p.trialPart + drift ** 2 + (slope * p.speed) ** 2;
      return s + 0.5 * (Math.log(v) + p.apart ** 2 / v);
    }, 0);
  let best = { drift: 0, slope: 0, value: Infinity };
  let constant = Infinity;
  for (let d = 0; d <= 0.2; d += 0.001) {
    constant = Math.min(constant, nll(d, 0));
    for (let s = 0; s <= 1.5; s += 0.005) {
      const value = nll(d, s);
      if (value < best.value) best = { drift: d, slope: s, value };
    }
  }
  return { drift: Math.round(best.drift * 1000) / 1000, slope: Math.round(best.slope * 1000) / 1000, gain: Math.round((constant - best.value) * 10) / 10 };
}

/**
 * How much the machine's pooled drift says about one cell's (pure): each cell's run means spread
 * by its own drift τ²_c (per run) plus its trials' part; τ²_c drawn across cells from a scaled
 * inverse χ² with ν degrees of freedom and scale s². Fitted by maximum marginal likelihood (τ²_c
 * integrated out on a log grid, each cell's mean profiled out: its sum of squares has runs − 1 df).
 * A small ν says cells differ widely: as a prior beside a cell's own history, the pooled figure is
 * worth about ν degrees of freedom.
 */
export function cellDriftPrior(cells: ReadonlyMap<string, number[][]>, within: Fitted): { nu: number; scale: number; cells: Record<string, number> } {
  const data = [...cells].map(([name, list]) => {
    const means = list.map(mean);
    const m = mean(means);
    const perRun = mean(list.map((v) => v.length));
    return { name, ss: means.reduce((s, x) => s + (x - m) ** 2, 0), df: means.length - 1, trialPart: within.sd ** 2 / perRun };
  });
  const grid: number[] = [];
  for (let l = Math.log(1e-6); l <= Math.log(1); l += 0.05) grid.push(l);
  const cellLik = (c: (typeof data)[number], tau2: number): number => {
    const v = tau2 + c.trialPart;
    return -0.5 * c.df * Math.log(v) - c.ss / (2 * v);
  };
  // log density of ln τ² under a scaled inverse χ²(ν, s²).
  const logPrior = (lt: number, nu: number, s2: number): number =>
    (nu / 2) * Math.log((nu * s2) / 2) - lnGamma(nu / 2) - (nu / 2) * lt - (nu * s2) / (2 * Math.exp(lt));
  const marginal = (nu: number, s2: number): number =>
    data.reduce((total, c) => {
      const terms = grid.map((lt) => cellLik(c, Math.exp(lt)) + logPrior(lt, nu, s2));
      const top = Math.max(...terms);
      return total + top + Math.log(terms.reduce((s, t) => s + Math.exp(t - top), 0) * 0.05);
    }, 0);
  let best = { nu: 0, s2: 0, value: -Infinity };
  for (let nu = 0.2; nu <= 30; nu *= 1.1) {
    for (let ls = Math.log(1e-5); ls <= Math.log(0.1); ls += 0.1) {
      const value = marginal(nu, Math.exp(ls));
      if (value > best.value) best = { nu, s2: Math.exp(ls), value };
    }
  }
  const own: Record<string, number> = {};
  for (const c of data) own[c.name] = Math.round(Math.sqrt(Math.max(0, c.ss / c.df - c.trialPart)) * 1000) / 1000;
  return { nu: Math.round(best.nu * 10) / 10, scale: Math.round(Math.sqrt(best.s2) * 1000) / 1000, cells: own };
}

/**
 * How far two runs' means drift apart against how much each run's trials spread (pure;
 * noise-figures.ts RUN_SPREAD): per run the normalized trial spread pooled over its cells, and per
 * pair of runs and cell the drift beyond what the trials explain, over the larger of the two
 * spreads — as a root mean square over all pairs, and the worst |apart| / spread seen.
 */
export function spreadDrift(runs: readonly StoredRun[], metric: 'rps' | 'cpu'): { ratio: number; worst: number; pairs: number; spreads: number[] } {
  const perRun = runs.map((run) => {
    const cells = new Map<string, { mean: number; n: number }>();
    let squares = 0;
    let df = 0;
    for (const [name, [logs]] of cellLogs([run], metric, true)) {
      const m = mean(logs);
      cells.set(name, { mean: m, n: logs.length });
      squares += logs.reduce((s, v) => s + (v - m) ** 2, 0);
      df += logs.length - 1;
    }
    return { cells, spread: df > 0 ? Math.sqrt(squares / df) : 0 };
  });
  let excess = 0;
  let scale = 0;
  let worst = 0;
  let pairs = 0;
  for (let i = 0; i < perRun.length; i++) {
    for (let j = i + 1; j < perRun.length; j++) {
      const [a, b] = [perRun[i], perRun[j]];
      const larger = Math.max(a.spread, b.spread);
      if (!(larger > 0)) continue;
      for (const [cell, x] of a.cells) {
        const y = b.cells.get(cell);
        if (!y) continue;
        const apart = y.mean - x.mean;
        excess += apart ** 2 - a.spread ** 2 / x.n - b.spread ** 2 / y.n;
        scale += larger ** 2;
        worst = Math.max(worst, Math.abs(apart) / larger);
        pairs++;
      }
    }
  }
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { ratio: round(Math.sqrt(Math.max(0, excess / scale))), worst: round(worst), pairs, spreads: perRun.map((r) => round(r.spread)) };
}
