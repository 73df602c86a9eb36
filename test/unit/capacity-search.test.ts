import { describe, expect, it } from 'vitest';
import { EMPTY_SEARCH, judgeStep, nextRate, record, type SearchState, type StepOutcome } from '../../src/capacity/search.js';

const goal = { p99Ms: 100, errorShare: 0.01 };

/** A server whose p99 stays 20 ms up to `capacity` req/s and explodes past it. */
function stepAt(rate: number, capacity: number): StepOutcome {
  const over = rate > capacity;
  return judgeStep({ rate, sentRate: rate, achievedRate: over ? capacity : rate, p50Ms: 5, p99Ms: over ? 2000 : 20, errorShare: 0, lateMsP99: 1 }, goal);
}

/** A step during which the host stalled for 300 ms: p99 past the goal, nearly every request answered. */
const stallAt = (rate: number): StepOutcome =>
  judgeStep({ rate, sentRate: rate, achievedRate: 0.97 * rate, p50Ms: 5, p99Ms: 300, errorShare: 0, lateMsP99: 1 }, goal);

/** The search against that server; `stalls` lists the steps (by index) at which the host stalled. */
function search(capacity: number, start: number, maxRate = 100_000, steps = 30, stalls: readonly number[] = []): { state: SearchState; end: string } {
  let state = EMPTY_SEARCH;
  for (let i = 0; i < steps; i++) {
    const next = nextRate(state, { start, maxRate, resolution: 0.05 });
    if ('done' in next) return { state, end: next.done };
    state = record(state, stalls.includes(i) ? stallAt(next.rate) : stepAt(next.rate, capacity));
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
      expect(state.steps.length).toBeLessThanOrEqual(16);
      // A rate that bounds the search failed twice, unless it was plainly overloaded.
      const high = state.high!;
      expect(state.steps.filter((s) => s.rate === high.rate && !s.pass)).toHaveLength(high.achievedRate < 0.8 * high.rate ? 1 : 2);
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

  it('tries a failed rate once more: a stall of the host does not cap the capacity, a rate that fails twice does', () => {
    // The first step (500 req/s, a third of the capacity) stalls; its second try passes.
    const stalled = search(1240, 500, 100_000, 30, [0]);
    expect(stalled.end).toBe('bracketed');
    expect(stalled.state.steps.slice(0, 2).map((s) => [s.rate, s.pass])).toEqual([
      [500, false],
      [500, true],
    ]);
    expect(stalled.state.low!.rate).toBeGreaterThan(1240 / 1.05);
    expect(stalled.state.high!.rate).toBeGreaterThan(1240);
    // Stalls on both tries: the rate failed, and the search brackets below it.
    const twice = search(1240, 500, 100_000, 30, [0, 1]);
    expect(twice.state.steps[2].rate).toBe(250);
    expect(twice.state.high!.rate).toBe(500);
    expect(twice.state.low!.rate).toBeGreaterThan(500 / 1.05);
    // Answering under 80% of the rate is overload, not a stall: it is not tried again.
    const over = record(EMPTY_SEARCH, stepAt(1000, 700));
    expect(nextRate(over, { start: 1000, maxRate: 1e5, resolution: 0.05 })).toEqual({ rate: 500 });
    const near = record(EMPTY_SEARCH, stepAt(1000, 850));
    expect(nextRate(near, { start: 1000, maxRate: 1e5, resolution: 0.05 })).toEqual({ rate: 1000 });
  });
});
