import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/action.js';
import { ensureFixtureBuilt } from '../support/fixture.js';
import { repository } from '../support/repo.js';
import { useGithubMock } from '../support/github-mock.js';

const mock = useGithubMock();
beforeAll(() => ensureFixtureBuilt());

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
    expect(r.summary).toMatch(
      /judged after rounds? 3(, 4)?; α = 1% is spent over the looks by an O'Brien–Fleming-type function .* so the chance of any false alarm over the whole run is at most 1%/,
    );
    // Each topology was started once before round 1, not counted: 3 rounds → 3 trials a side.
    expect(r.stdout).toContain('gunicorn-2 (warm-up, not counted)');
    expect(r.stdout).toContain('single (warm-up, not counted)');
    // Both sides were measured and kept; the worktree is gone.
    const base = JSON.parse(readFileSync(path.join(repo.dir, 'flask-perf-results/base.json'), 'utf8'));
    expect(base.topologies.map((t: { trials: unknown[] }) => t.trials.length)).toEqual([3, 3]);
    // The dev server closes every connection: its sockets wait in TIME_WAIT, counted after each side's last slice.
    expect(base.topologies.find((t: { name: string }) => t.name === 'single').peakTimeWait).toBeGreaterThan(0);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: repo.dir, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
  });

  it('passes when head equals base', async () => {
    // An A/A verdict is noise by definition: only changes no noise reaches (−50% req/s, 3× CPU) may fail it.
    const repo = repository(false, 'thresholds: {rps: 50%, cpu: 200%}');
    const r = await runAction({ workspace: repo.dir, apiUrl: mock.url, eventName: 'pull_request', payload: payload(repo.base, repo.head) });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.regressed).toBe('false');
    expect(r.summary).toMatch(/✅ no regression|❔ no regression found/);
  });
});
