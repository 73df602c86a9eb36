import { beforeAll, describe, expect, it } from 'vitest';
import type { TopologyConfig } from '../../src/config/types.js';
import { deploy } from '../../src/run/cell.js';
import { cellDepsFor, placementHere } from '../../src/run/matrix.js';
import { silentProgress } from '../../src/run/progress.js';
import { liveGroupCount } from '../../src/topology/process.js';
import { formatCpuList, parseCpuList, threadCpus } from '../../src/topology/procfs.js';
import { ensureFixtureBuilt, fixtureConfig } from '../support/fixture.js';
import { newMarker, processesWithEnv } from '../support/procs.js';

beforeAll(() => ensureFixtureBuilt());

// Servers start on every core (a start-up's wait halves) and are moved to the servers' CPUs before
// any load: every process and thread must be there once the deployment is up, workers forked
// by gunicorn and the balancer's node process included.
describe('a deployment, once up, runs on the servers’ CPUs only', () => {
  const config = fixtureConfig();
  const { placement } = placementHere(config);
  it.skipIf(!placement.pinned)('gunicorn workers, balancer instances and the front, every thread', async () => {
    const marker = newMarker();
    const withMarker = { ...config, app: { ...config.app, env: { ...config.app.env, FLASK_PERF_TEST_MARKER: marker } } };
    const topologies: TopologyConfig[] = [
      { name: 'gthread', kind: 'gunicorn', workers: { count: 3 }, workerClass: 'gthread', threads: 4 },
      { name: 'balancer-rr', kind: 'balancer', instances: 3, strategy: 'round-robin', engine: 'node' },
    ];
    const deps = cellDepsFor({ ...withMarker, topologies }, silentProgress);
    const want = formatCpuList(parseCpuList(placement.serverCpus!));
    const all = parseCpuList(placement.loadgenCpus!).concat(parseCpuList(placement.serverCpus!));
    expect(new Set(all).size).toBeGreaterThan(parseCpuList(placement.serverCpus!).length);
    for (const topology of topologies) {
      const facts = { workers: null, instances: null };
      const d = await deploy(topology, withMarker, placement, deps, facts);
      try {
        // gunicorn: a master and 3 workers; the balancer: 3 instances and node (shells may sit above them).
        // The deployment answers once one worker does: the others may still be forking (they inherit
        // the master's CPUs), so wait for them, up to 5 s.
        let pids = processesWithEnv('FLASK_PERF_TEST_MARKER', marker);
        for (let i = 0; i < 50 && pids.length < 4; i++) {
          await new Promise((r) => setTimeout(r, 100));
          pids = processesWithEnv('FLASK_PERF_TEST_MARKER', marker);
        }
        expect(pids.length, topology.name).toBeGreaterThanOrEqual(4);
        for (const pid of pids) {
          const threads = threadCpus(pid);
          expect(threads, `${topology.name} pid ${pid}`).not.toBeNull();
          for (const cpus of threads!) expect(cpus, `${topology.name} pid ${pid}`).toBe(want);
        }
      } finally {
        await d.stop();
      }
    }
    expect(liveGroupCount()).toBe(0);
    expect(processesWithEnv('FLASK_PERF_TEST_MARKER', marker)).toEqual([]);
  });
});
