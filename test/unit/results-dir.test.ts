import { copyFileSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResultsDir } from '../../src/action/results-dir.js';
import { ResultsError } from '../../src/results/io.js';
import { copyResultsDir, DATA_DIR } from '../support/data.js';
import { tempDir } from '../support/tmp.js';

describe('a results directory made by mode: run, read as data from a stranger', () => {
  it('holds the results and meta.json, checked', () => {
    const dir = copyResultsDir('regressed', tempDir('results-dir'));
    const read = readResultsDir(dir, false);
    expect(read.results.topologies.map((t) => t.name)).toEqual(['gunicorn-2', 'single']);
    expect(read.meta.prNumber).toBe(7);
    expect(read).toMatchObject({ base: null, baseIgnored: false });
  });
  it('base.json is read only when the trusted config asks for it', () => {
    const dir = copyResultsDir('ab-regressed', tempDir('results-dir'));
    expect(readResultsDir(dir, false)).toMatchObject({ base: null, baseIgnored: true });
    expect(readResultsDir(dir, true).base?.topologies).toHaveLength(2);
  });
  it("the settling run's files are read only when the trusted config settles, never under compare: base, and a link among them is refused", () => {
    const dir = copyResultsDir('unchanged', tempDir('results-dir'));
    copyFileSync(path.join(DATA_DIR, 'ab-regressed/results.json'), path.join(dir, 'settle-head.json'));
    copyFileSync(path.join(DATA_DIR, 'ab-regressed/base.json'), path.join(dir, 'settle-base.json'));
    expect(readResultsDir(dir, false, true).settle?.base.topologies).toHaveLength(2);
    expect(readResultsDir(dir, false, false).settle).toBeNull();
    writeFileSync(path.join(dir, 'base.json'), readFileSync(path.join(dir, 'settle-base.json')));
    expect(readResultsDir(dir, true, true).settle).toBeNull();
    rmSync(path.join(dir, 'settle-base.json'));
    symlinkSync(path.join(dir, 'base.json'), path.join(dir, 'settle-base.json'));
    expect(() => readResultsDir(dir, false, true)).toThrow(/settle-base\.json is a symbolic link; it must be a regular file/);
  });
  it('a missing file is named, with what to do', () => {
    const dir = copyResultsDir('regressed', tempDir('results-dir'));
    rmSync(path.join(dir, 'meta.json'));
    expect(() => readResultsDir(dir, false)).toThrow(
      new ResultsError(`results-dir: ${path.join(dir, 'meta.json')} is missing; download the artifact that mode "run" uploaded into ${dir}`),
    );
    expect(() => readResultsDir(copyResultsDir('regressed', tempDir('results-dir')), true)).toThrow(/base\.json is missing/);
  });
  it('a symbolic link is refused, never followed', () => {
    const dir = copyResultsDir('regressed', tempDir('results-dir'));
    const outside = path.join(tempDir('outside'), 'secret.json');
    writeFileSync(outside, '{"token": "ghs_x"}');
    rmSync(path.join(dir, 'results.json'));
    symlinkSync(outside, path.join(dir, 'results.json'));
    expect(() => readResultsDir(dir, false)).toThrow(/results\.json is a symbolic link; it must be a regular file/);
  });
});
