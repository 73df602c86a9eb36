import { describe, expect, it } from 'vitest';
import { compareAb, type AbJudging } from '../src/ab/analyze.js';
import { nextRoundMs } from '../src/ab/run.js';
import { roundSchedule, shuffled } from '../src/ab/schedule.js';
import { policyFrom } from '../src/compare/compare.js';
import { DEFAULT_THRESHOLDS } from '../src/compare/thresholds.js';
import { DEFAULT_COMPARE } from '../src/config/load.js';
import { renderReport } from '../src/report/markdown.js';
import type { Results, TopologyResult, TrialResult } from '../src/results/types.js';
import { mergeMeasurements } from '../src/results/merge.js';
import { seededRandom } from '../src/stats/inference.js';

describe('interleaving', () => {
  const topologies = ['single', 'balancer', 'gunicorn-auto', 'gunicorn-2x', 'uvicorn'];

  it('every round runs each topology once on each side', () => {
    const random = seededRandom(3);
    for (let r = 0; r < 50; r++) {
      const round = roundSchedule(topologies, random);
      expect(round).toHaveLength(2 * topologies.length);
      for (const t of topologies) {
        expect(round.filter((m) => m.topology === t).map((m) => m.side).sort()).toEqual(['base', 'head']);
        // Base and head of a topology run back to back, so they see the same machine state.
        const at = round.findIndex((m) => m.topology === t);
        expect(round[at + 1].topology).toBe(t);
      }
    }
  });

  it('both orders occur, and topology orders vary', () => {
    const random = seededRandom(11);
    const firsts = new Set<string>();
    const orders = new Set<string>();
    for (let r = 0; r < 40; r++) {
      const round = roundSchedule(topologies, random);
      firsts.add(round[0].side);
      orders.add(round.filter((_, i) => i % 2 === 0).map((m) => m.topology).join(','));
    }
    expect(firsts).toEqual(new Set(['base', 'head']));
    expect(orders.size).toBeGreaterThan(20);
  });

  it('is reproducible with the same seed', () => {
    expect(roundSchedule(topologies, seededRandom(7))).toEqual(roundSchedule(topologies, seededRandom(7)));
    expect(shuffled([1, 2, 3, 4, 5], seededRandom(1))).toEqual(shuffled([1, 2, 3, 4, 5], seededRandom(1)));
    expect(roundSchedule(topologies, seededRandom(7))).not.toEqual(roundSchedule(topologies, seededRandom(8)));
  });
});

function trial(rps: number, cpu: number, p99 = 50): TrialResult {
  return { durationSec: 3, requests: rps * 3, rps, failures: 0, failuresPerSec: 0, latencyMs: { p50: 10, p90: 20, p99, max: 90 }, bytesPerSec: 1000, cpuMsPer1kRequests: cpu, loadgenCpu: 0.4 };
}

function cell(name: string, trials: TrialResult[]): TopologyResult {
  const parts = trials.map(
    (t): TopologyResult => ({
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
    }),
  );
  return mergeMeasurements(parts);
}

describe('A/B verdicts', () => {
  const policy = policyFrom(DEFAULT_THRESHOLDS, DEFAULT_COMPARE);
  const noisy = [1000, 1100, 950, 1050, 980];
  /** One look after the last round, spending all of α. */
  const once = (rounds: number): AbJudging => ({ plan: { alpha: policy.alpha, firstRound: rounds, maxRounds: rounds }, final: true });

  it('a clear 30% drop in every round is a regression; the same numbers on both sides are not', () => {
    const base = [cell('slow', noisy.map((r) => trial(r, 700))), cell('same', noisy.map((r) => trial(r, 700)))];
    const head = [cell('slow', noisy.map((r, i) => trial(r * 0.7 * (1 + 0.02 * ((i % 3) - 1)), 1000))), cell('same', noisy.map((r, i) => trial(r * (i % 2 ? 1.01 : 0.99), 700)))];
    const c = compareAb(base, head, policy, once(5));
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
    // rounds) stays inconclusive until the last look, which spends what α is left.
    const drop = [0.08, -0.08, 0.08, -0.08, 0].map((d) => Math.exp(Math.log(0.85) + d));
    const base = [cell('fine', noisy.slice(0, 3).map((r) => trial(r, 700))), cell('slow', noisy.map((r) => trial(r, 700)))];
    const head = [cell('fine', noisy.slice(0, 3).map((r) => trial(r, 700))), cell('slow', noisy.map((r, i) => trial(r * drop[i], 700)))];
    const c = compareAb(base, head, rpsOnly, { plan, final: true });
    expect(c.looks!.map((l) => l.round)).toEqual([3, 4, 5]);
    expect(c.cells.map((x) => [x.name, x.verdict, x.samples])).toEqual([
      ['fine', 'unchanged', 3],
      ['slow', 'regressed', 5],
    ]);
    expect(c.looks!.at(-1)!.alpha).toBeCloseTo(policy.alpha - c.looks![0].alpha - c.looks![1].alpha, 12);
    const results: Results = {
      schemaVersion: 2,
      tool: { name: 'flask-perf', version: '0' },
      startedAt: '',
      finishedAt: '',
      load: { connections: 8, warmupSec: 1, durationSec: 3, trials: 1, timeoutSec: 10 },
      environment: { cpuModel: 'x', cores: 2, os: 'Linux', node: 'v20', python: '3.11', flask: '3.1', gunicorn: '23', placement: { pinned: true, loadgenCpus: '0', serverCpus: '1', serverCores: 1, reason: '' } },
      topologies: head,
    };
    const report = renderReport(c, results, { configPath: 'c.yml', baselinePath: 'b.json' });
    expect(report).toMatch(/judged after rounds 3, 4, 5; α = 1% is spent over the looks by an O'Brien–Fleming-type function \([\d.]+%, [\d.]+%, [\d.]+%; the last look spends what is left\), each look a Holm step-down over its gated tests \(2 at the first\), so the chance of any false alarm over the whole run is at most 1%/);
  });

  it('a small change inside the noise is inconclusive, and says what would settle it', () => {
    const base = [cell('x', [trial(1000, 700), trial(1200, 700), trial(900, 700)])];
    const head = [cell('x', [trial(800, 700), trial(1250, 700), trial(850, 700)])];
    const c = compareAb(base, head, policy, once(3)).cells[0];
    expect(c.verdict).toBe('inconclusive');
    expect(c.reasons.join(' ')).toMatch(/about \d+ rounds would settle it/);
  });
});

describe('the time budget', () => {
  it('expects one more round to take one pair (both sides) of each active topology at its mean so far', () => {
    const took = new Map([
      ['a', [1000, 3000]],
      ['b', [500]],
      ['c', [9000]],
    ]);
    expect(nextRoundMs(['a', 'b'], took)).toBe(2000 + 500);
    expect(nextRoundMs([], took)).toBe(0);
  });
});
