import { describe, expect, it } from 'vitest';
import { EMPTY_SEARCH, judgeStep, nextRate, record, type SearchState, type StepOutcome } from '../../src/capacity/search.js';

const goal = { p99Ms: 100, errorShare: 0.01 };

/** A server whose p99 stays 20 ms up to `capacity` req/s and explodes past it. */
function stepAt(rate: number, capacity: number): StepOutcome {
  const over = rate > capacity;
  return judgeStep({ rate, sentRate: rate, achievedRate: over ? capacity : rate, p50Ms: 5, p99Ms: over ? 2000 : 20, errorShare: 0, lateMsP99: 1 }, goal);
}

function search(capacity: number, start: number, maxRate = 100_000, steps = 30): { state: SearchState; end: string } {
  let state = EMPTY_SEARCH;
  for (let i = 0; i < steps; i++) {
    const next = nextRate(state, { start, maxRate, resolution: 0.05 });
    if ('done' in next) return { state, end: next.done };
    state = record(state, stepAt(next.rate, capacity));
  }
  return { state, end: 'out of steps' };
}

describe('the capacity search', () => {
  it('judges a step by p99, failures and whether the schedule was kept, and says why', () => {
    expect(stepAt(100, 200).pass).toBe(true);
    const slow = judgeStep({ rate: 500, sentRate: 400, achievedRate: 380, p50Ms: 50, p99Ms: 180, errorShare: 0.032, lateMsP99: 1 }, goal);
    expect(slow.pass).toBe(false);
    expect(slow.reason).toBe('p99 180 ms > 100 ms; failures 3.2% > 1%; only 80% of the rate was sent');
    const behind = judgeStep({ rate: 9000, sentRate: 9000, achievedRate: 9000, p50Ms: 1, p99Ms: 5, errorShare: 0, lateMsP99: 45 }, goal);
    expect([behind.pass, behind.generatorLimited]).toEqual([false, true]);
    expect(behind.reason).toMatch(/^the load generator fell behind its schedule \(p99 45\.0 ms late\)/);
  });

  const cases = [
    { what: 'from below: up by half until it fails, then bisects', capacity: 1240, start: 500 },
    { what: 'from above: halves until it passes, then bisects', capacity: 300, start: 2000 },
    { what: 'a start right at it', capacity: 800, start: 800 },
  ];
  for (const c of cases) {
    it(`${c.what} to within 5%, in few steps`, () => {
      const { state, end } = search(c.capacity, c.start);
      expect(end).toBe('bracketed');
      expect(state.low!.rate).toBeLessThanOrEqual(c.capacity);
      expect(state.high!.rate).toBeGreaterThan(c.capacity);
      expect(state.high!.rate / state.low!.rate).toBeLessThanOrEqual(1.05);
      expect(state.steps.length).toBeLessThanOrEqual(12);
    });
  }

  it('stops at the maximum when everything passes, and below the minimum when nothing does', () => {
    const all = search(1e9, 100, 1000);
    expect([all.end, all.state.low!.rate]).toEqual(['at-maximum', 1000]);
    const none = search(0, 100);
    expect(none.end).toBe('below-minimum');
    expect(none.state.low).toBeNull();
  });

  it('stops where the load generator fell behind: above that the numbers would be its own', () => {
    let state = record(EMPTY_SEARCH, stepAt(1000, 5000));
    state = record(state, judgeStep({ rate: 1500, sentRate: 1500, achievedRate: 1500, p50Ms: 1, p99Ms: 5, errorShare: 0, lateMsP99: 60 }, goal));
    expect(nextRate(state, { start: 1000, maxRate: 1e5, resolution: 0.05 })).toEqual({ done: 'generator-limit' });
  });
});
