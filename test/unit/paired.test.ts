import { describe, expect, it } from 'vitest';
import { policyFrom } from '../../src/compare/cells.js';
import { failureMessage } from '../../src/compare/gate.js';
import { comparePaired, type PairedJudging } from '../../src/compare/paired.js';
import { DEFAULT_THRESHOLDS } from '../../src/compare/thresholds.js';
import { DEFAULT_COMPARE } from '../../src/config/load.js';
import { renderReport } from '../../src/report/markdown.js';
import type { Results, TopologyResult, TrialResult } from '../../src/results/types.js';
import { environment, results, trial } from '../support/build.js';
import { mergeMeasurements } from '../../src/results/merge.js';

function cell(name: string, trials: TrialResult[]): TopologyResult {
  const parts = trials.map((t): TopologyResult => ({
    name,
    kind: 'gunicorn',
    ok: true,
    error: null,
    totalRequests: t.requests,
    rps: t.rps,
    failuresPerSec: 0,
    latencyMs: t.latencyMs,
    bytesPerSec: 1000,
    cpuMsPer1kRequests: t.cpuMsPer1kRequests,
    peakRssMb: 50,
    workers: 5,
    instances: null,
    trials: [t],
    endpoints: [],
    warnings: [],
    peakTimeWait: 0,
  }));
  return mergeMeasurements(parts);
}

describe('A/B verdicts', () => {
  const policy = policyFrom(DEFAULT_THRESHOLDS, DEFAULT_COMPARE);
  const noisy = [1000, 1100, 950, 1050, 980];
  /** One look after the last round, spending all of α. */
  const once = (rounds: number): PairedJudging => ({ plan: { alpha: policy.alpha, firstRound: rounds, maxRounds: rounds }, final: true });

  it('a base that failed in the job compares nothing: inconclusive, with the cause, never a pass as a new cell', () => {
    const ok = cell(
      'g',
      noisy.map((r) => trial(r)),
    );
    const failed: TopologyResult = {
      ...ok,
      ok: false,
      trials: [],
      error: 'server exited with exit code 127 before becoming healthy; last output:\n/bin/sh: 1: /wt/.venv/bin/python: not found\n',
    };
    const c = comparePaired([failed], [ok], policy, once(5));
    expect(c.cells[0].verdict).toBe('inconclusive');
    expect(c.cells[0].reasons).toEqual([
      'the base failed in this job, so nothing was compared: server exited with exit code 127 before becoming healthy; last output: /bin/sh: 1: /wt/.venv/bin/python: not found',
    ]);
    // Its figures are not zeros.
    expect(c.cells[0].rps.base).toBeNull();
    expect(renderReport(c, results([ok]), { configPath: 'c.yml', baselinePath: 'b.json' }).split('\n')[1]).toContain('❔ no regression found; 1 inconclusive');
  });

  it('a base with no record of a cell compares nothing: inconclusive, not a new cell that passes (a results directory can drop one)', () => {
    const slow = cell(
      'g',
      noisy.map((r) => trial(r / 2)),
    );
    const c = comparePaired([], [slow], policy, { ...once(5), expected: ['g'] });
    expect(c.cells[0].verdict).toBe('inconclusive');
    expect(c.cells[0].reasons).toEqual(['the base has no measurement of it, so nothing was compared']);
    // With fail-on-inconclusive it fails the step: dropping the cell does not get past the gate.
    expect(failureMessage(comparePaired([], [slow], { ...policy, failOnInconclusive: true }, { ...once(5), expected: ['g'] }))).toContain('inconclusive: g');
  });

  it('a clear 30% drop in every round is a regression; the same numbers on both sides are not', () => {
    const base = [
      cell(
        'slow',
        noisy.map((r) => trial(r, 700)),
      ),
      cell(
        'same',
        noisy.map((r) => trial(r, 700)),
      ),
    ];
    const head = [
      cell(
        'slow',
        noisy.map((r, i) => trial(r * 0.7 * (1 + 0.02 * ((i % 3) - 1)), 1000)),
      ),
      cell(
        'same',
        noisy.map((r, i) => trial(r * (i % 2 ? 1.01 : 0.99), 700)),
      ),
    ];
    const c = comparePaired(base, head, policy, once(5));
    const slow = c.cells.find((x) => x.name === 'slow')!;
    const same = c.cells.find((x) => x.name === 'same')!;
    expect(slow.verdict).toBe('regressed');
    expect(slow.reasons[0]).toMatch(/^req\/s −30\.\d% \[−3\d\.\d%, −2\d\.\d%\] \(threshold 10%\)/);
    expect(same.verdict).toBe('unchanged');
    expect(c.gatedTests).toBe(4); // rps and cpu of two cells
    expect(slow.samples).toBe(5);
  });

  it('judges look by look: α spent over the looks, a cell keeps the verdict of the look that decided it', () => {
    const plan = { alpha: policy.alpha, firstRound: 3, maxRounds: 8 };
    const rpsOnly = { ...policy, gate: ['rps'] as const };
    // "fine" is decided unchanged at the first look and measured no more; "slow" (−15%, noisy
    // rounds) stays inconclusive until the last look, which spends what α the plan has left.
    const drop = [0.08, -0.08, 0.08, -0.08, 0].map((d) => Math.exp(Math.log(0.85) + d));
    const base = [
      cell(
        'fine',
        noisy.slice(0, 3).map((r) => trial(r, 700)),
      ),
      cell(
        'slow',
        noisy.map((r) => trial(r, 700)),
      ),
    ];
    const head = [
      cell(
        'fine',
        noisy.slice(0, 3).map((r) => trial(r, 700)),
      ),
      cell(
        'slow',
        noisy.map((r, i) => trial(r * drop[i], 700)),
      ),
    ];
    const c = comparePaired(base, head, rpsOnly, { plan, final: true });
    expect(c.looks!.map((l) => l.round)).toEqual([3, 4, 5]);
    expect(c.cells.map((x) => [x.name, x.verdict, x.samples])).toEqual([
      ['fine', 'unchanged', 3],
      ['slow', 'regressed', 5],
    ]);
    // All of α is spent, and no more.
    expect(c.looks!.reduce((sum, l) => sum + l.alpha, 0)).toBeCloseTo(policy.alpha, 12);
    const results: Results = {
      schemaVersion: 2,
      tool: { name: 'flask-perf', version: '0' },
      startedAt: '',
      finishedAt: '',
      load: { connections: 8, warmupSec: 1, durationSec: 3, trials: 1, timeoutSec: 10 },
      environment: environment(),
      topologies: head,
    };
    const report = renderReport(c, results, { configPath: 'c.yml', baselinePath: 'b.json' });
    expect(report).toMatch(
      /judged after rounds 3, 4, 5; α = 1% is spent over the looks by an O'Brien–Fleming-type function \([\d.]+%, [\d.]+%, [\d.]+%; the last look spends what the earlier ones left\), each look a Holm step-down over its gated tests \(2 at the first\), so the chance of any false alarm over the whole run is at most 1%/,
    );
  });

  it('a small change inside the noise is inconclusive, and says what would settle it', () => {
    const base = [cell('x', [trial(1000, 700), trial(1200, 700), trial(900, 700)])];
    const head = [cell('x', [trial(800, 700), trial(1250, 700), trial(850, 700)])];
    const c = comparePaired(base, head, policy, once(3)).cells[0];
    expect(c.verdict).toBe('inconclusive');
    expect(c.reasons.join(' ')).toMatch(/about \d+ rounds would settle it/);
  });

  it('capacity searched by turns: one look with all of α; halved fails, the same passes', () => {
    const searched = (name: string, rate: number): TopologyResult => ({
      ...cell(name, [trial(rate, 700), trial(rate * 0.8, 700), trial(rate * 1.2, 900)]),
      capacity: { goal: { p99Ms: 100, errorShare: 0.01 }, rate, missedAt: rate * 1.05, end: 'bracketed', budgetSec: 60, spentSec: 30, steps: [] },
    });
    const gated = { ...policy, gate: ['capacity'] as const };
    const c = comparePaired([searched('a', 1000), searched('b', 1000)], [searched('a', 480), searched('b', 1010)], gated, once(3));
    expect(c.looks).toEqual([{ round: 1, alpha: policy.alpha }]);
    // One search a side cannot rule out a 10% drop (a search's own spread is about 8%): inconclusive, with why.
    expect(c.cells.map((x) => [x.name, x.verdict, x.samples])).toEqual([
      ['a', 'regressed', 1],
      ['b', 'inconclusive', 1],
    ]);
    expect(c.cells[0].metrics.map((m) => m.metric)).toEqual(['capacity']);
    expect(c.cells[1].reasons.join(' ')).toMatch(/capacity searches land about ±\d+% apart: a longer load\.capacity\.step narrows that/);
  });
});
