import { beforeAll, describe, expect, it } from 'vitest';
import type { TopologyConfig } from '../../src/config/types.js';
import { runMatrix } from '../../src/run/matrix.js';
import { liveGroupCount } from '../../src/topology/process.js';
import { ensureFixtureBuilt, fixtureConfig, ROOT } from '../support/fixture.js';
import { newMarker, processesWithEnv } from '../support/procs.js';

beforeAll(() => ensureFixtureBuilt());

const FAULTS = `{python} ${ROOT}/test/apps/faults.py {port}`;
const command = (name: string, cmd: string): TopologyConfig => ({ name, kind: 'command', command: cmd, instances: 0, templates: [] });
/** A helper that leaves the server's process group, as a daemon does: stopping the group does not reach it. */
const ESCAPED = 'setsid sleep 60 >/dev/null 2>&1 &';

describe('cells that fail', () => {
  it('records each failure with its exit and output, runs the other cells, and leaves nothing, not even what left its group', async () => {
    const marker = newMarker();
    const base = fixtureConfig({ warmupMs: 300, durationMs: 2500 });
    const config = {
      ...base,
      app: { ...base.app, healthTimeoutMs: 2000, env: { FLASK_PERF_TEST_MARKER: marker } },
      topologies: [
        command('never-healthy', `${ESCAPED} sleep 60 # {port}`),
        command('exits-early', `{python} -c "import sys; print('boom: missing DATABASE_URL'); sys.exit(3)" {port}`),
        // Dies 1.2 s into the load: after the 0.3 s warm-up, within the 2.5 s trial, however slow the start.
        command('dies-mid-run', `${FAULTS} --die-after-ms 1200`),
        { name: 'single', kind: 'flask' } as TopologyConfig,
        command('escapes', `${ESCAPED} exec ${FAULTS}`),
      ],
    };
    const results = await runMatrix(config, { skipBuild: true });
    const [never, early, dies, single, escapes] = results.topologies;

    expect(never.ok).toBe(false);
    expect(never.error).toMatch(/^server did not answer 2xx on \/healthz within 2s \(no answer\)/);

    expect(early.ok).toBe(false);
    expect(early.error).toMatch(/^server exited with exit code 3 before becoming healthy; last output:\n/);
    expect(early.error).toContain('boom: missing DATABASE_URL');

    expect(dies.ok).toBe(false);
    expect(dies.error).toMatch(/^server died mid-run with (exit code 137|signal SIGKILL)/);
    expect(dies.trials).toEqual([]);

    expect(single.ok).toBe(true);
    expect(single.rps).toBeGreaterThan(0);
    expect(escapes.ok).toBe(true);

    expect(liveGroupCount()).toBe(0);
    expect(processesWithEnv('FLASK_PERF_TEST_MARKER', marker)).toEqual([]);
  });
});
