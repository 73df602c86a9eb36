/**
 * The one pipeline both doors call — the action (action/main.ts) and the CLI (cli/main.ts):
 * config → topology runs → results → comparison. What they do afterwards (report, publish, print)
 * is theirs; what is measured and how it is judged is the same by construction.
 */
import path from 'node:path';
import { policyFrom } from '../compare/cells.js';
import { pairedJudging } from '../compare/noise.js';
import { comparePaired } from '../compare/paired.js';
import { compareStored } from '../compare/stored.js';
import { resolveThresholds } from '../compare/thresholds.js';
import { DEFAULT_COMPARE } from '../config/load.js';
import type { CompareMode, Comparison, Policy } from '../compare/types.js';
import type { CompareConfig, Config } from '../config/types.js';
import { addWorktree } from '../git/git.js';
import type { Results } from '../results/types.js';
import { runAb } from '../run/ab.js';
import { runMatrix } from '../run/matrix.js';
import { silentProgress, type Progress } from '../run/progress.js';
import type { LoadedBaseline } from './baseline.js';

/** Where the base side of a comparison comes from. */
export type BaseSource =
  /** compare: baseline — a stored results document, or none yet. */
  | { readonly kind: 'baseline'; readonly baseline: LoadedBaseline | null }
  /** compare: base — this commit of the repository, measured in a worktree beside the head. */
  | { readonly kind: 'commit'; readonly repo: string; readonly commit: string };

export interface PipelineOptions {
  readonly progress?: Progress;
  /** Skip `app.build` (already done); with a commit, on both sides. */
  readonly skipBuild?: boolean;
  /** Order of the interleaved rounds (seeded in tests). */
  readonly random?: () => number;
  /** The results so far, after each cell (baseline) or round (base): a crash or a signal loses only what it hit. */
  readonly onProgress?: (head: Results, base: Results | null) => void;
  /** compare: base — the worktree the base is measured in. */
  readonly onWorktree?: (dir: string) => void;
}

/** What the pipeline produced: the head's results, the base's (measured, or the baseline), the verdicts. */
export interface PipelineOutcome {
  readonly results: Results;
  /** compare: base — the base side's results; compare: baseline — null (the baseline is the caller's). */
  readonly base: Results | null;
  /** What the head was compared with: the measured base, or the stored baseline (null: none yet). */
  readonly reference: Results | null;
  readonly comparison: Comparison;
}

/** The verdict policy of a config (defaults without one), with the `threshold` input's req/s threshold when given. */
export function policyOf(config: Config | null, rpsThreshold?: number): Policy {
  return policyFrom(resolveThresholds(config?.thresholds ?? {}, rpsThreshold), config?.compare ?? DEFAULT_COMPARE);
}

/** The config pointed at the base worktree: same config, the base's files. */
export function configForBase(head: Config, workspace: string, worktree: string): Config {
  const move = (p: string): string => {
    const rel = path.relative(workspace, p);
    return rel.startsWith('..') || path.isAbsolute(rel) ? p : path.join(worktree, rel);
  };
  return { ...head, app: { ...head.app, workdir: move(head.app.workdir), python: path.isAbsolute(head.app.python) ? move(head.app.python) : head.app.python } };
}

/**
 * Measures the head (the working tree) and compares it with the base: the stored baseline, or
 * the commit measured interleaved in a temporary worktree (removed afterwards, whatever happens).
 */
export async function runPipeline(config: Config, source: BaseSource, policy: Policy, options: PipelineOptions = {}): Promise<PipelineOutcome> {
  const progress = options.progress ?? silentProgress;
  if (source.kind === 'baseline') {
    const results = await runMatrix(config, { progress, skipBuild: options.skipBuild, onCell: (partial) => options.onProgress?.(partial, null) });
    return { results, base: null, reference: source.baseline?.results ?? null, comparison: judge('baseline', config.compare, results, source, policy) };
  }
  const worktree = addWorktree(source.repo, source.commit);
  try {
    options.onWorktree?.(worktree.dir);
    const outcome = await runAb(config, configForBase(config, source.repo, worktree.dir), {
      policy,
      random: options.random ?? Math.random,
      progress,
      skipBuild: options.skipBuild,
      onRound: (head, base) => options.onProgress?.(head, base),
    });
    return { results: outcome.head, base: outcome.base, reference: outcome.base, comparison: outcome.comparison };
  } finally {
    worktree.remove();
  }
}

/** The base side of a comparison of results already measured. */
export type MeasuredBase = { readonly kind: 'baseline'; readonly baseline: LoadedBaseline | null } | { readonly kind: 'measured'; readonly base: Results };

/**
 * Judges results already measured (report mode, `flask-perf report`) exactly as the run that made
 * them did: a stored baseline by the noise model, a measured base look by look (pure).
 * @param expected the topologies to judge (a trusted config's); default: both sides'
 */
export function judge(
  mode: CompareMode,
  compare: CompareConfig,
  head: Results,
  base: MeasuredBase | BaseSource,
  policy: Policy,
  expected?: readonly string[],
): Comparison {
  if (mode === 'base') {
    if (base.kind !== 'measured') throw new Error('compare: base needs the measured base side');
    return comparePaired(base.base.topologies, head.topologies, policy, { ...pairedJudging(compare, policy.alpha), final: true, expected });
  }
  const baseline = base.kind === 'baseline' ? base.baseline : null;
  return compareStored(baseline?.results ?? null, head, policy, baseline?.source ?? null, expected);
}
