import { AUTO_PIN_MIN_CORES } from '../config/defaults.js';
import type { PlacementConfig } from '../config/types.js';
import { formatCpuList, parseCpuList } from './procfs.js';

/** Where the load generator and the servers run, as recorded in the results. */
export interface Placement {
  /** True when load generator and servers are pinned to disjoint CPU sets. */
  readonly pinned: boolean;
  /** taskset CPU list of the load generator, when pinned. */
  readonly loadgenCpus?: string;
  /** taskset CPU list of the servers, when pinned. */
  readonly serverCpus?: string;
  /** Cores the servers may use; `auto` workers follow it. */
  readonly serverCores: number;
  /** Why this placement was chosen. */
  readonly reason: string;
}

/**
 * Chooses the placement (pure).
 * @param allowed CPU ids this process may use
 * @param hasTaskset whether `taskset` is on PATH
 */
export function choosePlacement(setting: PlacementConfig, allowed: readonly number[], hasTaskset: boolean): Placement {
  const shared = (reason: string): Placement => ({ pinned: false, serverCores: allowed.length, reason });
  if (setting.mode === 'off') return shared('placement: off');
  if (!hasTaskset) return shared('taskset not found; not pinned');
  if (setting.mode === 'pin') {
    const server = parseCpuList(setting.server);
    return {
      pinned: true,
      loadgenCpus: setting.loadgen,
      serverCpus: setting.server,
      serverCores: server.length,
      reason: 'placement from the config',
    };
  }
  if (allowed.length < AUTO_PIN_MIN_CORES) {
    return shared(
      `${allowed.length} core${allowed.length === 1 ? '' : 's'}: below ${AUTO_PIN_MIN_CORES}, load generator and server share ${allowed.length === 1 ? 'it' : 'them'}`,
    );
  }
  // The load generator is one Node thread: one core is all it can use.
  const [first, ...rest] = allowed;
  return {
    pinned: true,
    loadgenCpus: formatCpuList([first]),
    serverCpus: formatCpuList(rest),
    serverCores: rest.length,
    reason: `${allowed.length} cores: load generator on 1, servers on ${rest.length}`,
  };
}

/** Problems of a pinned placement against the CPUs allowed here (empty when fine). */
export function placementProblems(placement: Placement, allowed: readonly number[]): string[] {
  if (!placement.pinned) return [];
  const problems: string[] = [];
  const loadgen = parseCpuList(placement.loadgenCpus ?? '');
  const server = parseCpuList(placement.serverCpus ?? '');
  for (const [field, cpus] of [
    ['placement.loadgen', loadgen],
    ['placement.server', server],
  ] as const) {
    const missing = cpus.filter((c) => !allowed.includes(c));
    if (missing.length) problems.push(`${field} must name CPUs of this machine (${formatCpuList(allowed)}); got ${formatCpuList(missing)}`);
  }
  if (loadgen.some((c) => server.includes(c))) problems.push('placement.loadgen and placement.server must not share CPUs');
  return problems;
}
