/**
 * Settling a stored-baseline comparison (compare/settle.ts) on committed results documents: the
 * cells the baseline leaves inconclusive take the verdict of a run beside the base; nothing else
 * does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureMessage } from '../../src/compare/gate.js';
import { cellsToSettle } from '../../src/compare/settle.js';
import { DEFAULT_COMPARE } from '../../src/config/load.js';
import { judge, policyOf } from '../../src/pipeline/pipeline.js';
import { renderHtml } from '../../src/report/html.js';
import { headline, renderReport } from '../../src/report/markdown.js';
import { readSettleFiles, RESULT_FILES, ResultsError } from '../../src/results/io.js';
import type { Results } from '../../src/results/types.js';
import { readData } from '../support/data.js';
import { tempDir } from '../support/tmp.js';

const baseline = { results: readData('baseline.json'), source: '.github/flask-perf-baseline.json' };
/** A compare: base run that found both cells ~9× slower on the head. */
const slower = { head: readData('ab-regressed/results.json'), base: readData('ab-regressed/base.json') };
/** The same base measured as both sides: nothing changed. */
const same = { head: readData('ab-regressed/base.json'), base: readData('ab-regressed/base.json') };

const stored = (head: Results, settle: typeof slower | null, compare = DEFAULT_COMPARE) =>
  judge('baseline', compare, head, { kind: 'baseline', baseline, settle }, policyOf(null));

describe('settling a stored baseline beside the base', () => {
  it('an unchanged run is inconclusive against the baseline in both cells: both are left to settle', () => {
    const comparison = stored(readData('unchanged/results.json'), null);
    expect(comparison.cells.map((c) => c.verdict)).toEqual(['inconclusive', 'inconclusive']);
    expect(cellsToSettle(comparison)).toEqual(['gunicorn-2', 'single']);
  });

  it('the settling run decides the inconclusive cells, and the failure names them', () => {
    const comparison = stored(readData('unchanged/results.json'), slower);
    expect(comparison.mode).toBe('baseline');
    expect(comparison.cells.map((c) => c.verdict)).toEqual(['regressed', 'regressed']);
    expect(comparison.settled).toEqual({ cells: ['gunicorn-2', 'single'], looks: [{ round: 3, alpha: 0.01 }], gatedTests: 4 });
    // The settled cell shows the sides of the run beside the base, not the baseline's.
    const cell = comparison.cells[0];
    expect(cell.rps.base).toBe(slower.base.topologies[0].rps);
    expect(cell.samples).toBe(3);
    expect(failureMessage(comparison)).toMatch(/^flask-perf: regressed: gunicorn-2 \(req\/s −\d+\.\d% .*single \(req\/s/);
  });

  it('an unchanged settling run finds no regression, and its own intervals replace the baseline’s', () => {
    const comparison = stored(readData('unchanged/results.json'), same);
    expect(comparison.cells.map((c) => c.verdict)).not.toContain('regressed');
    expect(comparison.settled?.cells).toEqual(['gunicorn-2', 'single']);
    expect(comparison.cells[0].reasons.join()).toMatch(/CPU\/req \+0\.0% \[/);
    expect(failureMessage(comparison)).toBeNull();
  });

  it('a cell the baseline decided keeps its verdict, whatever the settling run says', () => {
    const comparison = stored(readData('regressed/results.json'), same);
    expect(comparison.cells.map((c) => c.verdict)).toEqual(['regressed', 'regressed']);
    expect(comparison.settled).toBeUndefined();
  });

  it('only the cells the settling run measured are settled', () => {
    const only = { head: { ...slower.head, topologies: slower.head.topologies.slice(1) }, base: slower.base };
    const comparison = stored(readData('unchanged/results.json'), only);
    expect(comparison.cells.map((c) => c.verdict)).toEqual(['inconclusive', 'regressed']);
    expect(comparison.settled?.cells).toEqual(['single']);
  });

  it('a cell missing from either side of the settling run keeps its stored verdict: a results directory cannot turn it "new"', () => {
    const without = (r: Results): Results => ({ ...r, topologies: r.topologies.slice(1) });
    for (const settle of [
      { head: slower.head, base: without(slower.base) },
      { head: without(slower.head), base: slower.base },
    ]) {
      const comparison = stored(readData('unchanged/results.json'), settle);
      expect(comparison.cells.map((c) => c.verdict)).toEqual(['inconclusive', 'regressed']);
      expect(comparison.settled?.cells).toEqual(['single']);
    }
  });

  it('a side that failed in the settling run is a result: the head failing fails the cell, the base failing leaves it inconclusive', () => {
    const failed = (r: Results): Results => ({ ...r, topologies: r.topologies.map((t) => ({ ...t, ok: false, error: 'exited with code 1', trials: [] })) });
    const head = stored(readData('unchanged/results.json'), { head: failed(slower.head), base: slower.base });
    expect(head.cells.map((c) => c.verdict)).toEqual(['failed', 'failed']);
    const base = stored(readData('unchanged/results.json'), { head: slower.head, base: failed(slower.base) });
    expect(base.cells.map((c) => c.verdict)).toEqual(['inconclusive', 'inconclusive']);
    expect(base.cells[0].reasons[0]).toContain('the base failed in this job');
  });

  it('compare.settle: false ignores a settling run', () => {
    const comparison = stored(readData('unchanged/results.json'), slower, { ...DEFAULT_COMPARE, settle: false });
    expect(comparison.cells.map((c) => c.verdict)).toEqual(['inconclusive', 'inconclusive']);
    expect(comparison.settled).toBeUndefined();
  });

  it('nothing to settle without a baseline', () => {
    const head = readData('unchanged/results.json');
    expect(cellsToSettle(judge('baseline', DEFAULT_COMPARE, head, { kind: 'baseline', baseline: null }, policyOf(null)))).toEqual([]);
  });

  it('the report marks settled cells, says how they were judged, and states the false-alarm bound of both stages', () => {
    const head = readData('unchanged/results.json');
    const comparison = stored(head, slower);
    const report = renderReport(comparison, head, { configPath: '.github/flask-perf.yml', baselinePath: '.github/flask-perf-baseline.json' });
    expect(headline(comparison)).toBe('❌ 2 regressions (gunicorn-2, single)');
    expect(report).toContain('Req/s (baseline → now; settled cells: base → head)');
    expect(report).toMatch(/❌ regressed \(beside the base\): req\/s −\d+\.\d%/);
    expect(report).toContain(
      "**Settled beside the base:** gunicorn-2, single were inconclusive against the baseline, so the PR's base was measured in this job beside the head, by turns, judged after round 3;",
    );
    expect(report).toContain('so over both stages the chance of any false alarm is at most 2%.');
    expect(report).toContain('title "req/s per topology (bars: now, line: baseline; settled cells: head and base beside it)"');
    const html = renderHtml({ title: 't', head, base: baseline.results, comparison });
    expect(html).toContain('regressed (beside the base): req/s');
    expect(html).toContain('were inconclusive against the baseline, so the PR&#39;s base was measured in this job');
  });

  it('a cross-hardware note stays in the headline only while a cell is judged against the baseline', () => {
    const other = { ...baseline.results, environment: { ...baseline.results.environment, cpuModel: 'Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz' } };
    const head = readData('unchanged/results.json');
    const judged = (settle: typeof slower | null) =>
      judge('baseline', DEFAULT_COMPARE, head, { kind: 'baseline', baseline: { results: other, source: 'b' }, settle }, policyOf(null));
    expect(headline(judged(null))).toContain('(cross-hardware)');
    expect(headline(judged(slower))).not.toContain('cross-hardware');
    const half = { head: { ...slower.head, topologies: slower.head.topologies.slice(1) }, base: slower.base };
    expect(headline(judged(half))).toContain('(cross-hardware)');
  });
});

describe('the settling run’s documents in a results directory', () => {
  const write = (dir: string, name: string, doc: unknown): void => writeFileSync(path.join(dir, name), JSON.stringify(doc));

  it('both are read, checked by schema; neither is null', () => {
    const dir = tempDir('settle');
    expect(readSettleFiles(dir)).toBeNull();
    write(dir, RESULT_FILES.settleHead, slower.head);
    write(dir, RESULT_FILES.settleBase, slower.base);
    expect(readSettleFiles(dir)?.head.topologies.map((t) => t.name)).toEqual(['gunicorn-2', 'single']);
  });

  it('one without the other, or one that is not a results document, is an error naming the file', () => {
    const dir = tempDir('settle');
    write(dir, RESULT_FILES.settleBase, slower.base);
    expect(() => readSettleFiles(dir, 'results-dir: ')).toThrow(`results-dir: ${path.join(dir, RESULT_FILES.settleHead)} is missing`);
    write(dir, RESULT_FILES.settleHead, { schemaVersion: 3, topologies: 'x' });
    expect(() => readSettleFiles(dir)).toThrow(ResultsError);
    expect(() => readSettleFiles(dir)).toThrow(path.join(dir, RESULT_FILES.settleHead));
    const folder = tempDir('settle');
    mkdirSync(path.join(folder, RESULT_FILES.settleHead));
    expect(() => readSettleFiles(folder)).toThrow('is a directory');
  });
});
