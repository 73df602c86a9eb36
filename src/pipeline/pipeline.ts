/**
 * The one pipeline both doors call — the action (action/main.ts) and the CLI (cli/main.ts):
 * config → topology runs → results → comparison. What they do afterwards (report, publish, print)
 * is theirs; what is measured and how it is judged is the same by construction.
 */
import path from 'node:path';
import { policyFrom } from '../compare/cells.js';
import { pairedJudging } from '../compare/noise.js';
import { comparePaired } from '../compare/paired.js';
import { cellsToSettle, settleComparison } from '../compare/settle.js';
import { compareStored } from '../compare/stored.js';
import { resolveThresholds } from '../compare/thresholds.js';
import { DEFAULT_COMPARE } from '../config/load.js';
import type { CompareMode, Comparison, Policy } from '../compare/types.js';
import type { CompareConfig, Config } from '../config/types.js';
import { addWorktree, WorktreeError } from '../git/git.js';
import type { Results, SettleResults } from '../results/types.js';
import { runAb, type AbOutcome } from '../run/ab.js';
import { BuildError } from '../run/build.js';
import { runMatrix } from '../run/matrix.js';
import { silentProgress, type Progress } from '../run/progress.js';
import { interruption } from '../topology/cleanup.js';
import type { LoadedBaseline } from './baseline.js';

/** Where the base side of a comparison comes from. */
export type BaseSource =
  /**
   * compare: baseline — a stored results document, or none yet; with `settleAt` (compare.settle),
   * the cells it leaves inconclusive are measured again beside that commit.
   */
  | { readonly kind: 'baseline'; readonly baseline: LoadedBaseline | null; readonly settleAt?: { readonly repo: string; readonly commit: string } | null }
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
  /** compare: base, or settling a baseline — the worktree the base is measured in. */
  readonly onWorktree?: (dir: string) => void;
  /** Settling a baseline: both sides so far, after each round. */
  readonly onSettle?: (settle: SettleResults) => void;
}

/** What the pipeline produced: the head's results, the base's (measured, or the baseline), the verdicts. */
export interface PipelineOutcome {
  readonly results: Results;
  /** compare: base — the base side's results; compare: baseline — null (the baseline is the caller's). */
  readonly base: Results | null;
  /** What the head was compared with: the measured base, or the stored baseline (null: none yet). */
  readonly reference: Results | null;
  readonly comparison: Comparison;
  /** compare: baseline, settled — the head and the base measured by turns for the inconclusive cells. */
  readonly settle: SettleResults | null;
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
 * Measures the head (the working tree) and compares it with the base: the stored baseline (its
 * inconclusive cells then settled beside `settleAt`), or the commit measured interleaved in a
 * temporary worktree (removed afterwards, whatever happens).
 */
export async function runPipeline(config: Config, source: BaseSource, policy: Policy, options: PipelineOptions = {}): Promise<PipelineOutcome> {
  const progress = options.progress ?? silentProgress;
  if (source.kind === 'baseline') {
    const results = await runMatrix(config, { progress, skipBuild: options.skipBuild, onCell: (partial) => options.onProgress?.(partial, null) });
    const reference = source.baseline?.results ?? null;
    const stored = judge('baseline', config.compare, results, source, policy);
    const names = new Set(cellsToSettle(stored));
    if (!config.compare.settle || !source.settleAt || names.size === 0 || interruption())
      return { results, base: null, reference, comparison: stored, settle: null };
    const { repo, commit } = source.settleAt;
    progress.note(`settling ${[...names].join(', ')} (inconclusive against the baseline): measuring ${commit.slice(0, 7)} beside the head, by turns`);
    const subset = { ...config, topologies: config.topologies.filter((t) => names.has(t.name)) };
    let settle: SettleResults;
    try {
      settle = await measureBeside(subset, repo, commit, policy, { ...options, headBuilt: true }, (head, base) => options.onSettle?.({ head, base }));
    } catch (error) {
      // A base that cannot be had or built must not cost the matrix's verdicts: they stand, and the report says why.
      if (!(error instanceof WorktreeError || error instanceof BuildError)) throw error;
      const reason = error.message;
      progress.note(`not settled: ${reason.split('\n')[0]}`);
      return { results, base: null, reference, comparison: { ...stored, settleError: reason }, settle: null };
    }
    // Judged as report mode judges the same files: the same verdicts by construction.
    const comparison = judge('baseline', config.compare, results, { kind: 'baseline', baseline: source.baseline, settle }, policy);
    return { results, base: null, reference, comparison, settle };
  }
  const outcome = await measureBeside(config, source.repo, source.commit, policy, options, (head, base) => options.onProgress?.(head, base));
  return { results: outcome.head, base: outcome.base, reference: outcome.base, comparison: outcome.comparison, settle: null };
}

/** Measures the head and a commit by turns (run/ab.ts) in a temporary worktree, removed afterwards whatever happens. */
async function measureBeside(
  config: Config,
  repo: string,
  commit: string,
  policy: Policy,
  options: PipelineOptions & { readonly headBuilt?: boolean },
  onRound: (head: Results, base: Results) => void,
): Promise<AbOutcome> {
  const worktree = addWorktree(repo, commit);
  try {
    options.onWorktree?.(worktree.dir);
    return await runAb(config, configForBase(config, repo, worktree.dir), {
      policy,
      random: options.random ?? Math.random,
      progress: options.progress ?? silentProgress,
      skipBuild: options.skipBuild,
      headBuilt: options.headBuilt,
      onRound,
    });
  } finally {
    worktree.remove();
  }
}

/** The base side of a comparison of results already measured. */
export type MeasuredBase =
  /** A stored baseline, and (settled) the run that measured its inconclusive cells beside the PR's base. */
  | { readonly kind: 'baseline'; readonly baseline: LoadedBaseline | null; readonly settle?: SettleResults | null }
  | { readonly kind: 'measured'; readonly base: Results };

/**
 * Judges results already measured (report mode, `flask-perf report`) exactly as the run that made
 * them did: a stored baseline by the noise model (its inconclusive cells by the settling run, when
 * there is one), a measured base look by look (pure).
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
  const stored = compareStored(baseline?.results ?? null, head, policy, baseline?.source ?? null, expected);
  const settle = base.kind === 'baseline' && 'settle' in base ? base.settle : null;
  return settle && compare.settle ? settleComparison(stored, settle, compare, policy) : stored;
}
