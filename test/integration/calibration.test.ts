import { beforeAll, describe, expect, it } from 'vitest';
import type { TopologyConfig } from '../../src/config/types.js';
import { runMatrix } from '../../src/run/matrix.js';
import { liveGroupCount } from '../../src/topology/process.js';
import { ensureFixtureBuilt, fixtureConfig } from '../support/fixture.js';

beforeAll(() => ensureFixtureBuilt());

describe('calibration cell (compare.calibrate)', () => {
  it('runs the reference app under the same topology for flask, gunicorn and balancer kinds, not for command', async () => {
    const base = fixtureConfig({ warmupMs: 300, durationMs: 1000, trials: 2 });
    const topologies: TopologyConfig[] = [
      { name: 'single', kind: 'flask' },
      { name: 'gunicorn-2', kind: 'gunicorn', workers: { count: 2 }, workerClass: 'sync', threads: 1 },
      { name: 'balancer-2', kind: 'balancer', instances: 2, strategy: 'round-robin', engine: 'node' },
      { name: 'cmd', kind: 'command', command: '{python} app.py {port}', instances: 0, templates: [] },
    ];
    const results = await runMatrix({ ...base, topologies, compare: { ...base.compare, calibrate: true } }, { skipBuild: true });
    const [single, gunicorn, balancer, cmd] = results.topologies;
    for (const t of [single, gunicorn, balancer]) {
      expect(t.ok, t.error ?? '').toBe(true);
      expect(t.calibration, t.name).toBeTruthy();
      expect(t.calibration!.trials).toHaveLength(2);
      expect(t.calibration!.rps).toBeGreaterThan(10);
      expect(t.calibration!.cpuMsPer1kRequests).toBeGreaterThan(0);
    }
    expect(cmd.calibration).toBeNull();
    expect(liveGroupCount()).toBe(0);
  });
});
