import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/paths.js';
import type { Config } from '../../src/config/types.js';
import { waitHealthy } from '../../src/topology/health.js';
import { freePort } from '../../src/topology/ports.js';
import { spawnGroup, type GroupProcess } from '../../src/topology/process.js';

/** Repository root. */
export const ROOT = packageRoot();
export const FIXTURE_DIR = path.join(ROOT, 'fixtures/flask-app');
export const FIXTURE_CONFIG = path.join(FIXTURE_DIR, 'flask-perf.yml');
export const FIXTURE_PYTHON = path.join(FIXTURE_DIR, '.venv/bin/python');

/** Builds the fixture's venv and table once (reused while requirements.txt is unchanged). */
export function ensureFixtureBuilt(): void {
  if (existsSync(FIXTURE_PYTHON) && existsSync(path.join(FIXTURE_DIR, 'fixture.sqlite3'))) return;
  execFileSync('python3', ['build.py'], { cwd: FIXTURE_DIR, stdio: 'inherit' });
}

/** The fixture's config with short load and no calibration cell, for tests. */
export function fixtureConfig(overrides: Partial<Config['load']> = {}): Config {
  const base = readConfig(FIXTURE_CONFIG, ROOT);
  return {
    ...base,
    load: { ...base.load, warmupMs: 500, durationMs: 1500, trials: 1, connections: 16, ...overrides },
    compare: { ...base.compare, calibrate: false },
  };
}

/** A server of the fixture started by hand, healthy, on a free port. */
export interface StartedServer {
  readonly url: string;
  readonly proc: GroupProcess;
}

/** Starts a fixture server from a command with `{port}`, in the fixture folder, and waits for health. */
export async function startFixtureServer(command: string, env: NodeJS.ProcessEnv = {}, cpus?: string): Promise<StartedServer> {
  const port = await freePort();
  const proc = spawnGroup(command.replaceAll('{port}', String(port)).replaceAll('{python}', FIXTURE_PYTHON), {
    label: 'server',
    cwd: FIXTURE_DIR,
    env: { ...process.env, ...env },
    cpus,
  });
  const health = await waitHealthy(`http://127.0.0.1:${port}/healthz`, 20_000, proc.exited);
  if (!health.ok) {
    await proc.stop();
    throw new Error(`${command} did not start: ${proc.lastOutput()}`);
  }
  return { url: `http://127.0.0.1:${port}`, proc };
}

/** Starts the fixture under gunicorn with extra arguments, e.g. ['--worker-class', 'gthread']. */
export function startGunicorn(args: readonly string[], env: NodeJS.ProcessEnv = {}, cpus?: string): Promise<StartedServer> {
  return startFixtureServer(`{python} -m gunicorn --bind 127.0.0.1:{port} --log-level warning ${args.join(' ')} app:app`, env, cpus);
}
