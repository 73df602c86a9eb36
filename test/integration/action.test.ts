import { tempDir } from '../support/tmp.js';
import { SCHEMA_VERSION } from '../../src/results/types.js';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureBuilt, ROOT } from '../support/fixture.js';
import { useGithubMock } from '../support/github-mock.js';
import { DATA_TOPOLOGIES, makeWorkspace, prPayload, pushPayload, runAction, workflowRunPayload } from '../support/action.js';
import { copyResultsDir, DATA_DIR, DATA_HEAD_SHA, type DataSet } from '../support/data.js';
import { processesWithEnv } from '../support/procs.js';

const mock = useGithubMock();

/**
 * The trusted side of the fork-safe split: the default branch's checkout (config and baseline)
 * and the artifact of the run job, here a committed results directory measured once for real.
 */
function reportWorkspace(set: DataSet, options: { baseline?: boolean | string; configExtra?: string } = {}): string {
  const ws = makeWorkspace(options.configExtra ?? '', DATA_TOPOLOGIES);
  const baseline = options.baseline ?? true;
  if (baseline) copyFileSync(path.join(DATA_DIR, baseline === true ? 'baseline.json' : baseline), path.join(ws.dir, '.github/flask-perf-baseline.json'));
  ws.commit('trusted checkout');
  copyResultsDir(set, path.join(ws.dir, 'flask-perf-results'));
  return ws.dir;
}

function report(workspace: string, env: Record<string, string> = {}) {
  return runAction({
    workspace,
    apiUrl: mock.url,
    eventName: 'workflow_run',
    payload: workflowRunPayload(DATA_HEAD_SHA, [7]),
    inputs: { mode: 'report' },
    env,
  });
}

describe('publishing (report mode on committed results: no server runs)', () => {
  it('creates the comment on the first run and edits it on the second: one comment in total', async () => {
    const ws = reportWorkspace('unchanged');
    const first = await report(ws);
    expect(first.code, first.stdout).toBe(0);
    expect(mock.api.allComments()).toHaveLength(1);
    const id = mock.api.allComments()[0].id;
    expect(mock.api.allComments()[0].body).toContain('<!-- flask-perf-action config=.github/flask-perf.yml -->');
    const second = await report(ws);
    expect(second.code, second.stdout).toBe(0);
    expect(mock.api.allComments()).toHaveLength(1);
    expect(mock.api.allComments()[0].id).toBe(id);
    expect(mock.api.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/comments'))).toHaveLength(1);
    expect(mock.api.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
    // The comment holds this run's report, the same markdown as the job summary and report.md.
    expect(mock.api.allComments()[0].body).toBe(readFileSync(second.outputs.report, 'utf8'));
    expect(second.summary.trim()).toBe(mock.api.allComments()[0].body.trim());
  });

  for (const status of [403, 500]) {
    it(`a ${status} on the comment is a warning: the summary holds the report and the step succeeds`, async () => {
      mock.api.failComments = status;
      const r = await report(reportWorkspace('unchanged'));
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`::warning::flask-perf: could not comment on #7: HTTP ${status}`));
      expect(r.summary).toContain('### flask-perf');
      expect(mock.api.allComments()).toHaveLength(0);
      expect(mock.api.statuses).toContainEqual(expect.objectContaining({ sha: DATA_HEAD_SHA, state: 'success' }));
    });
  }

  it('a results document with a known regression fails the step naming the topology, and sets a failure status', async () => {
    const r = await report(reportWorkspace('regressed'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::flask-perf: regressed: gunicorn-2 \(req\/s −\d+\.\d% \[−\d+\.\d%, −\d+\.\d%\] \(threshold 10%\)/);
    expect(r.outputs.regressed).toBe('true');
    expect(r.summary).toMatch(/❌ 2 regressions \(gunicorn-2, single\)/);
    expect(mock.api.allComments()[0].body).toContain('❌ regressed');
    expect(mock.api.statuses).toContainEqual(expect.objectContaining({ sha: DATA_HEAD_SHA, state: 'failure', context: 'flask-perf' }));
  });

  it('posts from a results directory without starting any server, finding a fork PR by branch and commit', async () => {
    const ws = reportWorkspace('unchanged');
    // Every process a run starts inherits its TMPDIR: none may carry this one.
    const tmp = tempDir('report-tmp');
    mock.api.pulls.push({ number: 7, head: { sha: DATA_HEAD_SHA, ref: 'feature', label: 'fork-owner:feature' } });
    const r = await runAction({
      workspace: ws,
      apiUrl: mock.url,
      eventName: 'workflow_run',
      payload: workflowRunPayload(DATA_HEAD_SHA, []),
      inputs: { mode: 'report' },
      env: { TMPDIR: tmp },
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/gunicorn-2: (starting|warming up)/);
    expect(processesWithEnv('TMPDIR', tmp)).toEqual([]);
    expect(mock.api.comments.get(7)?.[0].body).toContain('gunicorn-2');
    expect(mock.api.statuses).toContainEqual(expect.objectContaining({ sha: DATA_HEAD_SHA, state: 'success', context: 'flask-perf' }));
  });

  it('the action and `flask-perf report` write the same report.md and report.html, byte for byte', async () => {
    const cases = [
      { set: 'regressed' as const, configExtra: '', base: ['--baseline', '.github/flask-perf-baseline.json'] },
      { set: 'ab-regressed' as const, configExtra: 'compare: {mode: base, rounds: 3}', base: ['--base-results', 'flask-perf-results/base.json'] },
    ];
    for (const c of cases) {
      const ws = reportWorkspace(c.set, { configExtra: c.configExtra });
      const r = await report(ws);
      expect(r.code, r.stdout).toBe(1);
      const out = tempDir('cli-report');
      let code = 0;
      try {
        execFileSync(
          process.execPath,
          [
            path.join(ROOT, 'dist/cli.js'),
            'report',
            'flask-perf-results/results.json',
            ...c.base,
            '--config',
            '.github/flask-perf.yml',
            '--out',
            path.join(out, 'report.md'),
          ],
          { cwd: ws, stdio: 'pipe' },
        );
      } catch (error) {
        code = (error as { status: number }).status;
      }
      expect(code).toBe(1);
      for (const file of ['report.md', 'report.html']) {
        const fromAction = readFileSync(path.join(ws, 'flask-perf-results', file), 'utf8');
        expect(fromAction.length).toBeGreaterThan(1000);
        expect(readFileSync(path.join(out, file), 'utf8'), `${c.set}: ${file}`).toBe(fromAction);
      }
    }
  });

  it('no baseline yet: passes and says so', async () => {
    const r = await report(reportWorkspace('unchanged', { baseline: false }));
    expect(r.code, r.stdout).toBe(0);
    expect(r.summary).toContain('no baseline yet');
    expect(r.outputs.regressed).toBe('false');
  });

  it('an older baseline (schema 1, no noise record) is still read, judged with widened noise, and the report says so', async () => {
    const r = await report(reportWorkspace('unchanged', { baseline: 'baseline-v1.json' }));
    expect(r.code, r.stdout).toBe(0);
    expect(r.summary).toContain('widened ×1.5: the baseline predates noise records');
    expect(r.summary).toContain('**Baseline:** <code>.github/flask-perf-baseline.json</code>.');
  });

  it("compare: base in the trusted config judges the artifact's base.json, paired", async () => {
    const r = await report(reportWorkspace('ab-regressed', { configExtra: 'compare: {mode: base, rounds: 3}' }));
    expect(r.code).toBe(1);
    expect(r.summary).toContain('Req/s (base → head)');
    expect(r.summary).toMatch(/n=3 · CV [\d.]+% · MDE \d+%/);
    expect(r.stdout).toMatch(/::error::flask-perf: regressed: .*single \(req\/s −\d+\.\d% \[/);
  });

  it('a settled artifact is judged as the run job judged it: the settling run decides the cells the trusted baseline leaves inconclusive', async () => {
    const settledArtifact = (configExtra: string): string => {
      const ws = reportWorkspace('unchanged', { configExtra });
      for (const [from, to] of [
        ['results.json', 'settle-head.json'],
        ['base.json', 'settle-base.json'],
      ])
        copyFileSync(path.join(DATA_DIR, 'ab-regressed', from), path.join(ws, 'flask-perf-results', to));
      return ws;
    };
    const r = await report(settledArtifact('compare: {calibrate: false}'));
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/::error::flask-perf: regressed: gunicorn-2 \(req\/s −\d+\.\d% \[/);
    expect(r.summary).toContain('**Settled beside the base:** gunicorn-2, single were inconclusive against the baseline');
    expect(mock.api.statuses).toContainEqual(expect.objectContaining({ sha: DATA_HEAD_SHA, state: 'failure' }));
    // A trusted config that does not settle ignores the settling run: the baseline leaves both inconclusive.
    const off = await report(settledArtifact('compare: {calibrate: false, settle: false}'));
    expect(off.code, off.stdout).toBe(0);
    expect(off.summary).toContain('❔ no regression found; 2 inconclusive');
    // Half a settling run is an invalid artifact, named, with an error status.
    const half = settledArtifact('compare: {calibrate: false}');
    rmSync(path.join(half, 'flask-perf-results/settle-base.json'));
    const broken = await report(half);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`results-dir: ${path.join(half, 'flask-perf-results/settle-base.json')} is missing`);
    expect(mock.api.statuses).toContainEqual(expect.objectContaining({ sha: DATA_HEAD_SHA, state: 'error' }));
  });

  it('an invalid input names the input, the rule and the value', async () => {
    const ws = makeWorkspace();
    const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'push', payload: pushPayload(), inputs: { threshold: 'ten', mode: 'fast' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('input threshold must be a percentage above 0% and below 100%, such as "10%", or empty; got "ten"');
    expect(r.stdout).toContain('input mode must be "run" or "report"; got "fast"');
  });
});

// These measure for real, but assert only what does not depend on the machine's speed: files,
// messages and API calls, never a verdict on fresh numbers (fail-on-regression is off).
describe('run mode mechanics (fresh measurements, no verdict asserted)', () => {
  beforeAll(() => ensureFixtureBuilt());
  const lenient = { 'fail-on-regression': 'false' };

  it('update-baseline on a push writes a baseline that a PR run then reads at its base commit, and comments once', async () => {
    const ws = makeWorkspace();
    ws.commit('config');
    const record = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'push', payload: pushPayload(), inputs: { 'update-baseline': 'true' } });
    expect(record.code, record.stdout).toBe(0);
    const baseline = JSON.parse(readFileSync(path.join(ws.dir, '.github/flask-perf-baseline.json'), 'utf8'));
    expect(baseline.schemaVersion).toBe(SCHEMA_VERSION);
    expect(baseline.topologies.map((t: { name: string }) => t.name)).toEqual(['gunicorn-2']);
    const base = ws.commit('baseline');
    const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'pull_request', payload: prPayload(base), inputs: lenient });
    expect(r.code, r.stdout).toBe(0);
    expect(['true', 'false']).toContain(r.outputs.regressed);
    expect(r.summary).toContain(`.github/flask-perf-baseline.json at ${base.slice(0, 7)}`);
    expect(r.summary).toMatch(/\| gunicorn-2 +\| +[\d,.]+ → [\d,.]+ \(/);
    expect(mock.api.allComments()).toHaveLength(1);
    expect(mock.api.allComments()[0].body).toBe(readFileSync(r.outputs.report, 'utf8'));
  });

  it('compare.settle: a cell the baseline leaves inconclusive is measured beside the PR base, kept in the results directory, and reported', async () => {
    // Thresholds of 1% leave the stored verdict inconclusive whatever the machine does; α 0.1% keeps noise from deciding.
    const ws = makeWorkspace(
      'compare: {calibrate: false, rounds: 3, max-rounds: 3, duration: 1s, warmup: 300ms, confidence: 99.9%}\nthresholds: {rps: 1%, cpu: 1%}',
    );
    ws.commit('config');
    const record = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'push', payload: pushPayload(), inputs: { 'update-baseline': 'true' } });
    expect(record.code, record.stdout).toBe(0);
    expect(record.stdout).not.toContain('settling');
    const base = ws.commit('baseline');
    const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'pull_request', payload: prPayload(base), inputs: lenient });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`settling gunicorn-2 (inconclusive against the baseline): measuring ${base.slice(0, 7)} beside the head, by turns`);
    expect(r.stdout).toContain(`comparing with the PR's base ${base.slice(0, 7)}`);
    expect(r.summary).toContain("**Settled beside the base:** gunicorn-2 was inconclusive against the baseline, so the PR's base was measured in this job");
    expect(r.summary).toMatch(/\| gunicorn-2 +\|.*\(beside the base\)/);
    const settled = JSON.parse(readFileSync(path.join(ws.dir, 'flask-perf-results/settle-base.json'), 'utf8'));
    expect(settled.topologies.map((t: { name: string; trials: unknown[] }) => [t.name, t.trials.length])).toEqual([['gunicorn-2', 3]]);
    expect(existsSync(path.join(ws.dir, 'flask-perf-results/settle-head.json'))).toBe(true);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: ws.dir, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    expect(mock.api.allComments()[0].body).toBe(readFileSync(r.outputs.report, 'utf8'));
  });

  it("compare.settle with a PR base that cannot be fetched: the baseline's verdicts stand, and the report says why", async () => {
    const ws = makeWorkspace('compare: {calibrate: false, confidence: 99.9%}\nthresholds: {rps: 1%, cpu: 1%}');
    ws.commit('config');
    const record = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'push', payload: pushPayload(), inputs: { 'update-baseline': 'true' } });
    expect(record.code, record.stdout).toBe(0);
    const gone = 'b'.repeat(40);
    const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'pull_request', payload: prPayload(gone), inputs: lenient });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`not settled: cannot fetch the PR's base commit ${gone}`);
    expect(r.summary).toContain(`⚠️ **Not settled:** the PR's base could not be measured beside the head (cannot fetch the PR's base commit ${gone}`);
    expect(r.summary).toMatch(/\| gunicorn-2 +\|.*❔ inconclusive: /);
    expect(existsSync(path.join(ws.dir, 'flask-perf-results/settle-head.json'))).toBe(false);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: ws.dir, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
  });

  it('a corrupt baseline is a clear error naming the file, before anything is measured', async () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws.dir, '.github'), { recursive: true });
    writeFileSync(path.join(ws.dir, '.github/flask-perf-baseline.json'), '{"schemaVersion": 1, "topologies": [');
    const base = ws.commit('corrupt baseline');
    const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'pull_request', payload: prPayload(base) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`::error::baseline \\.github/flask-perf-baseline\\.json at ${base.slice(0, 7)} is not valid JSON`));
    expect(r.stdout).not.toContain('gunicorn-2: starting');
    expect(existsSync(path.join(ws.dir, 'flask-perf-results/results.json'))).toBe(false);
  });

  it('update-baseline is ignored on a pull request', async () => {
    const ws = makeWorkspace();
    const base = ws.commit('config');
    const r = await runAction({
      workspace: ws.dir,
      apiUrl: mock.url,
      eventName: 'pull_request',
      payload: prPayload(base),
      inputs: { 'update-baseline': 'true' },
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('update-baseline is ignored on pull requests');
    expect(existsSync(path.join(ws.dir, '.github/flask-perf-baseline.json'))).toBe(false);
  });
});
