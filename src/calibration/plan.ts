import path from 'node:path';
import { packageRoot } from '../paths.js';
import type { Config, TopologyConfig } from '../config/types.js';
import { autoWorkers, resolveWorkers } from '../topology/workers.js';

/** Longest warm-up of the reference app. */
export const CALIBRATION_WARMUP_MS = 2000;
/** The app and the reference app take turns in slices of about this length within each trial. */
export const CALIBRATION_SLICE_MS = 1000;

/** Folder of the reference app shipped with the action. */
export function calibrationDir(): string {
  return path.join(packageRoot(), 'src/calibration');
}

/** gunicorn worker classes served as the reference app serves (pre-forked workers, each with its threads). */
const SHAPED_WORKER_CLASSES = new Set(['sync', 'gthread', 'gunicorn.workers.sync.SyncWorker', 'gunicorn.workers.gthread.ThreadWorker']);

/**
 * Whether the reference app has the topology's shape (pure): not for a `command`, nor for gunicorn
 * workers of another class (uvicorn's, gevent's: one process serving many connections at once).
 */
export function referenceShaped(topology: TopologyConfig): boolean {
  if (topology.kind === 'command') return false;
  return topology.kind !== 'gunicorn' || SHAPED_WORKER_CLASSES.has(topology.workerClass);
}

/**
 * The reference app under the same topology and load as `topology` (pure): the config its side
 * runs with, whose one topology has the same name, shape and process count, served by the
 * standard library (calibration/serve.py) so that nothing the user's code depends on moves it —
 * a gunicorn topology becomes that many pre-forked stdlib workers. A `command` topology's shape is
 * the user's own: its reference app is a generic one (compare/calibration.ts genericReference), pre-forked workers as
 * `workers: auto` would start, which gauges the machine's speed but not the shape's; gunicorn workers
 * of another class than sync or gthread get that many stdlib workers, not their shape either.
 */
export function calibrationConfig(config: Config, topology: TopologyConfig, dir: string, serverCores: number): Config {
  const serve = `{python} ${path.join(dir, 'serve.py')} {port}`;
  const forked = (name: string, workers: number, threads: number): TopologyConfig => ({
    name,
    kind: 'command',
    command: `${serve} --workers ${workers} --threads ${threads}`,
    instances: 0,
    templates: [],
  });
  // The reference app is loaded closed-loop whatever the app's model: its req/s is the machine's speed.
  const { rate, ...shape } = topology;
  const reference: TopologyConfig =
    shape.kind === 'gunicorn'
      ? forked(shape.name, resolveWorkers(shape.workers, serverCores), shape.threads)
      : shape.kind === 'command'
        ? forked(shape.name, autoWorkers(serverCores), 1)
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
