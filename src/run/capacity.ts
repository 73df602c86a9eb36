/**
 * The capacity search of a topology (load.capacity), for one side (a stored-baseline run) or two
 * (compare: base), with the reference app beside it when calibrating. Every side is deployed at
 * once; the searches take turns step by step, so they see the same moments of the machine. Each
 * step is 1 s at the rate (not counted), then `step` measured, open model; after it, the reference
 * app (when there is one) gets a 1 s closed-loop slice: the machine's speed at that moment.
 */
import type { Config, TopologyConfig } from '../config/types.js';
import { EMPTY_SEARCH, judgeStep, nextRate, record, type SearchEnd, type SearchState } from '../capacity/search.js';
import { referenceShaped } from '../calibration/plan.js';
import type { LoadGenerator } from '../load/generator.js';
import { responses, summarizeTrial, type MeasuredTrial } from '../results/aggregate.js';
import type { CapacityResult, TopologyResult, TrialResult } from '../results/types.js';
import type { Placement } from '../topology/placement.js';
import { cellPlacement, cellResult, deploy, errorText, growIfSaturated, jobAt, measure, type CellDeps, type Deployment } from './cell.js';
import type { LoadSample } from '../load/types.js';
import { capacityWarnings } from '../results/warnings.js';
import { round } from '../stats/percentiles.js';

/** Warm-up at each new rate, not counted: the queue of the rate before drains, the new one settles. */
export const STEP_WARMUP_MS = 1000;
/** The reference app's closed-loop slice after each step. */
export const REFERENCE_SLICE_MS = 1000;
/** The first rate tried, as a share of the closed-loop throughput the warm-up saw. */
export const START_SHARE = 0.6;
/** The highest rate tried, as a multiple of that throughput (a closed loop can hold a server back). */
export const MAX_SHARE = 4;
/** The search ends when the bracket is this close. */
export const RESOLUTION = 0.05;

/** What a side is in a capacity run: searched, or the reference app measured beside the searches. */
export type CapacityRole = 'search' | 'reference';

/** A search side's progress. */
interface Search {
  state: SearchState;
  end: SearchEnd | 'budget' | null;
  spentMs: number;
  start: number;
  maxRate: number;
  readonly trials: MeasuredTrial[];
}

const closedRps = (s: LoadSample): number => responses(s) / (s.elapsedMs / 1000);

/** The step's figures from its measurement (pure but for the summary). */
function stepOutcome(rate: number, trial: MeasuredTrial, goal: { p99Ms: number; errorShare: number }) {
  const t: TrialResult = summarizeTrial(trial);
  const sent = trial.sample.seconds.reduce((n, s) => n + s.sent, 0);
  return judgeStep(
    {
      rate,
      sentRate: round(sent / t.durationSec),
      achievedRate: t.rps,
      p50Ms: t.latencyMs.p50,
      p99Ms: t.latencyMs.p99,
      errorShare: round(sent > 0 ? Math.min(1, t.failures / sent) : 0, 4),
      lateMsP99: round(trial.sample.lateMs?.p99 ?? 0),
    },
    goal,
  );
}

/**
 * Runs the capacity search of `topology` for every side whose role is `search`, the reference app
 * beside them where given; never throws for a server's fault (a failed side is a result with
 * `ok: false`).
 */
export async function runCapacity<S extends string>(
  topology: TopologyConfig,
  sides: Readonly<Record<S, { readonly config: Config; readonly role: CapacityRole }>>,
  placement: Placement,
  deps: CellDeps,
  first: S,
): Promise<Record<S, TopologyResult>> {
  const names = Object.keys(sides) as S[];
  const order: S[] = [first, ...names.filter((n) => n !== first)];
  const label = topology.name;
  const facts = Object.fromEntries(names.map((n) => [n, { workers: null as number | null, instances: null as number | null }])) as Record<
    S,
    { workers: number | null; instances: number | null }
  >;
  const errors = Object.fromEntries(names.map((n) => [n, null])) as Record<S, string | null>;
  const up: Partial<Record<S, Deployment>> = {};
  const searches = {} as Record<S, Search>;
  const reference: number[] = [];
  let generator: LoadGenerator | undefined;
  let used = placement;
  const searchers = order.filter((s) => sides[s].role === 'search');
  const referenceSide = order.find((s) => sides[s].role === 'reference');
  const capacity = sides[searchers[0]].config.load.capacity!;
  try {
    deps.progress.phase(label, 'starting');
    generator = deps.openLoadGenerator({ cpus: placement.generators });
    const shape = (side: S): TopologyConfig => sides[side].config.topologies.find((t) => t.name === topology.name) ?? topology;
    const started = await Promise.allSettled(order.map((side) => deploy(shape(side), sides[side].config, placement, deps, facts[side])));
    started.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') up[order[i]] = outcome.value;
      else errors[order[i]] = errorText(outcome.reason);
    });
    const live = order.filter((s) => up[s]);
    // The warm-up, closed loop: it warms the servers and says roughly where the capacity lies.
    const warm: LoadSample[] = [];
    for (const side of live) {
      const { config } = sides[side];
      if (config.load.warmupMs <= 0) continue;
      deps.progress.phase(label, `warming up ${side}`, config.load.warmupMs);
      const sample = await generator.run(jobAt(up[side]!, config, [{ durationMs: config.load.warmupMs, connections: config.load.connections }]));
      warm.push(sample);
      const throughput = Math.max(1, closedRps(sample));
      if (sides[side].role === 'search')
        searches[side] = { state: EMPTY_SEARCH, end: null, spentMs: 0, start: START_SHARE * throughput, maxRate: MAX_SHARE * throughput, trials: [] };
    }
    for (const side of live.filter((s) => sides[s].role === 'search' && !searches[s]))
      searches[side] = { state: EMPTY_SEARCH, end: null, spentMs: 0, start: 10, maxRate: 100_000, trials: [] };
    used = growIfSaturated(
      placement,
      warm,
      generator,
      live.map((s) => up[s]!),
      deps,
      label,
    );
    const stepCost = STEP_WARMUP_MS + capacity.stepMs + (referenceSide && up[referenceSide] ? REFERENCE_SLICE_MS : 0);
    for (let turn = 0; ; turn++) {
      const active = searchers.filter((s) => up[s] && errors[s] === null && searches[s].end === null);
      if (active.length === 0) break;
      // Turns alternate which side steps first.
      for (const side of turn % 2 === 0 ? active : [...active].reverse()) {
        const search = searches[side];
        const next = nextRate(search.state, { start: search.start, maxRate: search.maxRate, resolution: RESOLUTION });
        if ('done' in next) {
          search.end = next.done;
          continue;
        }
        if (search.spentMs + stepCost > capacity.budgetMs) {
          search.end = 'budget';
          continue;
        }
        const { config } = sides[side];
        const d = up[side]!;
        deps.progress.phase(
          label,
          `${side === first && searchers.length === 1 ? '' : `${side}: `}${Math.round(next.rate)} req/s${search.state.steps.some((s) => s.rate === next.rate) ? ' again' : ''}`,
          STEP_WARMUP_MS + capacity.stepMs,
        );
        try {
          await generator.run(jobAt(d, config, [{ durationMs: STEP_WARMUP_MS, rate: next.rate }]));
          const trial = await measure(d, generator, jobAt(d, config, [{ durationMs: capacity.stepMs, rate: next.rate }]), used);
          search.trials.push(trial);
          search.state = record(search.state, stepOutcome(next.rate, trial, { p99Ms: capacity.p99Ms, errorShare: capacity.errorShare }));
          search.spentMs += stepCost;
        } catch (e) {
          errors[side] = errorText(e);
        }
        if (referenceSide && up[referenceSide] && errors[referenceSide] === null) {
          const ref = sides[referenceSide].config;
          try {
            const slice = await generator.run(jobAt(up[referenceSide], ref, [{ durationMs: REFERENCE_SLICE_MS, connections: ref.load.connections }]));
            reference.push(round(closedRps(slice)));
          } catch (e) {
            errors[referenceSide] = errorText(e);
          }
        }
      }
    }
  } catch (e) {
    for (const side of order) errors[side] ??= errorText(e);
  } finally {
    deps.progress.phase(label, 'stopping');
    await generator?.close();
    await Promise.all(order.map((side) => up[side]?.stop() ?? Promise.resolve()));
  }
  const results = {} as Record<S, TopologyResult>;
  for (const side of names) {
    const { config } = sides[side];
    const search = searches[side];
    const peak = up[side]?.peakRss() ?? 0;
    if (sides[side].role === 'reference' || !search) {
      results[side] = { ...cellResult(topology, config, [], errors[side], facts[side], peak), ...cellPlacement(used, placement) };
      continue;
    }
    const best = search.state.low ? search.trials[search.state.steps.indexOf(search.state.low)] : null;
    // The cell's numbers are those of the highest rate that met the goal; every step is a trial.
    const cell = cellResult(topology, config, best ? [best] : search.trials.slice(0, 1), errors[side], facts[side], peak);
    const result: CapacityResult = {
      goal: { p99Ms: capacity.p99Ms, errorShare: capacity.errorShare },
      rate: search.state.low ? round(search.state.low.rate) : 0,
      missedAt: search.state.high?.rate ?? null,
      end: search.end ?? 'budget',
      budgetSec: capacity.budgetMs / 1000,
      spentSec: round(search.spentMs / 1000, 1),
      steps: search.state.steps.map((s) => ({
        rate: round(s.rate),
        sentRate: s.sentRate,
        achievedRate: s.achievedRate,
        p50Ms: s.p50Ms,
        p99Ms: s.p99Ms,
        errorShare: s.errorShare,
        lateMsP99: s.lateMsP99,
        pass: s.pass,
        reason: s.reason.slice(0, 500),
      })),
      ...(referenceSide && reference.length ? { reference } : {}),
    };
    const calibration =
      referenceSide && errors[referenceSide] === null && reference.length
        ? {
            calibration: {
              interleaved: true,
              ...(referenceShaped(topology) ? {} : { generic: true }),
              rps: round(reference.reduce((a, b) => a + b, 0) / reference.length),
              cpuMsPer1kRequests: null,
              trials: reference.map((rps) => ({ rps, cpuMsPer1kRequests: null })),
            },
          }
        : {};
    results[side] = {
      ...cell,
      trials: search.trials.map(summarizeTrial),
      warnings: [...cell.warnings, ...capacityWarnings(result)],
      capacity: result,
      ...calibration,
      ...cellPlacement(used, placement),
    };
  }
  return results;
}
