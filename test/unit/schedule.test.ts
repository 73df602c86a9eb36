import { describe, expect, it } from 'vitest';
import { nextRoundMs } from '../../src/run/ab.js';
import { roundSchedule, shuffled } from '../../src/run/schedule.js';
import { seededRandom } from '../../src/stats/inference.js';

describe('interleaving', () => {
  const topologies = ['single', 'balancer', 'gunicorn-auto', 'gunicorn-2x', 'uvicorn'];

  it('every round runs each topology once on each side', () => {
    const random = seededRandom(3);
    for (let r = 0; r < 50; r++) {
      const round = roundSchedule(topologies, random);
      expect(round).toHaveLength(2 * topologies.length);
      for (const t of topologies) {
        expect(
          round
            .filter((m) => m.topology === t)
            .map((m) => m.side)
            .sort(),
        ).toEqual(['base', 'head']);
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
      orders.add(
        round
          .filter((_, i) => i % 2 === 0)
          .map((m) => m.topology)
          .join(','),
      );
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
