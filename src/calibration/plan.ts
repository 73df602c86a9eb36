import path from 'node:path';
import { packageRoot } from '../paths.js';
import type { Config, TopologyConfig } from '../config/types.js';
import { resolveWorkers } from '../topology/workers.js';

/** Longest warm-up of the reference app. */
export const CALIBRATION_WARMUP_MS = 2000;
/** The app and the reference app take turns in slices of about this length within each trial. */
export const CALIBRATION_SLICE_MS = 1000;

/** Folder of the reference app shipped with the action. */
export function calibrationDir(): string {
  return path.join(packageRoot(), 'src/calibration');
}

/**
 * The reference app under the same topology and load as `topology` (pure): the config its side
 * runs with, whose one topology has the same name, shape and process count, served by the
 * standard library (calibration/serve.py) so that nothing the user's code depends on moves it —
 * a gunicorn topology becomes that many pre-forked stdlib workers. Null for kinds it cannot stand
 * in for (`command`: the front is the user's).
 */
export function calibrationConfig(config: Config, topology: TopologyConfig, dir: string, serverCores: number): Config | null {
  if (topology.kind === 'command') return null;
  const serve = `{python} ${path.join(dir, 'serve.py')} {port}`;
  // The reference app is loaded closed-loop whatever the app's model: its req/s is the machine's speed.
  const { rate, ...shape } = topology;
  const reference: TopologyConfig =
    shape.kind === 'gunicorn'
      ? {
          name: shape.name,
          kind: 'command',
          command: `${serve} --workers ${resolveWorkers(shape.workers, serverCores)} --threads ${shape.threads}`,
          instances: 0,
          templates: [],
        }
      : shape;
  return {
    ...config,
    app: { ...config.app, build: '', workdir: dir, wsgi: 'calibration_app:app', start: serve, health: '/' },
    load: {
      ...config.load,
      rate: undefined,
      stages: undefined,
      capacity: undefined,
      warmupMs: Math.min(config.load.warmupMs, CALIBRATION_WARMUP_MS),
      requests: [{ method: 'GET', path: '/', headers: {}, body: '', weight: 1 }],
    },
    topologies: [reference],
  };
}
