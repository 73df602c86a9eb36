import type { Config } from '../config/types.js';
import { pairedJudging } from '../compare/noise.js';
import { comparePaired } from '../compare/paired.js';
import type { Comparison, Policy } from '../compare/types.js';
import { mergeMeasurements } from '../results/merge.js';
import type { Results, TopologyResult } from '../results/types.js';
import { baseInterpreter, runBuild } from './build.js';
import { runInterleaved } from './cell.js';
import { cellDepsFor, placementHere, resultsDocument, startRun } from './matrix.js';
import { silentProgress, type Progress } from './progress.js';
import { roundSchedule, shuffled, type Side } from './schedule.js';
import { runCapacity } from './capacity.js';
import { interruption } from '../topology/cleanup.js';

export interface AbOptions {
  readonly policy: Policy;
  readonly random: () => number;
  readonly progress?: Progress;
  readonly skipBuild?: boolean;
  /** The head's `app.build` already ran (settling a baseline after the matrix): build the base only. */
  readonly headBuilt?: boolean;
  /** Called with both sides' results so far after each round. */
  readonly onRound?: (head: Results, base: Results) => void;
}

/** What an A/B run produced: both sides as results documents, and the verdicts. */
export interface AbOutcome {
  readonly head: Results;
  readonly base: Results;
  readonly comparison: Comparison;
  /** The order measurements ran in, round by round (for the record and the tests). */
  readonly log: readonly { round: number; topology: string; side: Side }[];
}

/** Each side's config for its measurements: one trial each (the pair decides its length). */
function measurementConfig(config: Config): Config {
  return { ...config, load: { ...config.load, trials: 1, warmupMs: config.compare.warmupMs, durationMs: config.compare.durationMs } };
}

/** Expected wall time of one more round of the active topologies, from their pairs so far. */
export function nextRoundMs(active: readonly string[], took: ReadonlyMap<string, readonly number[]>): number {
  return active.reduce((sum, name) => {
    const times = took.get(name) ?? [];
    return sum + (times.length ? times.reduce((a, b) => a + b, 0) / times.length : 0);
  }, 0);
}

const fmtSeconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

/**
 * Randomized interleaved trials, interleaved within the round too: in every round each active
 * topology starts both sides' servers together and alternates the load between them in slices
 * (cell.ts runInterleaved), the topologies and the side that goes first in a fresh random order. After
 * `rounds` the cells are judged look by look (analyze.ts); decided cells stop, inconclusive ones go
 * on, up to `maxRounds` and while the next round fits in `maxTimeMs`. The head's config governs
 * both sides.
 */
export async function runAb(head: Config, baseAsGiven: Config, options: AbOptions): Promise<AbOutcome> {
  const progress = options.progress ?? silentProgress;
  const startedAt = new Date().toISOString();
  placementHere(head); // a bad placement or a missing proxy binary is a config error before any build
  if (!options.skipBuild) {
    await runBuild(baseAsGiven.app, (line) => progress.note(`base ${line}`));
    if (!options.headBuilt) await runBuild(head.app, (line) => progress.note(`head ${line}`));
  }
  const { config: base, note } = baseInterpreter(baseAsGiven, head);
  if (note) progress.note(note);
  const sides: Record<Side, Config> = { head: measurementConfig(head), base: measurementConfig(base) };
  const run = await startRun(head, progress, startedAt);
  const { placement } = run;
  const deps = cellDepsFor(head, progress);
  const names = head.topologies.map((t) => t.name);
  const topologyOf = (name: string) => head.topologies.find((t) => t.name === name)!;
  const measured = { base: new Map<string, TopologyResult[]>(names.map((n) => [n, []])), head: new Map<string, TopologyResult[]>(names.map((n) => [n, []])) };
  const log: { round: number; topology: string; side: Side }[] = [];
  const merge = (side: Side): TopologyResult[] => names.filter((n) => measured[side].get(n)!.length > 0).map((n) => mergeMeasurements(measured[side].get(n)!));
  let active = [...names];
  let comparison: Comparison | undefined;
  const { rounds, maxRounds, maxTimeMs, warmupMs, durationMs, slices } = head.compare;
  const profileMs = head.load.stages ? head.load.stages.reduce((ms, s) => ms + s.durationMs, 0) : null;
  const judging = pairedJudging(head.compare, options.policy.alpha);
  const measuringSince = Date.now();
  const took = new Map<string, number[]>(names.map((n) => [n, []]));
  if (head.load.capacity) {
    // Capacity: one search a side per topology, the two by turns, step by step; judged once.
    try {
      for (const [index, name] of shuffled(names, options.random).entries()) {
        if (interruption()) break;
        const first: Side = options.random() < 0.5 ? 'base' : 'head';
        progress.cellStart(`${name} (capacity, ${first} first)`, index, names.length);
        log.push({ round: 1, topology: name, side: first });
        const found = await runCapacity(
          topologyOf(name),
          { base: { config: base, role: 'search' }, head: { config: head, role: 'search' } },
          placement,
          deps,
          first,
        );
        for (const side of ['base', 'head'] as const) {
          progress.cellEnd({ ...found[side], name: `${name} (${side})` });
          measured[side].get(name)!.push(found[side]);
        }
      }
    } finally {
      progress.close();
    }
    return {
      head: resultsDocument(head, run, merge('head')),
      base: resultsDocument(base, run, merge('base')),
      comparison: comparePaired(merge('base'), merge('head'), options.policy, { ...judging, final: true }),
      log,
    };
  }
  try {
    // The first start of each topology in a run measured slow here, pinned or not (CPU per request
    // up to +50% against later rounds): so each topology gets one start and a warm-up first, not
    // measured (the clock of max-time runs meanwhile).
    const first = Math.max(500, warmupMs);
    for (const [index, name] of names.entries()) {
      if (interruption()) break;
      progress.cellStart(`${name} (warm-up, not counted)`, index, names.length);
      const pair = await runInterleaved(topologyOf(name), sides, placement, deps, {
        warmupMs: { base: first, head: first },
        durationMs: first,
        trials: 0,
        slices: 1,
        first: 'base',
      });
      progress.cellEnd({ ...pair.head, name: `${name} (warm-up)` });
    }
    for (let round = 1; round <= maxRounds && active.length > 0 && !interruption(); round++) {
      // roundSchedule gives each topology's two sides back to back, in a random order.
      const schedule = roundSchedule(active, options.random).filter((_, i) => i % 2 === 0);
      for (const m of schedule) log.push({ round, ...m });
      for (const [index, m] of schedule.entries()) {
        progress.cellStart(`${m.topology} (round ${round}, ${m.side} first)`, index, schedule.length);
        const began = Date.now();
        const pair = await runInterleaved(topologyOf(m.topology), sides, placement, deps, {
          warmupMs: { base: warmupMs, head: warmupMs },
          // A stage profile runs whole each round, side after side: cut into slices it would not be the profile.
          durationMs: profileMs ?? durationMs,
          trials: 1,
          slices: profileMs ? 1 : slices,
          first: m.side,
        });
        took.get(m.topology)!.push(Date.now() - began);
        for (const side of ['base', 'head'] as const) {
          progress.cellEnd({ ...pair[side], name: `${m.topology} (${side})` });
          measured[side].get(m.topology)!.push(pair[side]);
        }
      }
      options.onRound?.(resultsDocument(head, run, merge('head'), sides.head.load), resultsDocument(base, run, merge('base'), sides.base.load));
      // A cell that failed on either side is decided (failed); no more rounds for it.
      active = active.filter((n) => [...measured.base.get(n)!, ...measured.head.get(n)!].every((r) => r.ok));
      if (round >= rounds) {
        // Whether this look is the last is settled before it is made: it then spends all α left.
        const next = nextRoundMs(active, took);
        const elapsed = Date.now() - measuringSince;
        const outOfTime = elapsed + next > maxTimeMs;
        const final = round >= maxRounds || outOfTime;
        comparison = comparePaired(merge('base'), merge('head'), options.policy, { ...judging, final });
        active = active.filter((n) => comparison!.cells.find((c) => c.name === n)?.verdict === 'inconclusive');
        if (active.length && outOfTime && round < maxRounds)
          progress.note(`max-time: ${fmtSeconds(elapsed)} measured, the next round needs ~${fmtSeconds(next)}: stopping; inconclusive ${active.join(', ')}`);
        else if (active.length && !final) progress.note(`round ${round}: inconclusive ${active.join(', ')}; measuring again`);
        if (final) break;
      }
    }
  } finally {
    progress.close();
  }
  return {
    head: resultsDocument(head, run, merge('head'), sides.head.load),
    base: resultsDocument(base, run, merge('base'), sides.base.load),
    comparison: comparison && !interruption() ? comparison : comparePaired(merge('base'), merge('head'), options.policy, { ...judging, final: true }),
    log,
  };
}
