import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Config } from '../config/types.js';
import { openLoadGenerator } from '../load/generator.js';
import { distScript } from '../paths.js';
import { fingerprint } from '../results/fingerprint.js';
import { SCHEMA_VERSION, type CalibrationResult, type Fingerprint, type Results, type TopologyResult } from '../results/types.js';
import { CALIBRATION_SLICE_MS, calibrationDir, calibrationConfig, referenceShaped } from '../calibration/plan.js';
import type { TopologyConfig } from '../config/types.js';
import { choosePlacement, placementProblems, type Placement } from '../topology/placement.js';
import { engineProblems } from '../topology/balancer/engines.js';
import { allowedCpus, cpuTimes, stealPercent, type CpuTimes } from '../topology/procfs.js';
import { ConfigError } from '../config/load.js';
import { runBuild } from './build.js';
import { runCell, runInterleaved, type CellDeps, type TrialPosition } from './cell.js';
import { runCapacity, type CapacityRole } from './capacity.js';
import { loadModel, trialMs } from '../load/model.js';
import { silentProgress, type Progress } from './progress.js';
import { VERSION } from '../version.js';
import { trialSpread } from '../compare/noise.js';
import { interruption } from '../topology/cleanup.js';
import { mergeMeasurements } from '../results/merge.js';

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The placement for this config on this machine; a ConfigError, before anything is built or
 * started, when pinned CPUs do not exist or a balancer engine's binary is not installed.
 */
export function placementHere(config: Config): { placement: Placement; cores: number } {
  const allowed = allowedCpus(os.availableParallelism());
  const placement = choosePlacement(config.placement, allowed, hasTaskset(), config.load.generators);
  const problems = [...placementProblems(placement, allowed), ...engineProblems(config.topologies)];
  if (problems.length) throw new ConfigError(config.configPath, problems);
  return { placement, cores: allowed.length };
}

export interface MatrixOptions {
  readonly progress?: Progress;
  /** Skip `app.build` (already done). */
  readonly skipBuild?: boolean;
  /** Replaces parts of a cell's dependencies (tests). */
  readonly cellDeps?: Partial<CellDeps>;
  /** Called with the results so far after each cell, so a crash or a signal loses only the cell it hit. */
  readonly onCell?: (partial: Results) => void;
}

/** What a run knows from its start: when, where, and the machine's CPU times then. */
export interface RunStart {
  readonly startedAt: string;
  readonly placement: Placement;
  readonly environment: Fingerprint;
  readonly times: CpuTimes | undefined;
}

/** Placement and the environment fingerprint of a run, as it starts. */
export async function startRun(config: Config, progress: Progress, startedAt = new Date().toISOString()): Promise<RunStart> {
  const { placement, cores } = placementHere(config);
  progress.note(`placement: ${placement.reason}`);
  return { startedAt, placement, environment: await fingerprint(config.app, placement, cores), times: cpuTimes() };
}

/** What every cell of a run needs from outside. */
export function cellDepsFor(config: Config, progress: Progress, overrides: Partial<CellDeps> = {}): CellDeps {
  return {
    openLoadGenerator,
    node: process.execPath,
    balancerScript: config.topologies.some((t) => t.kind === 'balancer') ? distScript('balancer.js') : '',
    progress,
    ...overrides,
  };
}

/** The results document of a run so far (steal time up to now). */
export function resultsDocument(config: Config, run: RunStart, topologies: TopologyResult[], load: Config['load'] = config.load): Results {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'flask-perf', version: VERSION },
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    load: {
      connections: load.connections,
      warmupSec: load.warmupMs / 1000,
      durationSec: load.durationMs / 1000,
      trials: load.trials,
      timeoutSec: load.timeoutMs / 1000,
    },
    environment: { ...run.environment, stealPercent: stealPercent(run.times, cpuTimes()) },
    topologies,
    noise: { trialSpread: trialSpread(topologies), history: [] },
  };
}

/** Warm-up of a trial's fresh deployment after the first: the first start warmed the machine's caches. */
export const RESTART_WARMUP_MS = 2000;

/**
 * Runs `trials` measurements of one trial each, every one on a fresh deployment (started, warmed
 * up, measured, stopped), and returns them merged. Trials that share a deployment share its luck —
 * a worker's place with the scheduler, a hash seed: in the corpus, gunicorn with 4 workers read
 * 30% low against the reference app in two of three trials of one run — so their spread hid how
 * much a whole run moves and two trials could agree on a bad draw. A failed deployment ends it.
 */
async function trialByTrial<S extends string>(
  config: Config,
  sides: readonly S[],
  once: (load: Config['load'], position: TrialPosition) => Promise<Record<S, TopologyResult>>,
): Promise<Record<S, TopologyResult>> {
  const { trials } = config.load;
  const parts = Object.fromEntries(sides.map((s) => [s, [] as TopologyResult[]])) as Record<S, TopologyResult[]>;
  for (let t = 0; t < trials; t++) {
    if (t > 0 && interruption()) break;
    const warmupMs = t === 0 ? config.load.warmupMs : Math.min(config.load.warmupMs, RESTART_WARMUP_MS);
    const measured = await once({ ...config.load, trials: 1, warmupMs }, { index: t, of: trials });
    for (const s of sides) parts[s].push(measured[s]);
    if (!measured[sides[0]].ok) break;
  }
  return Object.fromEntries(sides.map((s) => [s, mergeMeasurements(parts[s])])) as Record<S, TopologyResult>;
}

/** A topology on its own, each trial on a fresh deployment. */
async function runAlone(config: Config, topology: TopologyConfig, placement: Placement, deps: CellDeps): Promise<TopologyResult> {
  const { app } = await trialByTrial(config, ['app'], async (load, position) => ({
    app: await runCell(topology, { ...config, load }, placement, deps, position),
  }));
  return app;
}

/**
 * A topology with the reference app beside it: each trial deploys both together and alternates
 * slices between them (cell.ts runInterleaved), so trial i of the app and of the reference saw the
 * same moments of the machine.
 */
async function runCalibrated(config: Config, topology: TopologyConfig, placement: Placement, deps: CellDeps): Promise<TopologyResult> {
  const model = loadModel(config, topology);
  const ms = trialMs(model, config);
  // A stage profile runs whole, the reference app after it: cut into slices it would not be the profile.
  const slices = model.kind === 'stages' ? 1 : Math.max(1, Math.round(ms / CALIBRATION_SLICE_MS));
  const pair = await trialByTrial(config, ['app', 'reference'], (load, position) => {
    const app = { ...config, load };
    const reference = calibrationConfig(app, topology, calibrationDir(), placement.serverCores);
    return runInterleaved(topology, { app, reference }, placement, deps, {
      warmupMs: { app: load.warmupMs, reference: reference.load.warmupMs },
      durationMs: ms,
      trials: 1,
      slices,
      first: 'app',
      position,
    });
  });
  const ref = pair.reference;
  if (!pair.app.ok) return pair.app;
  if (!ref.ok) {
    deps.progress.note(`${topology.name}: calibration failed: ${(ref.error ?? '').split('\n')[0]}`);
    return { ...pair.app, calibration: null };
  }
  const calibration: CalibrationResult = {
    rps: ref.rps,
    cpuMsPer1kRequests: ref.cpuMsPer1kRequests,
    interleaved: true,
    ...(referenceShaped(topology) ? {} : { generic: true }),
    trials: ref.trials.map((t) => ({ rps: t.rps, cpuMsPer1kRequests: t.cpuMsPer1kRequests })),
  };
  return { ...pair.app, calibration };
}
/** A capacity search of a topology, with the reference app measured by turns with its steps when calibrating. */
async function runCapacityCell(config: Config, topology: TopologyConfig, placement: Placement, deps: CellDeps): Promise<TopologyResult> {
  const reference = config.compare.calibrate ? calibrationConfig(config, topology, calibrationDir(), placement.serverCores) : null;
  const sides: Record<'app' | 'reference', { config: Config; role: CapacityRole }> = {
    app: { config, role: 'search' },
    reference: { config: reference ?? config, role: 'reference' },
  };
  // Without a reference app (calibrate: false) the search runs alone.
  return (await runCapacity<'app' | 'reference'>(topology, reference ? sides : ({ app: sides.app } as typeof sides), placement, deps, 'app')).app;
}

/**
 * The pipeline every entry point calls: build the app once, run every topology in order, and
 * return the results document. Cells that fail are recorded, and the others still run.
 */
export async function runMatrix(config: Config, options: MatrixOptions = {}): Promise<Results> {
  const progress = options.progress ?? silentProgress;
  const startedAt = new Date().toISOString();
  placementHere(config); // a bad pinned placement is a config error before any build
  if (!options.skipBuild) await runBuild(config.app, (line) => progress.note(line));
  const run = await startRun(config, progress, startedAt);
  const { placement } = run;
  const deps = cellDepsFor(config, progress, options.cellDeps);
  const topologies: TopologyResult[] = [];
  try {
    for (const [index, topology] of config.topologies.entries()) {
      if (interruption()) break;
      progress.cellStart(topology.name, index, config.topologies.length);
      const result =
        loadModel(config, topology).kind === 'capacity'
          ? await runCapacityCell(config, topology, placement, deps)
          : config.compare.calibrate
            ? await runCalibrated(config, topology, placement, deps)
            : await runAlone(config, topology, placement, deps);
      progress.cellEnd(result);
      topologies.push(result);
      options.onCell?.(resultsDocument(config, run, topologies));
    }
  } finally {
    progress.close();
  }
  return resultsDocument(config, run, topologies);
}
