import path from 'node:path';
import { packageRoot } from '../paths.js';
import type { Config, TopologyConfig } from '../config/types.js';

/** Longest warm-up of the reference app. */
export const CALIBRATION_WARMUP_MS = 2000;
/** The app and the reference app take turns in slices of about this length within each trial. */
export const CALIBRATION_SLICE_MS = 1000;

/** Folder of the reference app shipped with the action. */
export function calibrationDir(): string {
  return path.join(packageRoot(), 'src/calibration');
}

/**
 * The config that run the reference app under the same topology and load as `topology`
 * (pure); null for kinds it cannot stand in for (`command`: the front is the user's).
 */
export function calibrationConfig(config: Config, topology: TopologyConfig, dir: string): Config | null {
  if (topology.kind === 'command') return null;
  return {
    ...config,
    app: {
      ...config.app,
      build: '',
      workdir: dir,
      wsgi: 'calibration_app:app',
      start: `{python} ${path.join(dir, 'serve.py')} {port}`,
      health: '/',
    },
    load: {
      ...config.load,
      warmupMs: Math.min(config.load.warmupMs, CALIBRATION_WARMUP_MS),
      requests: [{ method: 'GET', path: '/', headers: {}, body: '', weight: 1 }],
    },
    topologies: [topology],
  };
}
