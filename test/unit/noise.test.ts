import { describe, expect, it } from 'vitest';
import {
  capacityNoise,
  capacityValue,
  foreignVariance,
  historyEntry,
  historySpread,
  nextHistory,
  pooledDrift,
  storedNoise,
  trialForeign,
  trialScale,
  trialSpread,
} from '../../src/compare/noise.js';
import {
  CAPACITY_NOISE,
  CROSS_HARDWARE,
  DRIFT_PRIOR_DF,
  GENERIC_REFERENCE_WIDENING,
  HISTORY_LENGTH,
  MACHINE_NOISE,
  OLD_BASELINE_WIDENING,
} from '../../src/compare/noise-figures.js';
import { pairedRatioInterval, unpairedRatioInterval } from '../../src/stats/inference.js';
import type { Results, TopologyResult } from '../../src/results/types.js';
import { readData } from '../support/data.js';

const prior = { withinSd: 0.1, withinDf: 8, betweenSd: 0.08, betweenDf: 10 };

describe('intervals under a noise model (values computed independently)', () => {
  it('one trial a side: the prior alone decides, a halving stands far outside it', () => {
    const i = unpairedRatioInterval([500], [1000], prior, 0.98);
    // variance = 0.1² × (1 + 1) + 0.08² = 0.0264; se = 0.16248; df = 0.0264² / (0.02²/8 + 0.0064²/10)
    expect(i.se).toBeCloseTo(0.162481, 5);
    expect(i.df).toBeCloseTo(0.0264 ** 2 / (0.02 ** 2 / 8 + 0.0064 ** 2 / 10), 6);
    expect(i.ratio).toBeCloseTo(0.5, 12);
    expect(i.pBelowOne).toBeLessThan(0.001);
  });
  it("the trials' own spread pools with the prior's", () => {
    const i = unpairedRatioInterval([100, 110, 90], [100, 100, 100], { ...prior, betweenSd: 0 }, 0.95);
    const a = [100, 110, 90].map(Math.log);
    const m = a.reduce((x, y) => x + y, 0) / 3;
    const ss = a.reduce((s, v) => s + (v - m) ** 2, 0);
    const within = (ss + 8 * 0.01) / (2 + 2 + 8);
    expect(i.se).toBeCloseTo(Math.sqrt(within * (2 / 3)), 10);
    expect(i.df).toBeCloseTo(12, 10);
  });
  it('three agreeing rounds do not make a narrow paired interval once pooled with the per-round prior', () => {
    const lucky = pairedRatioInterval([0.9, 0.9001, 0.8999], 0.98);
    const pooled = pairedRatioInterval([0.9, 0.9001, 0.8999], 0.98, undefined, { withinSd: 0.06, withinDf: 8, betweenSd: 0, betweenDf: 1 });
    expect(lucky.high - lucky.low).toBeLessThan(0.001);
    expect(pooled.high - pooled.low).toBeGreaterThan(0.1);
    expect(pooled.df).toBe(10);
  });
});

function cell(name: string, rps: number[], cpu: number[] = rps.map(() => 500)): TopologyResult {
  const base = readData('baseline.json').topologies[0];
  return { ...base, name, trials: rps.map((r, i) => ({ ...base.trials[0], rps: r, cpuMsPer1kRequests: cpu[i] })) };
}
const results = (topologies: TopologyResult[], at = '2026-11-28T00:00:00Z'): Results => ({
  ...readData('baseline.json'),
  schemaVersion: 2,
  finishedAt: at,
  topologies,
  noise: { trialSpread: trialSpread(topologies), history: [] },
});

describe('the noise record', () => {
  it("pools the trials' spread over cells", () => {
    const spread = trialSpread([cell('a', [100, 110]), cell('b', [200, 180, 190])]);
    expect(spread.df).toBe(3);
    expect(spread.rps).toBeGreaterThan(0.04);
    expect(spread.rps).toBeLessThan(0.08);
  });
  it('a history entry is each cell’s log ratio of run means; the history keeps the last 20', () => {
    const e = historyEntry(results([cell('a', [100, 100])]), results([cell('a', [110, 110])]));
    expect(e.cells.a.rps).toBeCloseTo(Math.log(1.1), 4);
    let history = results([cell('a', [100])]);
    for (let i = 0; i < 25; i++) {
      const next = results([cell('a', [100 + i])], `2026-11-${10 + (i % 18)}T00:00:00Z`);
      history = { ...next, noise: { ...next.noise!, history: nextHistory(history, next) } };
    }
    expect(history.noise!.history).toHaveLength(HISTORY_LENGTH);
  });
  it('a cell’s history counts from 5 entries: the root mean square of its own ratios, less what the trials explain, tails kept', () => {
    const ratios = [0.1, -0.1, 0.12, -0.08, 0.02, -0.5];
    const entries = ratios.map((r, i) => ({ at: String(i), cells: { a: { rps: r, cpu: r }, b: { rps: 0, cpu: 0 } } }));
    expect(historySpread(entries.slice(0, 4), 'a', 'rps', 0.05, 3)).toBeNull();
    expect(historySpread(entries, 'c', 'rps', 0.05, 3)).toBeNull();
    const s = historySpread(entries, 'a', 'rps', 0.05, 3)!;
    const meanSquare = ratios.reduce((x, r) => x + r * r, 0) / 6;
    expect(s.df).toBe(6);
    expect(s.sd).toBeCloseTo(Math.sqrt(meanSquare - (2 * 0.05 ** 2) / 3), 12);
    // The −50% entry is kept, not discounted as an outlier: sd ≈ 0.22, where a median spread gives ≈ 0.15.
    expect(s.sd).toBeGreaterThan(0.2);
    // Another cell of the same history that never moved: what the trials explain, floored at 0.
    expect(historySpread(entries, 'b', 'rps', 0.05, 3)!.sd).toBe(0);
    // Entries of the other kind (raw where normalized ones are asked for) do not count.
    expect(historySpread(entries, 'a', 'rps', 0.05, 3, true)).toBeNull();
  });
  it('a history joins the machine default by degrees of freedom', () => {
    const pooled = pooledDrift({ sd: 0.02, df: 12 }, { sd: 0.086, df: 4 });
    expect(pooled.df).toBe(16);
    expect(pooled.sd).toBeCloseTo(Math.sqrt((12 * 0.0004 + 4 * 0.086 ** 2) / 16), 12);
    const before = cell('a', [100, 100, 100]);
    const quiet = Array.from({ length: 8 }, (_, i) => ({ at: String(i), cells: { a: { rps: 0.01 * (i % 2 ? 1 : -1), cpu: 0, normalized: true } } }));
    const doc = { ...results([before]), noise: { trialSpread: trialSpread([before]), history: quiet } };
    const n = storedNoise('rps', { baseline: doc, base: before, calibration: 'interleaved', crossHardware: false });
    const own = historySpread(quiet, 'a', 'rps', MACHINE_NOISE.interleaved.trial.rps.sd, 3, true)!;
    // Normalized, the machine default counts as 1 df beside the cell's 8: cells drift unalike.
    expect(n.prior.betweenSd).toBeCloseTo(Math.sqrt((8 * own.sd ** 2 + MACHINE_NOISE.interleaved.runs.rps.sd ** 2) / 9), 12);
    expect(n.prior.betweenDf).toBe(8 + DRIFT_PRIOR_DF.interleaved);
    expect(n.prior.betweenSd).toBeLessThan(MACHINE_NOISE.interleaved.runs.rps.sd / 2);
    expect(n.source).toContain("cell's history of 9 baselines");
    // Raw values share the machine's speed: there the default keeps its weight.
    const rawHistory = quiet.map((e) => ({ ...e, cells: { a: { ...e.cells.a, normalized: false } } }));
    const raw = storedNoise('rps', {
      baseline: { ...doc, noise: { ...doc.noise, history: rawHistory } },
      base: before,
      calibration: 'none',
      crossHardware: false,
    });
    const rawOwn = historySpread(rawHistory, 'a', 'rps', MACHINE_NOISE.trial.rps.sd, 3)!;
    expect(raw.prior.betweenSd).toBeCloseTo(pooledDrift(rawOwn, { sd: MACHINE_NOISE.runs.rps.sd, df: DRIFT_PRIOR_DF.none }).sd, 12);
    expect(raw.prior.betweenDf).toBe(8 + MACHINE_NOISE.runs.rps.df);
    // Across hardware the history speaks for the baseline's machine only: half the difference is
    // its, half the default's (the head's machine), then what calibration leaves between machines.
    const cross = storedNoise('rps', { baseline: doc, base: before, calibration: 'interleaved', crossHardware: true });
    const drift = MACHINE_NOISE.interleaved.runs.rps;
    expect(cross.prior.betweenSd).toBeCloseTo(Math.sqrt((n.prior.betweenSd ** 2 + drift.sd ** 2) / 2 + CROSS_HARDWARE.calibrated ** 2), 12);
    expect(cross.prior.betweenDf).toBe(Math.min(n.prior.betweenDf, drift.df));
    expect(cross.source).toContain('for the baseline’s machine, the default for this one');
  });
  it('an older baseline is judged with widened noise, and says so; across hardware more is added', () => {
    const before = cell('a', [100, 100]);
    const old = storedNoise('rps', { baseline: { ...results([before]), schemaVersion: 1 }, base: before, calibration: 'none', crossHardware: false });
    expect(old.prior.betweenSd).toBeCloseTo(MACHINE_NOISE.runs.rps.sd * OLD_BASELINE_WIDENING, 12);
    expect(old.source).toContain('predates noise records');
    const cross = storedNoise('rps', { baseline: results([before]), base: before, calibration: 'none', crossHardware: true });
    expect(cross.prior.betweenSd).toBeGreaterThan(MACHINE_NOISE.runs.rps.sd);
    expect(cross.source).toContain('no calibration');
  });
  it('a generic reference (a command topology) widens the by-turns drift ×1.5 and, across hardware, leaves more than one of the same shape', () => {
    const before = cell('a', [100, 100]);
    const doc = results([before]);
    const of = (generic: boolean, crossHardware: boolean) =>
      storedNoise('rps', { baseline: doc, base: before, calibration: 'interleaved', generic, crossHardware });
    expect(of(false, false).prior.betweenSd).toBeCloseTo(MACHINE_NOISE.interleaved.runs.rps.sd, 12);
    expect(of(true, false).prior.betweenSd).toBeCloseTo(MACHINE_NOISE.interleaved.runs.rps.sd * GENERIC_REFERENCE_WIDENING, 12);
    expect(of(true, false).prior.betweenSd).toBeLessThan(MACHINE_NOISE.runs.rps.sd * 0.7);
    expect(of(true, false).source).toContain('gauges the machine, not the command’s shape');
    expect(of(true, true).prior.betweenSd ** 2 - of(true, false).prior.betweenSd ** 2).toBeCloseTo(CROSS_HARDWARE.generic ** 2, 12);
    expect(of(false, true).prior.betweenSd ** 2 - of(false, false).prior.betweenSd ** 2).toBeCloseTo(CROSS_HARDWARE.calibrated ** 2, 12);
    // Uncalibrated, the flag changes nothing: there is no reference to widen.
    const none = (generic: boolean) => storedNoise('rps', { baseline: doc, base: before, calibration: 'none', generic, crossHardware: false }).prior;
    expect(none(true)).toEqual(none(false));
  });
  it('trials shorter than the corpus’s 5 s are judged with wider trial noise (√(5 / length)), longer ones not narrower', () => {
    expect(trialScale(5)).toBe(1);
    expect(trialScale(15)).toBe(1);
    expect(trialScale(1.25)).toBeCloseTo(2, 12);
    expect(trialScale(0)).toBe(1);
    const before = cell('a', [100, 100]);
    const doc = results([before]);
    const at = (trialSec: number) => storedNoise('rps', { baseline: doc, base: before, calibration: 'interleaved', crossHardware: false, trialSec }).prior;
    expect(at(15).withinSd).toBeCloseTo(MACHINE_NOISE.interleaved.trial.rps.sd, 12);
    expect(at(2).withinSd).toBeCloseTo(MACHINE_NOISE.interleaved.trial.rps.sd * Math.sqrt(2.5), 12);
    // Between-run drift does not average away with longer trials: unchanged.
    expect(at(2).betweenSd).toBe(at(15).betweenSd);
  });
});

describe('what other processes took, and capacity', () => {
  it('a trial where others took a share s (over 5%) of a measured CPU adds s²/3 over n² to its side’s variance', () => {
    expect(foreignVariance([0.02, null, 0.04])).toBe(0);
    expect(foreignVariance([0.3, 0, 0])).toBeCloseTo(0.09 / 3 / 9, 12);
    const before = cell('a', [100, 100]);
    const quiet = storedNoise('rps', { baseline: results([before]), base: before, calibration: 'none', crossHardware: false });
    const busy = storedNoise('rps', {
      baseline: results([before]),
      base: before,
      calibration: 'none',
      crossHardware: false,
      foreign: { base: [0, 0], head: [0.38, 0.01] },
    });
    expect(busy.prior.betweenSd ** 2 - quiet.prior.betweenSd ** 2).toBeCloseTo(0.38 ** 2 / 3 / 4, 10);
    expect(busy.source).toContain('other processes took from the measured CPUs (up to 38% in a trial)');
    expect(trialForeign({ ...before.trials[0], foreign: { loadgen: 0.1, server: 0.3 } })).toBe(0.3);
    expect(trialForeign(before.trials[0])).toBeNull();
  });

  it('a capacity is divided by the reference app’s req/s when it has them; its noise is the search’s own, and more between runs', () => {
    const base = cell('a', [100]);
    const capacity = { goal: { p99Ms: 100, errorShare: 0.01 }, rate: 1200, missedAt: 1260, end: 'bracketed' as const, budgetSec: 60, spentSec: 40, steps: [] };
    expect(capacityValue({ ...base, capacity })).toEqual({ value: 1200, normalized: false });
    expect(capacityValue({ ...base, capacity: { ...capacity, reference: [400, 400, 400] } })!.value).toBeCloseTo(3, 12);
    expect(capacityValue({ ...base, capacity: { ...capacity, rate: 0 } })).toBeNull();
    const paired = capacityNoise({ normalized: false, paired: true, crossHardware: false });
    const raw = capacityNoise({ normalized: false, paired: false, crossHardware: false });
    const normalized = capacityNoise({ normalized: true, paired: false, crossHardware: false });
    expect(paired.prior.betweenSd).toBe(0);
    expect(normalized.prior.betweenSd).toBeLessThan(raw.prior.betweenSd);
    expect(paired.prior.withinSd).toBe(CAPACITY_NOISE.sd);
  });
});
