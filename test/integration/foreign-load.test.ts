/**
 * Foreign load: a bounded busy loop pinned to the load generator's core during a run is named in
 * the cell's warnings, with its share; the run's own processes never are (the unit tests hold the
 * arithmetic: test/unit/foreign.test.ts).
 */
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMatrix } from '../../src/run/matrix.js';
import { allowedCpus } from '../../src/topology/procfs.js';
import { ensureFixtureBuilt, fixtureConfig } from '../support/fixture.js';

beforeAll(() => ensureFixtureBuilt());

describe('foreign load', () => {
  it.runIf(allowedCpus(1).length >= 2)(
    'a busy loop on the load generator’s core is named in the warnings, and nothing is named without it',
    async () => {
      const base = fixtureConfig({ warmupMs: 300, durationMs: 1500, trials: 2 });
      const config = {
        ...base,
        topologies: [{ name: 'gunicorn-2', kind: 'gunicorn' as const, workers: { count: 2 }, workerClass: 'sync' as const, threads: 1 }],
        compare: { ...base.compare, calibrate: false },
      };
      // The placement pins the generator to the first allowed CPU. The loop is bounded twice: by
      // timeout(1), and ended below by its own process group's id.
      const cpu = String(allowedCpus(1)[0]);
      // Without the loop, nothing is named: the run's own processes and kernel threads are its own.
      const quiet = (await runMatrix(config, { skipBuild: true })).topologies[0];
      expect(quiet.ok, quiet.error ?? '').toBe(true);
      expect(
        quiet.warnings.filter((w) => w.code === 'foreign-load'),
        JSON.stringify(quiet.warnings),
      ).toEqual([]);
      const busy = spawn('timeout', ['40', 'taskset', '-c', cpu, 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore', detached: true });
      try {
        const results = await runMatrix(config, { skipBuild: true });
        const cell = results.topologies[0];
        expect(cell.ok, cell.error ?? '').toBe(true);
        expect(results.environment.placement.loadgenCpus).toBe(cpu);
        const named = cell.warnings.filter(
          (w) => w.code === 'foreign-load' && w.message.startsWith('another process') && w.message.includes("the load generator's core"),
        );
        expect(named, JSON.stringify(cell.warnings)).toHaveLength(1);
        // The loop shares the core with the generator: the scheduler gives it about half or more.
        const share = Number(/another process used (\d+)%/.exec(named[0].message)?.[1]);
        expect(share).toBeGreaterThanOrEqual(20);
      } finally {
        process.kill(-busy.pid!, 'SIGKILL');
      }
    },
    90_000,
  );
});
