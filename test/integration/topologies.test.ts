import { SCHEMA_VERSION } from '../../src/results/types.js';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config, TopologyConfig } from '../../src/config/types.js';
import { runMatrix } from '../../src/run/matrix.js';
import { liveGroupCount } from '../../src/topology/process.js';
import { ensureFixtureBuilt, fixtureConfig } from '../support/fixture.js';
import { newMarker, processesWithEnv } from '../support/procs.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

beforeAll(() => ensureFixtureBuilt());

function withTopologies(config: Config, topologies: TopologyConfig[], env: Record<string, string>): Config {
  return { ...config, app: { ...config.app, env: { ...config.app.env, ...env } }, topologies };
}

describe('the real fixture under every topology kind', () => {
  it('measures flask, gunicorn, the balancer with each engine and an nginx command front, and leaves nothing running', async () => {
    const marker = newMarker();
    const base = fixtureConfig();
    const topologies: TopologyConfig[] = [
      { name: 'single', kind: 'flask' },
      { name: 'gunicorn-auto', kind: 'gunicorn', workers: { autoMultiple: 1 }, workerClass: 'sync', threads: 1 },
      { name: 'gthread', kind: 'gunicorn', workers: { count: 2 }, workerClass: 'gthread', threads: 4 },
      { name: 'balancer-rr', kind: 'balancer', instances: 3, strategy: 'round-robin', engine: 'node' },
      // The tool writes the proxies' configs: no template (.ci/run installs both).
      { name: 'nginx-least', kind: 'balancer', instances: 2, strategy: 'least-connections', engine: 'nginx' },
      { name: 'haproxy-random', kind: 'balancer', instances: 2, strategy: 'random', engine: 'haproxy' },
      { name: 'nginx-rr', kind: 'command', command: `${NGINX} -p {dir} -c {dir}/nginx.conf`, instances: 2, templates: ['nginx.conf.tmpl'] },
    ];
    const results = await runMatrix(withTopologies(base, topologies, { FLASK_PERF_TEST_MARKER: marker }), { skipBuild: true });

    expect(results.schemaVersion).toBe(SCHEMA_VERSION);
    expect(results.environment.cores).toBeGreaterThan(0);
    expect(results.environment.flask).toMatch(/^\d+\./);
    expect(results.environment.gunicorn).toMatch(/^\d+\./);
    expect(results.environment.python).toMatch(/^3\./);
    expect(results.topologies.map((t) => t.name)).toEqual(topologies.map((t) => t.name));
    for (const t of results.topologies) {
      expect(t.error, t.name).toBeNull();
      expect(t.ok).toBe(true);
      expect(t.rps, t.name).toBeGreaterThan(20);
      expect(t.failuresPerSec / t.rps, t.name).toBeLessThan(0.01);
      expect(t.trials).toHaveLength(1);
      expect(t.endpoints.map((e) => e.path)).toEqual(['/', '/cpu-bound', '/io-bound']);
      for (const e of t.endpoints) expect(e.totalRequests, `${t.name} ${e.path}`).toBeGreaterThan(0);
      // Equal weights: each endpoint gets about a third.
      for (const e of t.endpoints) expect(e.totalRequests / t.totalRequests).toBeCloseTo(1 / 3, 1);
      expect(t.latencyMs.p50).toBeGreaterThan(0);
      expect(t.latencyMs.p99).toBeGreaterThanOrEqual(t.latencyMs.p50);
      expect(t.latencyMs.max).toBeGreaterThanOrEqual(t.latencyMs.p99);
      expect(t.cpuMsPer1kRequests, t.name).toBeGreaterThan(0);
      expect(t.peakRssMb, t.name).toBeGreaterThan(5);
      expect(t.bytesPerSec).toBeGreaterThan(0);
    }
    const byName = Object.fromEntries(results.topologies.map((t) => [t.name, t]));
    expect(byName['gunicorn-auto'].workers).toBe(2 * results.environment.placement.serverCores + 1);
    expect(byName['balancer-rr'].instances).toBe(3);
    expect(byName['nginx-least'].instances).toBe(2);
    expect(byName['haproxy-random'].instances).toBe(2);
    // Five Python processes behind a balancer use more memory than one.
    expect(byName['balancer-rr'].peakRssMb!).toBeGreaterThan(byName.single.peakRssMb!);

    expect(liveGroupCount()).toBe(0);
    expect(processesWithEnv('FLASK_PERF_TEST_MARKER', marker)).toEqual([]);
  });
});
