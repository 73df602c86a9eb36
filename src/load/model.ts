/**
 * How a topology is loaded (pure): closed (each connection waits for its answer), open (a fixed
 * arrival rate, load.rate or the topology's own), stages (a profile of either, load.stages), or a
 * capacity search (load.capacity) — and the load generator's job for each.
 */
import type { CapacityConfig, Config, StageConfig, TopologyConfig } from '../config/types.js';
import type { LoadJob, LoadStage } from './types.js';

export type LoadModel =
  | { readonly kind: 'closed'; readonly connections: number }
  | { readonly kind: 'open'; readonly rate: number }
  | { readonly kind: 'stages'; readonly stages: readonly StageConfig[] }
  | { readonly kind: 'capacity'; readonly capacity: CapacityConfig };

/** The model of a topology under a config's load. */
export function loadModel(config: Config, topology: TopologyConfig): LoadModel {
  const { load } = config;
  if (load.capacity) return { kind: 'capacity', capacity: load.capacity };
  if (load.stages) return { kind: 'stages', stages: load.stages };
  const rate = topology.rate ?? load.rate;
  return rate !== undefined ? { kind: 'open', rate } : { kind: 'closed', connections: load.connections };
}

/** How long one trial takes under a model: a stage profile's own length, else load.duration. */
export function trialMs(model: LoadModel, config: Config): number {
  return model.kind === 'stages' ? model.stages.reduce((ms, s) => ms + s.durationMs, 0) : config.load.durationMs;
}

/** The stages of one trial (or one stretch of `durationMs` of it, a warm-up or a slice). */
export function stagesFor(model: LoadModel, config: Config, durationMs: number): LoadStage[] {
  switch (model.kind) {
    case 'closed':
      return [{ durationMs, connections: model.connections }];
    case 'open':
      return [{ durationMs, rate: model.rate }];
    case 'stages':
      // A profile runs whole; a shorter stretch of it (the warm-up) runs its first stage's shape.
      if (durationMs === trialMs(model, config)) return model.stages.map(stageOf);
      return [first(model.stages[0], durationMs)];
    case 'capacity':
      // Its steps build their own jobs (run/capacity.ts); a stretch of it is closed.
      return [{ durationMs, connections: config.load.connections }];
  }
}

/** A stage's shape for `durationMs`, without its ramp. */
function first(s: StageConfig, durationMs: number): LoadStage {
  return s.rate !== undefined ? { durationMs, rate: s.rate } : { durationMs, connections: s.connections ?? 1 };
}

function stageOf(s: StageConfig): LoadStage {
  return {
    durationMs: s.durationMs,
    ...(s.connections !== undefined ? { connections: s.connections } : {}),
    ...(s.spawnPerSec !== undefined ? { spawnPerSec: s.spawnPerSec } : {}),
    ...(s.rate !== undefined ? { rate: s.rate } : {}),
  };
}

/** The job of `stages` against a deployment: the traffic mix, timeouts, and the connections an open stage may open. */
export function jobOf(config: Config, url: string, stages: readonly LoadStage[], localAddresses: readonly string[]): LoadJob {
  const closed = Math.max(0, ...stages.map((s) => s.connections ?? 0));
  const open = stages.some((s) => s.rate !== undefined);
  return {
    url,
    stages,
    maxConnections: open ? Math.max(closed, config.load.maxConnections) : closed,
    timeoutMs: config.load.timeoutMs,
    endpoints: config.load.requests,
    localAddresses,
  };
}
