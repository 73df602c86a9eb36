import type { WorkersSpec } from '../config/types.js';

/** gunicorn's recommended worker count for a number of server cores: 2 × cores + 1. */
export function autoWorkers(serverCores: number): number {
  return 2 * Math.max(1, serverCores) + 1;
}

/** Worker count of a `workers` spec: the count itself, or a multiple of `auto`. */
export function resolveWorkers(spec: WorkersSpec, serverCores: number): number {
  return 'count' in spec ? spec.count : spec.autoMultiple * autoWorkers(serverCores);
}
