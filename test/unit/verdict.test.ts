import { describe, expect, it } from 'vitest';
import { metricVerdict } from '../../src/compare/verdict.js';
import type { RatioInterval } from '../../src/stats/inference.js';

const interval = (ratio: number, low: number, high: number): RatioInterval => ({
  ratio,
  low,
  high,
  confidence: 0.98,
  pBelowOne: ratio < 1 ? 0.0001 : 0.9999,
  method: 'paired-t',
  n: 8,
  se: 0.02,
  df: 15,
});

describe('the verdict of one metric (threshold 10%)', () => {
  const cases = [
    {
      what: 'a significant drop past the threshold regresses at any look',
      i: interval(0.85, 0.8, 0.9),
      significant: true,
      interim: 'regression',
      final: 'regression',
    },
    {
      what: 'a significant drop whose estimate is within it but whose interval reaches past it: an earlier look waits, the last fails',
      i: interval(0.93, 0.88, 0.98),
      significant: true,
      interim: 'inconclusive',
      final: 'regression',
    },
    {
      what: 'a significant drop whose interval rules the threshold out passes: real, but smaller than what the gate is for',
      i: interval(0.96, 0.93, 0.99),
      significant: true,
      interim: 'no-regression',
      final: 'no-regression',
    },
    {
      what: 'not significant, reaching past it: inconclusive whenever it is judged',
      i: interval(0.95, 0.85, 1.06),
      significant: false,
      interim: 'inconclusive',
      final: 'inconclusive',
    },
    {
      what: 'a rise past the threshold, wholly above 1: an improvement',
      i: interval(1.2, 1.12, 1.28),
      significant: false,
      interim: 'improvement',
      final: 'improvement',
    },
  ] as const;
  for (const c of cases) {
    it(c.what, () => {
      expect(metricVerdict('rps', c.i, 0.1, c.significant, false)).toBe(c.interim);
      expect(metricVerdict('rps', c.i, 0.1, c.significant, true)).toBe(c.final);
    });
  }
  it('mirrored for a metric where higher is worse (CPU per request, threshold 5%)', () => {
    const i = { ...interval(1.03, 1.01, 1.07), pBelowOne: 0.0001 };
    expect(metricVerdict('cpu', i, 0.05, true, false)).toBe('inconclusive');
    expect(metricVerdict('cpu', i, 0.05, true, true)).toBe('regression');
    expect(metricVerdict('cpu', { ...interval(1.02, 1.005, 1.04), pBelowOne: 0.0001 }, 0.05, true, true)).toBe('no-regression');
  });
});
