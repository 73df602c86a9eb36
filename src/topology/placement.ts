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
  /** Load generator processes, and the CPU list each is pinned to (undefined: not pinned). */
  readonly generators: readonly (string | undefined)[];
  /** `load.generators: auto` with `placement: auto`: a saturated warm-up may give the generator more cores (grownPlacement). */
  readonly mayGrow: boolean;
  /** The CPUs this process may use, in order: what a grown placement is cut from. */
  readonly allowed: readonly number[];
}

/** A warm-up with the busiest generator process above this share of its core asks for more generator cores. */
export const GROW_AT = 0.7;

/** Each of `n` processes on its own CPU of `cpus` when there are enough, else all on all of them. */
function generatorSets(cpus: readonly number[] | null, n: number): (string | undefined)[] {
  if (!cpus) return Array.from({ length: n }, () => undefined);
  if (cpus.length >= n) return cpus.slice(0, n).map((c) => formatCpuList([c]));
  return Array.from({ length: n }, () => formatCpuList(cpus));
}

/**
 * Chooses the placement (pure).
 * @param allowed CPU ids this process may use
 * @param hasTaskset whether `taskset` is on PATH
 * @param generators `load.generators`: a count, or auto (one, more when a warm-up shows it saturated)
 */
export function choosePlacement(setting: PlacementConfig, allowed: readonly number[], hasTaskset: boolean, generators: number | 'auto' = 'auto'): Placement {
  const n = generators === 'auto' ? 1 : generators;
  const plural = n > 1 ? `${n} load generator processes` : 'load generator';
  const shared = (reason: string): Placement => ({
    pinned: false,
    serverCores: allowed.length,
    reason,
    generators: generatorSets(null, n),
    mayGrow: false,
    allowed,
  });
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
      generators: generatorSets(parseCpuList(setting.loadgen), n),
      mayGrow: false,
      allowed,
    };
  }
  if (allowed.length < AUTO_PIN_MIN_CORES) {
    return shared(
      `${allowed.length} core${allowed.length === 1 ? '' : 's'}: below ${AUTO_PIN_MIN_CORES}, load generator and server share ${allowed.length === 1 ? 'it' : 'them'}`,
    );
  }
  // A load generator process is one Node thread: one core is all it can use. The servers keep one at least.
  const cores = Math.min(n, allowed.length - 1);
  const loadgen = allowed.slice(0, cores);
  const rest = allowed.slice(cores);
  return {
    pinned: true,
    loadgenCpus: formatCpuList(loadgen),
    serverCpus: formatCpuList(rest),
    serverCores: rest.length,
    reason: `${allowed.length} cores: ${plural} on ${cores}, servers on ${rest.length}`,
    generators: generatorSets(loadgen, n),
    mayGrow: generators === 'auto',
    allowed,
  };
}

/**
 * More load generator cores when a warm-up showed the generator saturated (pure): with
 * `load.generators: auto` and the busiest process above GROW_AT of its core, enough processes,
 * one per core, to bring each under it — taken from the servers, who keep at least half the
 * cores. Null when nothing changes (on 2 cores never: the servers keep their one).
 */
export function grownPlacement(placement: Placement, busiestShare: number): Placement | null {
  const { allowed } = placement;
  if (!placement.mayGrow || !placement.pinned || !(busiestShare > GROW_AT)) return null;
  const have = placement.generators.length;
  const most = Math.floor(allowed.length / 2);
  const want = Math.min(most, Math.ceil((have * busiestShare) / GROW_AT));
  if (want <= have) return null;
  const loadgen = allowed.slice(0, want);
  const rest = allowed.slice(want);
  return {
    ...placement,
    loadgenCpus: formatCpuList(loadgen),
    serverCpus: formatCpuList(rest),
    serverCores: rest.length,
    generators: generatorSets(loadgen, want),
    reason: `${allowed.length} cores: the warm-up had the load generator at ${Math.round(busiestShare * 100)}% of its core, so ${want} load generator processes on ${want} cores, servers on ${rest.length}`,
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
