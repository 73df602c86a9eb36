import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction } from './support/action.js';
import { ensureFixtureBuilt, FIXTURE_DIR, FIXTURE_PYTHON } from './support/fixture.js';
import { useGithubMock } from './support/github-mock.js';

const mock = useGithubMock();
beforeAll(() => ensureFixtureBuilt());

/**
 * A user's repository: the fixture app in app/, a config that compares with the PR base.
 * The base commit is the fixture as shipped; the head commit changes the app's code (when
 * `slowHead`) so every request burns 4 ms more CPU. Both sides use the fixture's venv.
 */
function repository(slowHead: boolean): { dir: string; base: string; head: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flask-perf-ab-'));
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  mkdirSync(path.join(dir, 'app'));
  mkdirSync(path.join(dir, '.github'));
  for (const f of ['app.py', 'build.py', 'requirements.txt']) copyFileSync(path.join(FIXTURE_DIR, f), path.join(dir, 'app', f));
  writeFileSync(path.join(dir, '.gitignore'), '__pycache__/\n*.sqlite3\nflask-perf-results/\n');
  writeFileSync(
    path.join(dir, '.github/flask-perf.yml'),
    [
      'app:',
      '  workdir: app',
      `  python: ${FIXTURE_PYTHON}`,
      '  build: python3 -c "import build; build.create_table()"',
      '  start: "{python} app.py {port}"',
      '  health: /healthz',
      'load: {connections: 8, requests: [{path: /}, {path: /cpu-bound}]}',
      'compare: {mode: base, rounds: 3, max-rounds: 4, duration: 1s, warmup: 300ms}',
      'topologies:',
      '  - {name: gunicorn-2, kind: gunicorn, workers: 2}',
      '  - {name: single, kind: flask}',
      '',
    ].join('\n'),
  );
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 't');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  const base = git('rev-parse', 'HEAD');
  if (slowHead) {
    const app = path.join(dir, 'app/app.py');
    writeFileSync(app, readFileSync(app, 'utf8').replace('os.environ.get("FIXTURE_EXTRA_CPU_US", "0")', 'os.environ.get("FIXTURE_EXTRA_CPU_US", "4000")'));
  }
  git('commit', '-q', '-a', '--allow-empty', '-m', 'head');
  return { dir, base, head: git('rev-parse', 'HEAD') };
}

function payload(base: string, head: string): unknown {
  return { number: 9, pull_request: { number: 9, base: { sha: base }, head: { sha: head } }, repository: { name: 'app', owner: { login: 'octo' } } };
}

describe('compare: base, end to end through the action bundle', () => {
  it('fails, naming the topologies, when the head commit makes the app much slower', async () => {
    const repo = repository(true);
    const r = await runAction({ workspace: repo.dir, apiUrl: mock.url, eventName: 'pull_request', payload: payload(repo.base, repo.head) });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain("comparing with the PR's base");
    expect(r.stdout).toMatch(/::error::flask-perf: regressed: .*gunicorn-2 \(req\/s −\d+\.\d% \[/);
    expect(r.stdout).toMatch(/::error::flask-perf: regressed: .*single \(req\/s −\d+\.\d% \[/);
    expect(r.summary).toContain('Req/s (base → head)');
    expect(r.summary).toMatch(/n=3 · CV [\d.]+% · MDE \d+%/);
    expect(r.summary).toContain('chance of any false alarm is at most 5%');
    // Each topology was started once before round 1, not counted: 3 rounds → 3 trials a side.
    expect(r.stdout).toContain('gunicorn-2 (warm-up, not counted)');
    expect(r.stdout).toContain('single (warm-up, not counted)');
    // Both sides were measured and kept; the worktree is gone.
    const base = JSON.parse(readFileSync(path.join(repo.dir, 'flask-perf-results/base.json'), 'utf8'));
    expect(base.topologies.map((t: { trials: unknown[] }) => t.trials.length)).toEqual([3, 3]);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: repo.dir, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
  });

  it('passes when head equals base', async () => {
    const repo = repository(false);
    const r = await runAction({ workspace: repo.dir, apiUrl: mock.url, eventName: 'pull_request', payload: payload(repo.base, repo.head) });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.regressed).toBe('false');
    expect(r.summary).toMatch(/✅ no regression|❔ no regression found/);
  });
});
