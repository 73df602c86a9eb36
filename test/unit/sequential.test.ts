import { describe, expect, it } from 'vitest';
import { lookAlpha, spentAlpha } from '../../src/compare/sequential.js';
import { normalCdf, normalQuantile } from '../../src/stats/distributions.js';

describe('the normal distribution (against published tables)', () => {
  const cases = [
    { z: 0, p: 0.5 },
    { z: 1.959964, p: 0.975 },
    { z: -2.575829, p: 0.005 },
    { z: 3.090232, p: 0.999 },
    { z: -4.264891, p: 1e-5 },
  ];
  for (const c of cases) {
    it(`Φ(${c.z})`, () => expect(normalCdf(c.z) / c.p).toBeCloseTo(1, 5));
    it(`Φ⁻¹(${c.p})`, () => expect(normalQuantile(c.p)).toBeCloseTo(c.z, 4));
  }
});

describe("O'Brien–Fleming-type α-spending (Lan–DeMets)", () => {
  it('spends nothing at the start and all of α at the end, growing between', () => {
    expect(spentAlpha(0.05, 0)).toBe(0);
    expect(spentAlpha(0.05, 1)).toBe(0.05);
    const ts = [0.2, 0.4, 0.6, 0.8, 1];
    const spent = ts.map((t) => spentAlpha(0.05, t));
    for (let i = 1; i < spent.length; i++) expect(spent[i]).toBeGreaterThan(spent[i - 1]);
  });
  it('matches the published spending at t = 0.5 (α = 0.05 two-sided: 2 − 2Φ(1.96/√0.5) = 0.00557)', () => {
    expect(spentAlpha(0.05, 0.5)).toBeCloseTo(0.005574, 5);
  });
  it('looks after rounds 3–8 of 8 spend exactly α in all, little early', () => {
    const plan = { alpha: 0.01, firstRound: 3, maxRounds: 8 };
    const looks = [3, 4, 5, 6, 7, 8].map((r) => lookAlpha(plan, r, r === 8));
    expect(looks.reduce((a, b) => a + b, 0)).toBeCloseTo(0.01, 12);
    expect(looks[0]).toBeLessThan(0.0001);
    for (const a of looks) expect(a).toBeGreaterThan(0);
  });
  it('a last look before the planned end spends what is left', () => {
    const plan = { alpha: 0.01, firstRound: 3, maxRounds: 8 };
    const spent = lookAlpha(plan, 3, false) + lookAlpha(plan, 4, false) + lookAlpha(plan, 5, true);
    expect(spent).toBeCloseTo(0.01, 12);
  });
  it('a single planned look spends all of α', () => expect(lookAlpha({ alpha: 0.05, firstRound: 3, maxRounds: 3 }, 3, true)).toBe(0.05));
});
