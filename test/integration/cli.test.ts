import { tempDir } from '../support/tmp.js';
import { SCHEMA_VERSION } from '../../src/results/types.js';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureBuilt, FIXTURE_CONFIG, ROOT } from '../support/fixture.js';
import { repository } from '../support/repo.js';

const CLI = path.join(ROOT, 'dist/cli.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}, onStderr?: (text: string, kill: () => void) => void, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => {
      stderr += c;
      onStderr?.(stderr, () => child.kill('SIGTERM'));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function tmp(name: string, text: string): string {
  const file = path.join(tempDir('cli'), name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => ensureFixtureBuilt());

describe('flask-perf CLI', () => {
  it('prints usage with --help and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: flask-perf run --config <file>');
  });

  it('exits 2 on a usage error, naming the flag', async () => {
    const r = await cli(['run', '--config', FIXTURE_CONFIG, '--trials', 'two']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--trials must be an integer ≥ 1; got "two"');
    expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('exits 2 on an invalid config, listing every problem without a stack trace', async () => {
    const file = tmp('bad.yml', 'app:\n  start: python app.py\ntopologies:\n  - {name: g, kind: gunicorn, workers: five}\n  - {name: g, kind: flask}\n');
    const r = await cli(['run', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('app.start must be a command containing {port}; got "python app.py"');
    expect(r.stderr).toContain('topologies[0].workers must be an integer ≥ 1, "auto" or "<n>x-auto"; got "five"');
    expect(r.stderr).toContain('topologies[1].name must be unique; got "g", also used by topologies[0]');
    expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('runs one topology, prints the table and writes the results document', async () => {
    const out = path.join(tempDir('out'), 'results.json');
    const r = await cli([
      'run',
      '--config',
      FIXTURE_CONFIG,
      '--only',
      'gunicorn-auto',
      '--duration',
      '1s',
      '--warmup',
      '0s',
      '--trials',
      '2',
      '--connections',
      '8',
      '--out',
      out,
    ]);
    expect(r.stderr).toContain('[1/1] gunicorn-auto: trial 2/2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| Topology +\| Total requests \| Requests\/sec \| Failures\/sec \| p50 ms \| p99 ms \| CPU ms \/ 1k req \|/);
    expect(r.stdout).toMatch(/\| gunicorn-auto +\| +[\d,]+ \|/);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    // The charts beside the results, and the link printed.
    const html = out.replace(/\.json$/, '.html');
    expect(r.stdout).toContain(`report:  ${pathToFileURL(html).href}`);
    expect(readFileSync(html, 'utf8')).toContain('data-chart="t0-rps"');
    expect(results.schemaVersion).toBe(SCHEMA_VERSION);
    // Every trial second by second, each column one entry per second.
    const series = results.topologies[0].trials[0].series;
    expect(series.requests.length).toBeGreaterThanOrEqual(1);
    for (const column of ['non2xx', 'errors', 'p50', 'p90', 'p99', 'serverCpu', 'rssMb', 'loadgenCpu'])
      expect(series[column]).toHaveLength(series.requests.length);
    expect(results.load).toMatchObject({ connections: 8, durationSec: 1, trials: 2, warmupSec: 0 });
    expect(results.topologies).toHaveLength(1);
    expect(results.topologies[0]).toMatchObject({ name: 'gunicorn-auto', kind: 'gunicorn', ok: true, error: null });
    expect(results.topologies[0].trials).toHaveLength(2);
    for (const key of ['totalRequests', 'rps', 'failuresPerSec', 'latencyMs', 'cpuMsPer1kRequests', 'peakRssMb', 'endpoints']) {
      expect(results.topologies[0]).toHaveProperty(key);
    }
    for (const key of ['cpuModel', 'cores', 'os', 'node', 'python', 'flask', 'gunicorn', 'placement']) expect(results.environment).toHaveProperty(key);
  });

  it('exits 1 when a cell fails, and still prints the others', async () => {
    const file = tmp(
      'fail.yml',
      [
        'app:',
        `  workdir: ${path.relative(ROOT, path.dirname(FIXTURE_CONFIG))}`,
        '  python: .venv/bin/python',
        '  start: "{python} app.py {port}"',
        '  health: {path: /healthz, timeout: 1s}',
        'load: {duration: 1s, warmup: 0s, trials: 1, connections: 4}',
        'topologies:',
        '  - {name: broken, kind: command, command: "sleep 30 # {port}"}',
        '  - {name: single, kind: flask}',
        '',
      ].join('\n'),
    );
    const r = await cli(['run', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\| broken +\| +failed \|/);
    expect(r.stdout).toMatch(/\| single +\| +[\d,]+ \|/);
    expect(r.stdout).toContain('**broken failed**: server did not answer 2xx on /healthz within 1s');
  });
});

describe("flask-perf compare: the action's verdict, locally", () => {
  it('needs --base, --baseline or both, and a commit that exists', async () => {
    const neither = await cli(['compare', '--config', FIXTURE_CONFIG]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('compare needs --base <git-ref>, --baseline <file>, or both');
    const repo = repository(false);
    const missing = await cli(['compare', '--config', '.github/flask-perf.yml', '--base', 'no-such-branch'], {}, undefined, repo.dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--base must name a commit of ${repo.dir}; got "no-such-branch"`);
  });

  it("resolves app.workdir against the config's repository wherever it runs from, as the action does", async () => {
    const repo = repository(false);
    const config = path.join(repo.dir, '.github/flask-perf.yml');
    // From a folder inside the repository and from one outside any: `workdir: app` is the repository's app/.
    for (const cwd of [path.join(repo.dir, 'app'), tempDir('cli-elsewhere')]) {
      const r = await cli(['compare', '--config', config, '--base', 'no-such-branch'], {}, undefined, cwd);
      expect(r.stderr).not.toContain('app.workdir');
      expect(r.stderr).toContain(`--base must name a commit of ${repo.dir}; got "no-such-branch"`);
      expect(r.code).toBe(2);
    }
  });

  it('a corrupt --baseline is an error naming the file, before anything runs', async () => {
    const file = tmp('baseline.json', '{"schemaVersion": 1, "topologies": [');
    const r = await cli(['compare', '--config', FIXTURE_CONFIG, '--baseline', file, '--skip-build']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`baseline ${file} is not valid JSON`);
    expect(r.stderr).not.toContain('starting');
  });

  it('--base measures that commit against the working tree and exits 1 on a regression, as the action fails', async () => {
    const repo = repository(true);
    const out = path.join(repo.dir, 'flask-perf-results');
    // One cell: both cells of a slower head failing is the action's test (compare-base); here, the CLI's path.
    const r = await cli(['compare', '--config', '.github/flask-perf.yml', '--base', 'HEAD~1', '--out', out, '--only', 'gunicorn-2'], {}, undefined, repo.dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`comparing the working tree with HEAD~1 (${repo.base.slice(0, 7)})`);
    expect(r.stderr).toMatch(/flask-perf: regressed: .*gunicorn-2 \(req\/s −\d+\.\d% \[/);
    // The report is the PR comment's markdown.
    expect(r.stdout).toContain('Req/s (base → head)');
    expect(r.stdout).toMatch(/❌ \d regressions? \(/);
    // The markdown report, then the link to the HTML one.
    const link = `report: ${pathToFileURL(path.join(out, 'report.html')).href}`;
    expect(r.stdout.trim().split('\n').at(-1)).toBe(link);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8').trim()).toBe(r.stdout.trim().slice(0, -link.length).trim());
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<figure class="chart bars" id="overview-rps"');
    const base = JSON.parse(readFileSync(path.join(out, 'base.json'), 'utf8'));
    expect(base.topologies.map((t: { name: string; trials: unknown[] }) => [t.name, t.trials.length])).toEqual([['gunicorn-2', 3]]);
    expect(existsSync(path.join(out, 'results.json'))).toBe(true);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: repo.dir, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
  });

  it('--baseline with --base: the cells the baseline leaves inconclusive are measured beside that commit, and report reaches the same verdicts from the files', async () => {
    // Thresholds of 1% leave every stored verdict of an unchanged app inconclusive (runs drift
    // by more than that); α of 0.1% keeps either stage from calling noise a regression.
    const repo = repository(false, 'thresholds: {rps: 1%, cpu: 1%}');
    const config = path.join(repo.dir, '.github/flask-perf.yml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('compare: {mode: base,', 'compare: {confidence: 99.9%,'));
    const short = ['--duration', '1s', '--warmup', '300ms', '--trials', '1', '--only', 'gunicorn-2'];
    const baseline = path.join(tempDir('cli-settle'), 'baseline.json');
    const recorded = await cli(['run', '--config', config, '--out', baseline, ...short], {}, undefined, repo.dir);
    expect(recorded.code, recorded.stderr).toBe(0);
    const out = path.join(repo.dir, 'flask-perf-results');
    const r = await cli(['compare', '--config', config, '--baseline', baseline, '--base', 'HEAD~1', '--out', out, ...short], {}, undefined, repo.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`settling gunicorn-2 (inconclusive against the baseline): measuring ${repo.base.slice(0, 7)} beside the head`);
    expect(r.stdout).toContain('**Settled beside the base:** gunicorn-2 was inconclusive against the baseline');
    expect(r.stdout).toMatch(/\| gunicorn-2 +\|.*\((beside the base)\)/);
    // Both sides of the settling run are kept: 3 or 4 rounds a side (max-rounds 4); results.json is the matrix run's.
    const settled = JSON.parse(readFileSync(path.join(out, 'settle-base.json'), 'utf8'));
    for (const t of settled.topologies) expect([3, 4]).toContain(t.trials.length);
    expect(settled.topologies.map((t: { name: string }) => t.name)).toEqual(['gunicorn-2']);
    expect(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).topologies[0].trials).toHaveLength(1);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: repo.dir, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    // report judges what the config lists: here, the one cell measured.
    writeFileSync(config, readFileSync(config, 'utf8').replace('  - {name: single, kind: flask}\n', ''));
    const again = await cli(['report', path.join(out, 'results.json'), '--baseline', baseline, '--config', config], {}, undefined, repo.dir);
    expect(again.code, again.stderr).toBe(0);
    const table = (text: string): string => text.slice(text.indexOf('| Topology'), text.indexOf('\n\n', text.indexOf('| Topology')));
    expect(table(again.stdout)).toBe(table(r.stdout));
  });
});
