import { describe, expect, it } from 'vitest';
import { lnGamma, studentTCdf, studentTQuantile } from '../../src/stats/distributions.js';
import { holmAdjust, pairedRatioInterval, seededRandom, welchRatioInterval } from '../../src/stats/inference.js';

describe('Student t distribution (against published tables)', () => {
  const quantiles = [
    { p: 0.975, df: 4, expected: 2.776445105 },
    { p: 0.975, df: 9, expected: 2.262157163 },
    { p: 0.95, df: 1, expected: 6.313751515 },
    { p: 0.995, df: 30, expected: 2.749995654 },
    { p: 0.025, df: 4, expected: -2.776445105 },
  ];
  for (const q of quantiles) it(`t(${q.p}, ${q.df})`, () => expect(studentTQuantile(q.p, q.df)).toBeCloseTo(q.expected, 6));
  it('the quantile inverts the CDF for heavy tails, fractional df and far tails alike', () => {
    for (const df of [0.3, 1, 1.1, 2.5, 6, 15.7, 400]) {
      for (const p of [1e-7, 0.0005, 0.01, 0.3, 0.5, 0.77, 0.995, 1 - 1e-6]) {
        const t = studentTQuantile(p, df);
        // Within 10⁻⁹ of p in the CDF, or at the search's bound of ±10⁴ where the tail is that heavy.
        if (Math.abs(t) < 1e4 - 1) expect(Math.abs(studentTCdf(t, df) - p)).toBeLessThan(1e-9 * Math.max(1, p / 0.01));
        expect(Math.sign(t)).toBe(Math.sign(p - 0.5));
      }
    }
  });
  it('CDF', () => {
    expect(studentTCdf(2, 5)).toBeCloseTo(0.9490302605, 8);
    expect(studentTCdf(0, 3)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(-1, 10)).toBeCloseTo(0.1704465662, 8);
  });
  it('ln Γ', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
});

describe('paired ratio interval (values computed independently)', () => {
  it('A/A-like rounds: interval straddles 1', () => {
    const r = pairedRatioInterval([1.1, 0.9, 1.05, 0.95, 1.0], 0.95);
    expect(r.method).toBe('paired-t');
    expect(r.ratio).toBeCloseTo(0.997492456, 8);
    expect(r.low).toBeCloseTo(0.903936715, 6);
    expect(r.high).toBeCloseTo(1.100731039, 6);
    expect(r.pBelowOne).toBeCloseTo(studentTCdf(-0.0707801732, 4), 8);
  });
  it('a 20% drop: interval entirely below 1', () => {
    const r = pairedRatioInterval([0.8, 0.82, 0.79, 0.81], 0.95);
    expect(r.ratio).toBeCloseTo(0.804922352, 8);
    expect(r.low).toBeCloseTo(0.78463918, 6);
    expect(r.high).toBeCloseTo(0.82572985, 6);
    expect(r.pBelowOne).toBeLessThan(1e-4);
  });
  it('uses a seeded bootstrap for many skewed rounds, reproducibly', () => {
    const ratios = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.6, 1];
    const a = pairedRatioInterval(ratios, 0.95, seededRandom(42));
    const b = pairedRatioInterval(ratios, 0.95, seededRandom(42));
    expect(a.method).toBe('bootstrap');
    expect(a).toEqual(b);
    expect(a.low).toBeLessThan(a.ratio);
    expect(a.high).toBeGreaterThan(a.ratio);
  });
  it('one round gives no interval', () => {
    expect(pairedRatioInterval([0.9], 0.95)).toMatchObject({ method: 'none', low: 0, high: Infinity, pBelowOne: 1 });
  });
});

describe("Welch's t on log values", () => {
  // Wikipedia's Welch example 1 (t = −2.46, ν ≈ 24.99, two-sided p = 0.021), fed as exp(values).
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
  it('matches the published example', () => {
    const r = welchRatioInterval(a1.map(Math.exp), a2.map(Math.exp), 0.95);
    expect(Math.log(r.ratio)).toBeCloseTo(20.82 - 22.98667, 2);
    expect(2 * r.pBelowOne).toBeCloseTo(0.021, 3);
    expect(r.method).toBe('welch-t');
  });
});

describe('Holm', () => {
  it('adjusts a known family', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adjusted[i]).toBeCloseTo(v, 12));
  });
});
