import { describe, expect, it } from 'vitest';
import { autoWorkers, resolveWorkers } from '../../src/topology/workers.js';

describe('worker arithmetic', () => {
  const cases = [
    { what: 'auto on 1 core', spec: { autoMultiple: 1 }, cores: 1, expected: 3 },
    { what: 'auto on 2 cores (the seed)', spec: { autoMultiple: 1 }, cores: 2, expected: 5 },
    { what: '2x-auto on 2 cores (the seed)', spec: { autoMultiple: 2 }, cores: 2, expected: 10 },
    { what: 'auto on 3 server cores of 4', spec: { autoMultiple: 1 }, cores: 3, expected: 7 },
    { what: '3x-auto on 8 cores', spec: { autoMultiple: 3 }, cores: 8, expected: 51 },
    { what: 'a fixed count ignores cores', spec: { count: 4 }, cores: 16, expected: 4 },
  ];
  for (const c of cases) it(c.what, () => expect(resolveWorkers(c.spec, c.cores)).toBe(c.expected));
  it('never goes below one core', () => expect(autoWorkers(0)).toBe(3));
});
