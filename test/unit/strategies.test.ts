import { describe, expect, it } from 'vitest';
import { createPicker } from '../../src/topology/balancer/strategies.js';

describe('balancer strategies', () => {
  const all = { up: [true, true, true, true, true], active: [0, 0, 0, 0, 0] };
  function counts(pick: (v: typeof all) => number, view = all, n = 1000): number[] {
    const c = view.up.map(() => 0);
    for (let i = 0; i < n; i++) c[pick(view)]++;
    return c;
  }
  it('round-robin cycles evenly', () => {
    expect(counts(createPicker('round-robin'))).toEqual([200, 200, 200, 200, 200]);
  });
  it('random spreads over every instance (seeded source)', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const c = counts(createPicker('random', random), all, 5000);
    for (const n of c) expect(n).toBeGreaterThan(850);
  });
  it('least-connections picks the least busy and spreads ties', () => {
    const pick = createPicker('least-connections');
    expect(pick({ up: [true, true, true], active: [3, 1, 2] })).toBe(1);
    expect(counts(pick, { up: [true, true], active: [0, 0] }, 10)).toEqual([5, 5]);
  });
  it('every strategy skips an instance that is down', () => {
    for (const s of ['random', 'round-robin', 'least-connections'] as const) {
      const c = counts(createPicker(s), { up: [true, false, true, true, true], active: [0, 0, 0, 0, 0] });
      expect(c[1]).toBe(0);
    }
  });
  it('returns -1 when none is up', () => {
    expect(createPicker('round-robin')({ up: [false, false], active: [0, 0] })).toBe(-1);
  });
});
