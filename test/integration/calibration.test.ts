import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TopologyConfig } from '../../src/config/types.js';
import { runMatrix } from '../../src/run/matrix.js';
import { liveGroupCount } from '../../src/topology/process.js';
import { ensureFixtureBuilt, fixtureConfig, ROOT } from '../support/fixture.js';

beforeAll(() => ensureFixtureBuilt());

describe('calibration cell (compare.calibrate)', () => {
  it('runs the reference app under the same topology for flask, gunicorn and balancer kinds, and a generic one for command', async () => {
    const base = fixtureConfig({ warmupMs: 300, durationMs: 1000, trials: 2 });
    const topologies: TopologyConfig[] = [
      { name: 'single', kind: 'flask' },
      { name: 'gunicorn-2', kind: 'gunicorn', workers: { count: 2 }, workerClass: 'sync', threads: 1 },
      { name: 'balancer-2', kind: 'balancer', instances: 2, strategy: 'round-robin', engine: 'node' },
      { name: 'cmd', kind: 'command', command: '{python} app.py {port}', instances: 0, templates: [] },
    ];
    const results = await runMatrix({ ...base, topologies, compare: { ...base.compare, calibrate: true } }, { skipBuild: true });
    const [single, gunicorn, balancer, cmd] = results.topologies;
    for (const t of [single, gunicorn, balancer, cmd]) {
      expect(t.ok, t.error ?? '').toBe(true);
      expect(t.calibration, t.name).toBeTruthy();
      expect(t.calibration!.trials).toHaveLength(2);
      expect(t.calibration!.rps).toBeGreaterThan(10);
      expect(t.calibration!.cpuMsPer1kRequests).toBeGreaterThan(0);
    }
    expect(cmd.calibration!.interleaved).toBe(true);
    expect([single, gunicorn, balancer, cmd].map((t) => t.calibration!.generic ?? false)).toEqual([false, false, false, true]);
    expect(liveGroupCount()).toBe(0);
  });

  it('gunicorn workers of an async class (an ASGI app on gunicorn’s asgi worker) get a generic reference, recorded as such', async () => {
    const base = fixtureConfig({ warmupMs: 300, durationMs: 1000, trials: 1 });
    const config = {
      ...base,
      app: { ...base.app, wsgi: 'asgi:app', env: { PYTHONPATH: path.join(ROOT, 'test/apps') } },
      topologies: [{ name: 'asgi-1', kind: 'gunicorn', workers: { count: 1 }, workerClass: 'asgi', threads: 1 } as TopologyConfig],
      compare: { ...base.compare, calibrate: true },
    };
    const [asgi] = (await runMatrix(config, { skipBuild: true })).topologies;
    expect(asgi.ok, asgi.error ?? '').toBe(true);
    expect(asgi.rps).toBeGreaterThan(10);
    expect(asgi.calibration?.generic).toBe(true);
    expect(liveGroupCount()).toBe(0);
  });

  it('starts every trial on a fresh deployment, calibrated or not, and keeps each trial', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flask-perf-starts-'));
    try {
      const base = fixtureConfig({ warmupMs: 300, durationMs: 800, trials: 3 });
      // Each start of the app appends its topology's name: the count is the number of deployments.
      const start = (name: string): string => `echo ${name} >> ${dir}/starts && exec {python} app.py {port}`;
      const topologies: TopologyConfig[] = [
        { name: 'single', kind: 'flask' },
        { name: 'cmd', kind: 'command', command: start('cmd'), instances: 0, templates: [] },
      ];
      const config = { ...base, app: { ...base.app, start: start('single') }, topologies, compare: { ...base.compare, calibrate: true } };
      const results = await runMatrix(config, { skipBuild: true });
      for (const t of results.topologies) {
        expect(t.ok, t.error ?? '').toBe(true);
        expect(t.trials, t.name).toHaveLength(3);
      }
      expect(results.topologies[0].calibration!.trials).toHaveLength(3);
      const starts = readFileSync(path.join(dir, 'starts'), 'utf8').trim().split('\n');
      expect(starts.filter((s) => s === 'single')).toHaveLength(3);
      expect(starts.filter((s) => s === 'cmd')).toHaveLength(3);
      expect(results.load.trials).toBe(3);
      expect(liveGroupCount()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
