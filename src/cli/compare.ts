import { runAgainstCommit } from '../ab/against-commit.js';
import { commitOf, repositoryRoot } from '../git/git.js';
import { InputDefaults, Inputs } from '../action/constants.js';
import { readBaselineFile } from '../compare/baseline.js';
import { compareResults, policyFrom, type Comparison } from '../compare/compare.js';
import { failureMessage } from '../compare/gate.js';
import { resolveThresholds } from '../compare/thresholds.js';
import type { Settings } from '../config/types.js';
import { renderReport } from '../report/markdown.js';
import type { Results } from '../results/types.js';
import { runMatrix } from '../run/matrix.js';
import type { Progress } from '../run/progress.js';
import { UsageError, type CompareArgs } from './args.js';

/** What `flask-perf compare` produced; the caller prints and writes it. */
export interface CompareOutcome {
  readonly report: string;
  readonly results: Results;
  readonly base: Results | null;
  /** Why the action would fail the step; null when it would pass. */
  readonly failure: string | null;
}

/** The repository around `cwd` and the commit `ref` names in it; a UsageError when either is missing. */
export function resolveCommit(cwd: string, ref: string): { repo: string; commit: string } {
  const repo = repositoryRoot(cwd);
  if (repo === null) throw new UsageError(`--base needs a git repository; ${cwd} is not in one`);
  const commit = commitOf(repo, ref);
  if (commit === null) throw new UsageError(`--base must name a commit of ${repo}; got ${JSON.stringify(ref)}`);
  return { repo, commit };
}

/**
 * The action's comparison, run locally: `--base` measures the commit and the working tree
 * interleaved (compare: base); `--baseline` runs the matrix against a stored document.
 */
export async function runCompare(args: CompareArgs, settings: Settings, progress: Progress, keep?: { results: (r: Results) => void; base: (b: Results) => void }): Promise<CompareOutcome> {
  const policy = policyFrom(resolveThresholds(settings.thresholds, undefined), settings.compare);
  let results: Results;
  let base: Results | null = null;
  let comparison: Comparison;
  let baselineLabel: string;
  if (args.base !== undefined) {
    const { repo, commit } = resolveCommit(process.cwd(), args.base);
    progress.note(`comparing the working tree with ${args.base} (${commit.slice(0, 7)})`);
    const outcome = await runAgainstCommit(settings, repo, commit, {
      policy,
      random: Math.random,
      progress,
      skipBuild: args.skipBuild,
      onRound: (head, base) => {
        keep?.results(head);
        keep?.base(base);
      },
    });
    ({ head: results, base, comparison } = outcome);
    baselineLabel = InputDefaults[Inputs.Baseline];
  } else {
    const file = args.baseline!;
    const baseline = readBaselineFile(file);
    results = await runMatrix(settings, { progress, skipBuild: args.skipBuild, onCell: keep?.results });
    comparison = compareResults(baseline?.results ?? null, results, policy, baseline?.source ?? null);
    baselineLabel = file;
  }
  const report = renderReport(comparison, results, { configPath: args.config, baselinePath: baselineLabel });
  return { report, results, base, failure: failureMessage(comparison) };
}
