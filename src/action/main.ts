import * as core from '@actions/core';
import { context } from '@actions/github';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cellsWith } from '../compare/cells.js';
import { failureMessage } from '../compare/gate.js';
import { nextHistory } from '../compare/noise.js';
import type { CompareMode, Comparison } from '../compare/types.js';
import { ConfigError, readConfig } from '../config/load.js';
import { describeGithubError, upsertComment } from '../github/comments.js';
import { pullRequestOf, workflowRunOf } from '../github/event.js';
import { octokitRepoApi, type RepoApi } from '../github/octokit.js';
import { readBaselineAtCommit, readBaselineFile, type LoadedBaseline } from '../pipeline/baseline.js';
import { judge, policyOf, runPipeline, type BaseSource } from '../pipeline/pipeline.js';
import { logLine } from '../report/escape.js';
import { renderHtml } from '../report/html.js';
import { COMMENT_LIMIT, commentMarker, renderReport, SUMMARY_LIMIT, summaryLine, type ReportContext } from '../report/markdown.js';
import { ensureWritableDir, RESULT_FILES, writeJson, writeResultsDir } from '../results/io.js';
import type { Results, RunMeta, SettleResults } from '../results/types.js';
import { lineProgress } from '../run/progress.js';
import { haltIfInterrupted, installSignalHandlers, interruption } from '../topology/cleanup.js';
import { Outputs, STATUS_CONTEXT } from './constants.js';
import { getInputs, InputError, type ActionInputs } from './inputs.js';
import { readResultsDir } from './results-dir.js';

/** Where the verdict goes: which PR to comment on, which commit gets the status. */
interface Target {
  readonly prNumber: number | null;
  readonly statusSha: string | null;
}

/** Events whose workflows run with a write token: never the place to run a PR's code. */
const PRIVILEGED_EVENTS = ['pull_request_target', 'workflow_run'];

const info = (text: string): void => core.info(logLine(text));

const reportContext = (inputs: ActionInputs): ReportContext => ({
  configPath: inputs.configLabel,
  baselinePath: inputs.baselineLabel,
  htmlReport: true,
});

/** The baseline a PR is judged against: the one at the PR's base commit, not whatever the branch holds. */
function baselineFor(inputs: ActionInputs, baseSha: string | null): LoadedBaseline | null {
  if (baseSha) {
    const atBase = readBaselineAtCommit(inputs.workspace, baseSha, inputs.baselineLabel);
    if (atBase !== undefined) return atBase;
    core.warning(
      `flask-perf: the PR's base commit ${baseSha.slice(0, 7)} is not in the checkout and could not be fetched; reading ${inputs.baselineLabel} from the working tree`,
    );
  }
  return readBaselineFile(inputs.baselinePath, inputs.baselineLabel);
}

/**
 * Writes the results dir, the outputs and the job summary: the parts that need no network.
 * `measured`: this job measured them (run mode), so results.json and base.json are written too.
 * `reference`: what the run was compared with (the base, or the stored baseline), for the charts.
 */
async function record(
  inputs: ActionInputs,
  measured: { readonly results: Results; readonly base: Results | null; readonly settle: SettleResults | null },
  reference: Results | null,
  comparison: Comparison,
  meta: RunMeta,
  write: boolean,
): Promise<void> {
  const { results } = measured;
  const report = renderReport(comparison, results, reportContext(inputs));
  const html = renderHtml({ title: inputs.configLabel, head: results, base: reference, comparison });
  const files = writeResultsDir(inputs.resultsDir, write ? { ...measured, report, html, meta } : { report, html, meta });
  // One line, plain: workflows interpolate outputs, and a line break would let data write commands.
  const summary = logLine(summaryLine(comparison));
  core.setOutput(Outputs.Results, files.results);
  core.setOutput(Outputs.Report, files.report);
  core.setOutput(Outputs.Regressed, String(cellsWith(comparison, 'regressed').length > 0));
  core.setOutput(Outputs.Summary, summary);
  if (process.env.GITHUB_STEP_SUMMARY)
    await core.summary.addRaw(report.length > SUMMARY_LIMIT ? renderReport(comparison, results, reportContext(inputs), SUMMARY_LIMIT) : report, true).write();
  core.info(summary);
}

/** Comment and status; every GitHub failure is a warning, never a failed step. */
async function publish(inputs: ActionInputs, api: RepoApi | null, target: Target, results: Results, comparison: Comparison): Promise<void> {
  if (!api) return;
  if (inputs.comment && target.prNumber !== null) {
    const body = renderReport(comparison, results, reportContext(inputs), COMMENT_LIMIT);
    try {
      const outcome = await upsertComment(api, target.prNumber, commentMarker(inputs.configLabel), body);
      if (outcome.identity === null)
        core.warning('flask-perf: GitHub would not say which account this token posts as, so a new comment was made instead of editing the last one');
      info(`flask-perf: ${outcome.action} comment ${outcome.id} on #${target.prNumber}`);
    } catch (error) {
      core.warning(`flask-perf: could not comment on #${target.prNumber}: ${describeGithubError(error).message}`);
    }
  }
  if (target.statusSha) await setStatus(api, target.statusSha, failureMessage(comparison) ? 'failure' : 'success', summaryLine(comparison));
}

async function setStatus(api: RepoApi, sha: string, state: 'success' | 'failure' | 'error', description: string): Promise<void> {
  try {
    await api.setStatus(sha, state, STATUS_CONTEXT, logLine(description));
  } catch (error) {
    core.warning(`flask-perf: could not set the commit status: ${describeGithubError(error).message}`);
  }
}

function repoApi(inputs: ActionInputs): RepoApi | null {
  if (!inputs.token || !process.env.GITHUB_REPOSITORY) return null;
  const { owner, repo } = context.repo;
  return octokitRepoApi(inputs.token, owner, repo);
}

/** Writes a results document unless a signal arrived: what is written is never half a run's guess. */
function keep(file: string, results: Results): void {
  if (!interruption()) writeJson(file, results);
}

/** Measures (the PR's code runs here), compares, records, publishes the comment. */
async function runMode(inputs: ActionInputs): Promise<Comparison> {
  if (PRIVILEGED_EVENTS.includes(context.eventName)) {
    throw new InputError(
      `mode: run refuses to run on ${context.eventName}: that event's workflow has a write token and secrets, and run mode executes the pull request's code (its build and its servers). Run it on pull_request with a read-only token, and publish from a workflow_run workflow with mode: report (the fork-safe split in the README).`,
    );
  }
  const config = readConfig(inputs.configPath, inputs.workspace);
  ensureWritableDir(inputs.resultsDir, 'results-dir');
  const pr = pullRequestOf(context.eventName, context.payload);
  const policy = policyOf(config, inputs.threshold);
  let mode: CompareMode = inputs.compare ?? config.compare.mode ?? 'baseline';
  if (mode === 'base' && !pr?.baseSha) {
    info('flask-perf: compare: base needs a pull request; comparing with the stored baseline instead');
    mode = 'baseline';
  }
  // A baseline that cannot be read fails now, not after minutes of measuring.
  const source: BaseSource =
    mode === 'base'
      ? { kind: 'commit', repo: inputs.workspace, commit: pr!.baseSha! }
      : {
          kind: 'baseline',
          baseline: baselineFor(inputs, pr?.baseSha ?? null),
          settleAt: pr?.baseSha ? { repo: inputs.workspace, commit: pr.baseSha } : null,
        };
  const outcome = await runPipeline(config, source, policy, {
    progress: lineProgress(info),
    onWorktree: (dir) => info(`flask-perf: comparing with the PR's base ${pr!.baseSha!.slice(0, 7)} (worktree ${dir})`),
    onProgress: (head, base) => {
      keep(path.join(inputs.resultsDir, RESULT_FILES.results), head);
      if (base) keep(path.join(inputs.resultsDir, RESULT_FILES.base), base);
    },
    onSettle: (settle) => {
      keep(path.join(inputs.resultsDir, RESULT_FILES.settleHead), settle.head);
      keep(path.join(inputs.resultsDir, RESULT_FILES.settleBase), settle.base);
    },
  });
  await haltIfInterrupted();
  const { results, base, comparison } = outcome;
  await record(
    inputs,
    { results, base, settle: outcome.settle },
    outcome.reference,
    comparison,
    {
      configPath: inputs.configLabel,
      eventName: context.eventName,
      prNumber: pr?.number ?? null,
      headSha: pr?.headSha ?? (context.sha || null),
      baseSha: pr?.baseSha ?? null,
    },
    true,
  );
  if (inputs.updateBaseline) updateBaseline(inputs, results, pr !== null);
  await publish(inputs, repoApi(inputs), { prNumber: pr?.number ?? null, statusSha: null }, results, comparison);
  return comparison;
}

function updateBaseline(inputs: ActionInputs, results: Results, onPullRequest: boolean): void {
  if (onPullRequest) return core.warning('flask-perf: update-baseline is ignored on pull requests; the baseline is written on pushes to the default branch');
  if (results.topologies.some((t) => !t.ok)) return core.warning('flask-perf: baseline not updated: some cells failed');
  // The new baseline carries how much consecutive baselines moved: the noise of this runner.
  const previous = readBaselineFile(inputs.baselinePath, inputs.baselineLabel)?.results ?? null;
  const history = nextHistory(previous, results);
  writeJson(inputs.baselinePath, { ...results, noise: { ...results.noise!, history } });
  info(`flask-perf: wrote the baseline ${inputs.baselineLabel} (noise history: ${history.length} earlier run${history.length === 1 ? '' : 's'})`);
}

async function reportTarget(api: RepoApi | null, headShaOfArtifact: string | null): Promise<Target> {
  const pr = pullRequestOf(context.eventName, context.payload);
  if (pr) return { prNumber: pr.number, statusSha: null };
  const run = workflowRunOf(context.eventName, context.payload);
  if (!run) return { prNumber: null, statusSha: null };
  // The artifact was made by PR code: trust GitHub's event for which commit and PR it belongs to.
  if (headShaOfArtifact !== run.headSha) {
    core.warning(`flask-perf: the results are for commit ${headShaOfArtifact ?? 'unknown'}, the workflow run for ${run.headSha}; not publishing to a PR`);
    return { prNumber: null, statusSha: null };
  }
  if (run.pullRequests.length > 0) return { prNumber: run.pullRequests[0], statusSha: run.headSha };
  if (!api) return { prNumber: null, statusSha: run.headSha };
  try {
    const pulls = await api.pullsByHead(run.headOwner, run.headBranch);
    const match = pulls.find((p) => p.headSha === run.headSha);
    return { prNumber: match?.number ?? null, statusSha: run.headSha };
  } catch (error) {
    core.warning(`flask-perf: could not find the pull request of ${run.headSha}: ${describeGithubError(error).message}`);
    return { prNumber: null, statusSha: run.headSha };
  }
}

/**
 * Publishes an artifact made by `mode: run`. Everything in it is data from the PR's code: it is
 * checked by schema, and what to judge — which topologies, against what, with which thresholds —
 * comes from this trusted checkout's config, never from the artifact.
 */
async function reportMode(inputs: ActionInputs): Promise<Comparison> {
  if (!existsSync(inputs.configPath)) {
    throw new ConfigError(inputs.configPath, [
      `the config is not in this checkout: report mode judges the artifact by the trusted config of the default branch, so ${inputs.configLabel} must exist there`,
    ]);
  }
  const trusted = readConfig(inputs.configPath, inputs.workspace);
  const mode = inputs.compare ?? trusted.compare.mode ?? 'baseline';
  const api = repoApi(inputs);
  let artifact: ReturnType<typeof readResultsDir>;
  try {
    artifact = readResultsDir(inputs.resultsDir, mode === 'base', trusted.compare.settle);
  } catch (error) {
    // An artifact that cannot be judged must not leave a required check pending or green.
    const run = workflowRunOf(context.eventName, context.payload);
    if (api && run?.headSha) await setStatus(api, run.headSha, 'error', 'flask-perf: the results artifact is invalid; see the report job');
    throw error;
  }
  const { results, meta, base, settle } = artifact;
  if (artifact.baseIgnored)
    core.warning('flask-perf: the artifact holds base.json, but the trusted config does not say compare: base; comparing with the stored baseline');
  const policy = policyOf(trusted, inputs.threshold);
  const expected = trusted.topologies.map((t) => t.name);
  // The looks are replayed from the rounds: the verdicts are the ones the run job reached.
  const baseline = base ? null : readBaselineFile(inputs.baselinePath, inputs.baselineLabel);
  const comparison = judge(mode, trusted.compare, results, base ? { kind: 'measured', base } : { kind: 'baseline', baseline, settle }, policy, expected);
  await record(inputs, { results, base, settle }, base ?? baseline?.results ?? null, comparison, meta, false);
  await publish(inputs, api, await reportTarget(api, meta.headSha), results, comparison);
  return comparison;
}

/** The action: reads inputs, runs or reports, publishes, and is the only place that fails the step. */
export async function run(): Promise<void> {
  installSignalHandlers();
  try {
    const inputs = getInputs((name) => core.getInput(name), process.env.GITHUB_WORKSPACE || process.cwd());
    const comparison = inputs.mode === 'run' ? await runMode(inputs) : await reportMode(inputs);
    const message = failureMessage(comparison);
    if (message && inputs.failOnRegression) core.setFailed(message);
    else if (message) core.warning(message);
  } catch (error) {
    await haltIfInterrupted();
    core.setFailed((error as Error).message);
  }
}
