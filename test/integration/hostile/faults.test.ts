/**
 * Servers that misbehave, and signals at every phase of a run. Each run gets its own TMPDIR: every
 * process the run starts inherits it (it is on the environment allow-list), so it marks what the
 * run left behind, and the folder itself must be empty afterwards.
 */
import { tempDir } from '../../support/tmp.js';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, prPayload, runAction } from '../../support/action.js';
import { ensureFixtureBuilt, FIXTURE_PYTHON, ROOT } from '../../support/fixture.js';
import { useGithubMock } from '../../support/github-mock.js';
import { eventually, processesWithEnv } from '../../support/procs.js';
import { repository } from '../../support/repo.js';

const CLI = path.join(ROOT, 'dist/cli.js');
const FAULTS = `${FIXTURE_PYTHON} ${path.join(ROOT, 'test/apps/faults.py')} {port}`;
const mock = useGithubMock();
beforeAll(() => ensureFixtureBuilt());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  tmp: string;
}

/** Runs the CLI in `cwd` with its own TMPDIR; `signalOn` sends `signal` once stderr matches. */
function cli(args: readonly string[], cwd: string, signalOn?: { match: RegExp; signal: NodeJS.Signals }): Promise<Run & { signalled: boolean }> {
  const tmp = tempDir('faults-tmp');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: 'true', TMPDIR: tmp } });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => {
      stderr += c;
      if (signalOn && !signalled && signalOn.match.test(stderr)) {
        signalled = true;
        child.kill(signalOn.signal);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, tmp, signalled });
    });
  });
}

/** Nothing left: no process carrying the run's TMPDIR, and the folder empty. */
async function expectNothingLeft(tmp: string): Promise<void> {
  expect(await eventually(() => processesWithEnv('TMPDIR', tmp).length === 0, 5000), `processes left: ${processesWithEnv('TMPDIR', tmp).join(', ')}`).toBe(
    true,
  );
  expect(readdirSync(tmp)).toEqual([]);
}

/** A folder with a config for `topologies`, the fault server's app dir, and nothing else. */
function project(topologies: readonly string[]): string {
  const dir = tempDir('faults');
  mkdirSync(path.join(dir, 'app'));
  writeFileSync(
    path.join(dir, 'flask-perf.yml'),
    [
      'app: {workdir: app, start: "' + FAULTS + '", health: {path: /healthz, timeout: 2s}}',
      'load: {connections: 8, warmup: 200ms, duration: 1500ms, trials: 1}',
      'compare: {calibrate: false}',
      'topologies:',
      ...topologies.map((t) => `  - ${t}`),
      '',
    ].join('\n'),
  );
  return dir;
}

describe('servers that misbehave', () => {
  it('never healthy, exits early, dies mid-trial, hangs on SIGTERM, floods its output, answers 500: each recorded, nothing left', async () => {
    const dir = project([
      `{name: never-healthy, kind: command, command: "${FAULTS} --never-healthy"}`,
      `{name: exits-early, kind: command, command: "${FAULTS} --print 'boom: missing DATABASE_URL' --exit 3"}`,
      `{name: dies-mid-trial, kind: command, command: "${FAULTS} --die-after-ms 900"}`,
      `{name: hangs-on-sigterm, kind: command, command: "${FAULTS} --ignore-sigterm"}`,
      `{name: floods-output, kind: command, command: "${FAULTS} --flood-bytes 3000000 --exit 1"}`,
      `{name: error-storm, kind: command, command: "${FAULTS} --status 500"}`,
    ]);
    const r = await cli(['run', '--config', 'flask-perf.yml', '--out', 'results.json'], dir);
    expect(r.code, r.stderr).toBe(1);
    const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
    const cell = (name: string) => results.topologies.find((t: { name: string }) => t.name === name);
    expect(cell('never-healthy').error).toMatch(/^server did not answer 2xx on \/healthz within 2s \(last status 503\)/);
    expect(cell('exits-early').error).toMatch(/^server exited with exit code 3 before becoming healthy; last output:\nboom: missing DATABASE_URL/);
    expect(cell('dies-mid-trial').error).toMatch(/^server died mid-run with (exit code 137|signal SIGKILL)/);
    expect(cell('hangs-on-sigterm').ok).toBe(true);
    expect(cell('floods-output').ok).toBe(false);
    expect(cell('floods-output').error.length).toBeLessThanOrEqual(2000);
    expect(cell('floods-output').error).toMatch(/^server exited with exit code 1 before becoming healthy; last output:\nx{100,}/);
    const storm = cell('error-storm');
    expect(storm.ok).toBe(true);
    expect(storm.endpoints[0].statuses).toEqual({ 500: storm.endpoints[0].totalRequests });
    expect(storm.failuresPerSec).toBeCloseTo(storm.rps, 0);
    expect(r.stdout).toMatch(/\| error-storm +\| +[\d,]+ \|/);
    await expectNothingLeft(r.tmp);
  });
});

interface Phase {
  readonly name: string;
  readonly topologies: readonly string[];
  /** Changes the workspace's config text for this phase. */
  readonly configure: (config: string) => string;
  /** The log line after which the signal is sent. */
  readonly match: RegExp;
  /** Topologies whose results must be kept (written before the signal); none: no results file. */
  readonly kept?: readonly string[];
}

const PHASES: readonly Phase[] = [
  {
    name: 'build',
    topologies: ['  - {name: single, kind: flask}'],
    configure: (c) => c.replace('  health: /healthz', '  health: /healthz\n  build: sleep 30'),
    match: /build: sleep 30/,
  },
  {
    name: 'start',
    topologies: [`  - {name: slow-start, kind: command, command: "${FAULTS} --start-delay-ms 20000"}`],
    configure: (c) => c.replace('  health: /healthz', '  health: {path: /healthz, timeout: 60s}'),
    match: /slow-start: starting/,
  },
  {
    name: 'warm-up',
    topologies: ['  - {name: single, kind: flask}'],
    configure: (c) => c.replace('  warmup: 500ms', '  warmup: 20s'),
    match: /single: warming up/,
  },
  {
    name: 'trial of the second cell',
    topologies: ['  - {name: first, kind: flask}', '  - {name: second, kind: balancer, instances: 2}'],
    configure: (c) => c.replace('  duration: 1500ms', '  duration: 3s').replace('  trials: 2', '  trials: 1'),
    match: /second: trial 1\/1/,
    kept: ['first'],
  },
];

/** A workspace for a phase: the user's repository with the phase's config, committed. */
function workspaceFor(phase: Phase): { dir: string; base: string } {
  const ws = makeWorkspace('', phase.topologies);
  const config = path.join(ws.dir, '.github/flask-perf.yml');
  writeFileSync(config, phase.configure(readFileSync(config, 'utf8')));
  return { dir: ws.dir, base: ws.commit('config') };
}

/** Runs the action on a pull request, signalling once the log matches. */
async function action(dir: string, payload: unknown, match: RegExp, signal: NodeJS.Signals): Promise<Run & { signalled: boolean }> {
  const tmp = tempDir('faults-tmp');
  let signalled = false;
  const r = await runAction({
    workspace: dir,
    apiUrl: mock.url,
    eventName: 'pull_request',
    payload,
    env: { TMPDIR: tmp },
    onOutput: (text, send) => {
      if (!signalled && match.test(text)) {
        signalled = true;
        send(signal);
      }
    },
  });
  return { code: r.code, stdout: r.stdout, stderr: r.stdout, tmp, signalled };
}

const EXIT: Record<string, number> = { SIGTERM: 143, SIGINT: 130 };

describe('a signal at each phase: exit 143 (SIGTERM) or 130 (SIGINT), nothing left, results so far kept', () => {
  for (const door of ['CLI', 'action'] as const) {
    for (const [i, phase] of PHASES.entries()) {
      // Both signals, spread over the phases and the two doors.
      const signal: NodeJS.Signals = (i + (door === 'CLI' ? 0 : 1)) % 2 === 0 ? 'SIGTERM' : 'SIGINT';
      it(`${door}: ${signal} during ${phase.name}`, async () => {
        const ws = workspaceFor(phase);
        const results = path.join(ws.dir, 'flask-perf-results/results.json');
        const r =
          door === 'CLI'
            ? await cli(['run', '--config', '.github/flask-perf.yml', '--out', results], ws.dir, { match: phase.match, signal })
            : await action(ws.dir, prPayload(ws.base), phase.match, signal);
        expect(r.signalled, r.stderr).toBe(true);
        expect(r.code, r.stderr).toBe(EXIT[signal]);
        await expectNothingLeft(r.tmp);
        if (phase.kept) {
          const kept = JSON.parse(readFileSync(results, 'utf8'));
          expect(kept.topologies.map((t: { name: string }) => t.name)).toEqual(phase.kept);
          expect(kept.topologies[0].ok).toBe(true);
        } else expect(existsSync(results)).toBe(false);
      });
    }
    it(`${door}: SIGTERM while settling beside the base: the matrix's results kept, worktree and its folder removed`, async () => {
      // Thresholds of 1% leave the stored verdict inconclusive, so the run goes on to settle it.
      const ws = makeWorkspace('compare: {calibrate: false, duration: 1s, warmup: 300ms}\nthresholds: {rps: 1%, cpu: 1%}');
      const base = ws.commit('config');
      const baseline = path.join(ws.dir, '.github/flask-perf-baseline.json');
      const recorded = await cli(['run', '--config', '.github/flask-perf.yml', '--out', baseline], ws.dir);
      expect(recorded.code, recorded.stderr).toBe(0);
      const match = /settling gunicorn-2[^]*warm-up, not counted/;
      const results = path.join(ws.dir, 'out/results.json');
      const r =
        door === 'CLI'
          ? await cli(['compare', '--config', '.github/flask-perf.yml', '--baseline', baseline, '--base', base, '--out', 'out'], ws.dir, {
              match,
              signal: 'SIGTERM',
            })
          : await action(ws.dir, prPayload(ws.commit('baseline')), match, 'SIGTERM');
      expect(r.signalled, r.stderr).toBe(true);
      expect(r.code, r.stderr).toBe(143);
      expect(execFileSync('git', ['worktree', 'list'], { cwd: ws.dir, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
      await expectNothingLeft(r.tmp);
      const kept = JSON.parse(readFileSync(door === 'CLI' ? results : path.join(ws.dir, 'flask-perf-results/results.json'), 'utf8'));
      expect(kept.topologies.map((t: { name: string; ok: boolean }) => [t.name, t.ok])).toEqual([['gunicorn-2', true]]);
    });
    it(`${door}: SIGTERM while the base worktree is in use (compare: base): worktree and its folder removed`, async () => {
      const repo = repository(false);
      const match = /warm-up, not counted/;
      const r =
        door === 'CLI'
          ? await cli(['compare', '--config', '.github/flask-perf.yml', '--base', 'HEAD~1', '--out', 'out'], repo.dir, { match, signal: 'SIGTERM' })
          : await action(repo.dir, { number: 9, pull_request: { number: 9, base: { sha: repo.base }, head: { sha: repo.head } } }, match, 'SIGTERM');
      expect(r.signalled, r.stderr).toBe(true);
      expect(r.code, r.stderr).toBe(143);
      expect(execFileSync('git', ['worktree', 'list'], { cwd: repo.dir, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
      await expectNothingLeft(r.tmp);
    });
  }
});
