import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { getInputs, InputError } from '../../src/action/inputs.js';
import { ROOT } from '../support/fixture.js';

/** The inputs as the runner hands them over: action.yml's defaults, then what the workflow set. */
const defaults = Object.fromEntries(
  Object.entries((parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }> }).inputs).map(([k, v]) => [
    k,
    v.default,
  ]),
);
const read = (given: Record<string, string> = {}) => getInputs((name) => ({ ...defaults, ...given })[name] ?? '', '/repo');
const problems = (given: Record<string, string>): string => {
  try {
    read(given);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('the inputs, read once', () => {
  it("action.yml's defaults give a run against the stored baseline, the threshold left to the config", () => {
    expect(read()).toEqual({
      configPath: '/repo/.github/flask-perf.yml',
      configLabel: '.github/flask-perf.yml',
      baselinePath: '/repo/.github/flask-perf-baseline.json',
      baselineLabel: '.github/flask-perf-baseline.json',
      threshold: undefined,
      failOnRegression: true,
      comment: true,
      updateBaseline: false,
      mode: 'run',
      resultsDir: '/repo/flask-perf-results',
      token: '${{ github.token }}',
      compare: null,
      workspace: '/repo',
    });
  });

  const cases = [
    { what: 'a threshold', given: { threshold: '15%' }, field: 'threshold', expected: 0.15 },
    { what: 'a baseline path written with ./ and //', given: { baseline: './.github//b.json' }, field: 'baselineLabel', expected: '.github/b.json' },
    { what: 'yes / no booleans', given: { comment: 'no' }, field: 'comment', expected: false },
    { what: 'compare: base', given: { compare: 'base' }, field: 'compare', expected: 'base' },
    { what: 'report mode', given: { mode: 'report' }, field: 'mode', expected: 'report' },
  ] as const;
  for (const c of cases) it(c.what, () => expect(read(c.given)[c.field]).toEqual(c.expected));

  it('reports every problem at once, naming the input, the rule and the value', () => {
    const message = problems({ threshold: 'ten', 'fail-on-regression': 'maybe', mode: 'publish', compare: 'both', baseline: '../elsewhere.json', config: ' ' });
    expect(message.split('\n')).toEqual([
      'input config is required and must not be empty',
      'input baseline must be a path inside the repository, relative to its root; got "../elsewhere.json"',
      'input threshold must be a percentage above 0% and below 100%, such as "10%", or empty; got "ten"',
      'input mode must be "run" or "report"; got "publish"',
      'input compare must be "baseline", "base" or empty; got "both"',
      'input fail-on-regression must be true or false; got "maybe"',
    ]);
  });
  it('a threshold of 100% or 0% is refused', () => {
    expect(problems({ threshold: '100%' })).toMatch(/input threshold must be a percentage above 0% and below 100%/);
    expect(problems({ threshold: '0%' })).toMatch(/input threshold must be/);
  });
  it('an absolute baseline path is refused', () =>
    expect(problems({ baseline: '/etc/passwd' })).toMatch(/input baseline must be a path inside the repository/));
});
