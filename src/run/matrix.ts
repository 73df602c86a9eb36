import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Settings } from '../config/types.js';
import { openLoadGenerator } from '../load/generator.js';
import { distScript } from '../paths.js';
import { fingerprint } from '../results/fingerprint.js';
import { SCHEMA_VERSION, type Results, type TopologyResult } from '../results/types.js';
import { choosePlacement, placementProblems, type Placement } from '../topology/placement.js';
import { allowedCpus } from '../topology/procfs.js';
import { ConfigError } from '../config/load.js';
import { runBuild } from './build.js';
import { runCell, type CellDeps } from './cell.js';
import { silentProgress, type Progress } from './progress.js';
import { VERSION } from '../version.js';

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The placement for these settings on this machine; a ConfigError when pinned CPUs do not exist. */
export function placementHere(settings: Settings): { placement: Placement; cores: number } {
  const allowed = allowedCpus(os.availableParallelism());
  const placement = choosePlacement(settings.placement, allowed, hasTaskset());
  const problems = placementProblems(placement, allowed);
  if (problems.length) throw new ConfigError(settings.configPath, problems);
  return { placement, cores: allowed.length };
}

export interface MatrixOptions {
  readonly progress?: Progress;
  /** Skip `app.build` (already done). */
  readonly skipBuild?: boolean;
  /** Replaces parts of a cell's dependencies (tests). */
  readonly cellDeps?: Partial<CellDeps>;
}

/**
 * The pipeline every entry point calls: build the app once, run every topology in order, and
 * return the results document. Cells that fail are recorded, and the others still run.
 */
export async function runMatrix(settings: Settings, options: MatrixOptions = {}): Promise<Results> {
  const progress = options.progress ?? silentProgress;
  const startedAt = new Date().toISOString();
  const { placement, cores } = placementHere(settings);
  if (!options.skipBuild) await runBuild(settings.app, (line) => progress.note(line));
  progress.note(`placement: ${placement.reason}`);
  const environment = await fingerprint(settings.app, placement, cores);
  const deps: CellDeps = {
    openLoadGenerator,
    node: process.execPath,
    balancerScript: settings.topologies.some((t) => t.kind === 'balancer') ? distScript('balancer.js') : '',
    progress,
    ...options.cellDeps,
  };
  const topologies: TopologyResult[] = [];
  try {
    for (const [index, topology] of settings.topologies.entries()) {
      progress.cellStart(topology.name, index, settings.topologies.length);
      const result = await runCell(topology, settings, placement, deps);
      progress.cellEnd(result);
      topologies.push(result);
    }
  } finally {
    progress.close();
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'flask-perf', version: VERSION },
    startedAt,
    finishedAt: new Date().toISOString(),
    load: {
      connections: settings.load.connections,
      warmupSec: settings.load.warmupMs / 1000,
      durationSec: settings.load.durationMs / 1000,
      trials: settings.load.trials,
      timeoutSec: settings.load.timeoutMs / 1000,
    },
    environment,
    topologies,
  };
}
