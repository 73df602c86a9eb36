/**
 * The gate on real runs (stored baseline, the action's default mode): a flagrant change fails with
 * one trial; a baseline from another CPU is compared through the calibration cell. Settling is
 * off: these judge the stored verdict itself (settling has its tests in action and cli).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, prPayload, pushPayload, runAction } from '../support/action.js';
import { ensureFixtureBuilt } from '../support/fixture.js';
import { useGithubMock } from '../support/github-mock.js';

const mock = useGithubMock();
beforeAll(() => ensureFixtureBuilt());

/** A workspace whose baseline (one trial, with calibration) the action recorded on a push. */
async function recordedBaseline(
  configExtra: string,
  topologies?: readonly string[],
): Promise<{ dir: string; commit: (m: string) => string; baselineFile: string }> {
  const ws = makeWorkspace(configExtra, topologies);
  const config = path.join(ws.dir, '.github/flask-perf.yml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('  trials: 2', '  trials: 1'));
  ws.commit('config');
  const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'push', payload: pushPayload(), inputs: { 'update-baseline': 'true' } });
  expect(r.code, r.stdout).toBe(0);
  return { ...ws, baselineFile: path.join(ws.dir, '.github/flask-perf-baseline.json') };
}

/** Commits the baseline, then a head whose every request burns 4 ms more CPU; runs the action on that PR. */
async function slowHeadRun(ws: { dir: string; commit: (m: string) => string }): ReturnType<typeof runAction> {
  const base = ws.commit('baseline');
  const app = path.join(ws.dir, 'app/app.py');
  writeFileSync(app, readFileSync(app, 'utf8').replace('os.environ.get("FIXTURE_EXTRA_CPU_US", "0")', 'os.environ.get("FIXTURE_EXTRA_CPU_US", "4000")'));
  ws.commit('slow head');
  return runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'pull_request', payload: prPayload(base) });
}

describe('the stored-baseline gate on real runs', () => {
  it('one trial a side: 4 ms more CPU per request (5–9× the app’s) fails the step, naming the topology', async () => {
    const ws = await recordedBaseline('compare: {calibrate: true, settle: false}');
    const r = await slowHeadRun(ws);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/::error::flask-perf: regressed: gunicorn-2 \(req\/s −\d+\.\d% \[−\d+\.\d%, −\d+\.\d%\] \(threshold 10%\)/);
    expect(r.summary).toContain('n=1');
  });

  it('a command topology, one trial a side: judged on a generic reference app, 4 ms more CPU per request fails naming it', async () => {
    const ws = await recordedBaseline('compare: {calibrate: true, settle: false}', [
      '  - {name: own-server, kind: command, command: "{python} app.py {port}"}',
    ]);
    const baseline = JSON.parse(readFileSync(ws.baselineFile, 'utf8'));
    expect(baseline.topologies[0].calibration.trials).toHaveLength(1);
    const r = await slowHeadRun(ws);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/::error::flask-perf: regressed: own-server \(req\/s −\d+\.\d% /);
    expect(r.summary).toContain('**Generic reference:** own-server');
    expect(r.summary).toContain('gauges the machine, not the command’s shape');
  });

  it('a baseline from another CPU: an unchanged app passes, and the report shows the calibration factor', async () => {
    // Only huge changes may fail here: the subject is the calibration, not this machine's noise.
    const ws = await recordedBaseline('thresholds: {rps: 50%, cpu: 200%}\ncompare: {calibrate: true, settle: false}');
    const baseline = JSON.parse(readFileSync(ws.baselineFile, 'utf8'));
    writeFileSync(
      ws.baselineFile,
      JSON.stringify({ ...baseline, environment: { ...baseline.environment, cpuModel: 'Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz' } }),
    );
    const base = ws.commit('baseline from another machine');
    const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'pull_request', payload: prPayload(base) });
    expect(r.code, r.stdout).toBe(0);
    expect(r.summary).toContain('cross-hardware');
    expect(r.summary).toMatch(
      /\*\*Calibration:\*\* this run ran the reference app at ×\d+\.\d\d \\\[\d+\.\d\d, \d+\.\d\d\\\] req\/s under gunicorn-2 of the baseline's/,
    );
    expect(r.summary).toContain('plus what calibration leaves across hardware');
  });
});
