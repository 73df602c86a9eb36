import { describe, expect, it } from 'vitest';
import { weightedSequence } from '../../src/load/mix.js';

describe('traffic mix', () => {
  const cases = [
    { weights: [1, 1, 1], expected: [0, 1, 2] },
    { weights: [2, 1], expected: [0, 1, 0] },
    { weights: [4, 2], expected: [0, 1, 0] },
    { weights: [5], expected: [0] },
  ];
  for (const c of cases) it(`weights ${c.weights.join(', ')}`, () => expect(weightedSequence(c.weights)).toEqual(c.expected));
  it('honours weights exactly over one cycle', () => {
    const seq = weightedSequence([3, 5, 2]);
    expect([0, 1, 2].map((i) => seq.filter((x) => x === i).length)).toEqual([3, 5, 2]);
  });
});
