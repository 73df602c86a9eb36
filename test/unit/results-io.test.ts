import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonDepth, parseMeta, parseResults, ResultsError, writeResultsDir } from '../../src/results/io.js';
import { readData } from '../support/data.js';
import { tempDir } from '../support/tmp.js';

describe('results documents are checked where they enter', () => {
  const good = readData('baseline.json');
  const text = (doc: unknown): string => JSON.stringify(doc);
  const error = (t: string): string => {
    try {
      parseResults(t, 'doc.json');
    } catch (e) {
      expect(e).toBeInstanceOf(ResultsError);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('accepts what the runner writes', () => expect(parseResults(text(good), 'doc.json').topologies.map((t) => t.name)).toEqual(['gunicorn-2', 'single']));

  const cases = [
    {
      what: 'a wrong version',
      mutate: (d: any) => (d.schemaVersion = 4),
      message: 'schemaVersion must be 1, 2 or 3 (the results document versions this flask-perf reads); got 4',
    },
    { what: 'a missing field', mutate: (d: any) => delete d.topologies[0].trials, message: 'topologies[0].trials is required' },
    {
      what: 'an unknown field',
      mutate: (d: any) => (d.extra = 1),
      message: 'extra is not a known field; known fields: schemaVersion, tool, startedAt, finishedAt, load, environment, topologies',
    },
    {
      what: 'a negative count',
      mutate: (d: any) => (d.topologies[0].totalRequests = -1),
      message: 'topologies[0].totalRequests must be an integer from 0 to 10^12; got -1',
    },
    {
      what: 'a status that is not a code',
      mutate: (d: any) => (d.topologies[0].endpoints[0].statuses = { ok: 1 }),
      message: 'topologies[0].endpoints[0].statuses has an invalid name "ok"',
    },
    {
      what: 'a long message',
      mutate: (d: any) => (d.topologies[0].warnings = [{ code: 'x', message: 'm'.repeat(2001) }]),
      message: 'topologies[0].warnings[0].message must be a string of at most 2000 characters',
    },
    {
      what: 'a duplicate name',
      mutate: (d: any) => (d.topologies[1].name = d.topologies[0].name),
      message: 'topologies[1].name must be unique; got "gunicorn-2" twice',
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const doc = JSON.parse(text(good));
      c.mutate(doc);
      const m = error(text(doc));
      expect(m).toMatch(/^doc\.json is not a valid flask-perf results document:\n {2}- /);
      expect(m).toContain(c.message);
    });
  }

  it('lists at most ten problems', () => {
    const doc = JSON.parse(text(good));
    doc.topologies[0].trials = doc.topologies[0].trials.map(() => ({}));
    doc.topologies[1].trials = doc.topologies[1].trials.map(() => ({}));
    expect(error(text(doc))).toMatch(/ {2}- … and \d+ more$/);
  });

  it('measures nesting without parsing, strings skipped', () => {
    expect(jsonDepth('{"a": [1, {"b": "[[[["}]}')).toBe(3);
    expect(jsonDepth('['.repeat(1000), 32)).toBe(33);
  });

  it('meta.json: checked, and null is named', () => {
    expect(
      parseMeta(JSON.stringify({ configPath: 'c.yml', eventName: 'pull_request', prNumber: 7, headSha: 'a'.repeat(40), baseSha: null }), 'meta.json').prNumber,
    ).toBe(7);
    expect(() => parseMeta('null', 'meta.json')).toThrow(/\(root\) must be a mapping/);
    expect(() => parseMeta(JSON.stringify({ configPath: 'c.yml', eventName: 'x', prNumber: 7, headSha: 'nope', baseSha: null }), 'meta.json')).toThrow(
      /headSha must be a 40-digit commit id, or null; got "nope"/,
    );
  });
});

describe('a results directory written again', () => {
  it("keeps no earlier run's base or settling run: report would judge by them", () => {
    const dir = tempDir('results-dir');
    const doc = readData('unchanged/results.json');
    writeResultsDir(dir, { results: doc, base: doc, settle: { head: doc, base: doc } });
    expect(readdirSync(dir).sort()).toEqual(['base.json', 'results.json', 'settle-base.json', 'settle-head.json']);
    // The report job writes only the report: the measured files stay.
    writeResultsDir(dir, { report: '# r' });
    expect(readdirSync(dir)).toHaveLength(5);
    writeResultsDir(dir, { results: doc, base: null, settle: null });
    expect(readdirSync(dir).sort()).toEqual(['report.md', 'results.json']);
  });
});
