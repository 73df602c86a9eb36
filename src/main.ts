import * as core from '@actions/core';
import { context } from '@actions/github';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compareAb } from './ab/analyze.js';
import { runAgainstCommit } from './ab/against-commit.js';
import { Outputs, ResultFiles, STATUS_CONTEXT } from './action/constants.js';
import { getActionSettings, InputError, type ActionSettings } from './action/input-helper.js';
import { readResultsDir, writeReportAndMeta, writeResults } from './action/results-dir.js';
import { readBaselineAtCommit, readBaselineFile, type LoadedBaseline } from './compare/baseline.js';
import { cellsWith, compareResults, policyFrom, type Comparison, type Policy } from './compare/compare.js';
import { failureMessage } from './compare/gate.js';
import { abJudging, nextHistory } from './compare/noise.js';
import { resolveThresholds } from './compare/thresholds.js';
import { ConfigError, loadConfig } from './config/load.js';
import type { Settings } from './config/types.js';
import { describeGithubError, upsertComment } from './github/comments.js';
import { pullRequestOf, workflowRunOf } from './github/event.js';
import { octokitRepoApi, type RepoApi } from './github/octokit.js';
import { logLine } from './report/escape.js';
import { COMMENT_LIMIT, commentMarker, renderReport, SUMMARY_LIMIT, summaryLine } from './report/markdown.js';
import { ensureWritableDir, writeJson } from './results/io.js';
import type { Results, RunMeta } from './results/types.js';
import { runMatrix } from './run/matrix.js';
import { lineProgress } from './run/progress.js';
import { haltIfInterrupted, installSignalHandlers, interruption } from './topology/cleanup.js';

/** Where the verdict goes: which PR to comment on, which commit gets the status. */
interface Target {
  readonly prNumber: number | null;
  readonly statusSha: string | null;
}

/** Events whose workflows run with a write token: never the place to run a PR's code. */
const PRIVILEGED_EVENTS = ['pull_request_target', 'workflow_run'];

const info = (text: string): void => core.info(logLine(text));

function baselineForRun(settings: ActionSettings, baseSha: string | null): LoadedBaseline | null {
  // On a PR, the baseline is the one of the PR's base commit, not whatever the PR's branch holds.
  if (baseSha) {
    const atBase = readBaselineAtCommit(settings.workspace, baseSha, settings.baselineLabel);
    if (atBase !== undefined) return atBase;
    core.warning(`flask-perf: the PR's base commit ${baseSha.slice(0, 7)} is not in the checkout and could not be fetched; reading ${settings.baselineLabel} from the working tree`);
  }
  return readBaselineFile(settings.baselinePath, settings.baselineLabel);
}

/** Writes outputs, report.md, meta.json and the job summary: the parts that need no network. */
async function recordReport(settings: ActionSettings, results: Results, comparison: Comparison, resultsFile: string, meta: RunMeta): Promise<void> {
  const ctx = { configPath: settings.configLabel, baselinePath: settings.baselineLabel };
  const report = renderReport(comparison, results, ctx);
  const reportFile = writeReportAndMeta(settings.resultsDir, report, meta);
  // One line, plain: workflows interpolate outputs, and a line break would let data write commands.
  const summary = logLine(summaryLine(comparison));
  core.setOutput(Outputs.Results, resultsFile);
  core.setOutput(Outputs.Report, reportFile);
  core.setOutput(Outputs.Regressed, String(cellsWith(comparison, 'regressed').length > 0));
  core.setOutput(Outputs.Summary, summary);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(report.length > SUMMARY_LIMIT ? renderReport(comparison, results, ctx, SUMMARY_LIMIT) : report, true).write();
  core.info(summary);
}

/** Comment and status; every GitHub failure is a warning, never a failed step. */
async function publish(settings: ActionSettings, api: RepoApi | null, target: Target, results: Results, comparison: Comparison): Promise<void> {
  if (!api) return;
  if (settings.comment && target.prNumber !== null) {
    const body = renderReport(comparison, results, { configPath: settings.configLabel, baselinePath: settings.baselineLabel }, COMMENT_LIMIT);
    try {
      const outcome = await upsertComment(api, target.prNumber, commentMarker(settings.configLabel), body);
      if (outcome.identity === null) core.warning('flask-perf: GitHub would not say which account this token posts as, so a new comment was made instead of editing the last one');
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

function repoApi(settings: ActionSettings): RepoApi | null {
  if (!settings.token || !process.env.GITHUB_REPOSITORY) return null;
  const { owner, repo } = context.repo;
  return octokitRepoApi(settings.token, owner, repo);
}

/** Writes a results document unless a signal arrived: what is written is never half a run's guess. */
function keep(file: string, results: Results): void {
  if (!interruption()) writeJson(file, results);
}

/** Measures base and head interleaved in this job; writes both sides' results as rounds end. */
async function runAgainstBase(settings: ActionSettings, config: Settings, baseSha: string, policy: Policy): Promise<{ results: Results; comparison: Comparison; resultsFile: string }> {
  const resultsFile = path.join(settings.resultsDir, ResultFiles.Results);
  const baseFile = path.join(settings.resultsDir, ResultFiles.Base);
  const outcome = await runAgainstCommit(config, settings.workspace, baseSha, {
    policy,
    random: Math.random,
    progress: lineProgress(info),
    onWorktree: (dir) => info(`flask-perf: comparing with the PR's base ${baseSha.slice(0, 7)} (worktree ${dir})`),
    onRound: (head, base) => {
      keep(resultsFile, head);
      keep(baseFile, base);
    },
  });
  await haltIfInterrupted();
  writeResults(settings.resultsDir, outcome.head);
  writeJson(baseFile, outcome.base);
  return { results: outcome.head, comparison: outcome.comparison, resultsFile };
}

async function runMode(settings: ActionSettings): Promise<Comparison> {
  if (PRIVILEGED_EVENTS.includes(context.eventName)) {
    throw new InputError(
      `mode: run refuses to run on ${context.eventName}: that event's workflow has a write token and secrets, and run mode executes the pull request's code (its build and its servers). Run it on pull_request with a read-only token, and publish from a workflow_run workflow with mode: report (the fork-safe split in the README).`,
    );
  }
  const config = loadConfig(settings.configPath, settings.workspace);
  ensureWritableDir(settings.resultsDir, 'results-dir');
  const pr = pullRequestOf(context.eventName, context.payload);
  const policy = policyFrom(resolveThresholds(config.thresholds, settings.threshold), config.compare);
  const mode = settings.compare ?? config.compare.mode ?? 'baseline';
  let results: Results;
  let comparison: Comparison;
  let resultsFile: string;
  if (mode === 'base' && pr?.baseSha) {
    ({ results, comparison, resultsFile } = await runAgainstBase(settings, config, pr.baseSha, policy));
  } else {
    if (mode === 'base') info('flask-perf: compare: base needs a pull request; comparing with the stored baseline instead');
    // A baseline that cannot be read fails now, not after minutes of measuring.
    const baseline = baselineForRun(settings, pr?.baseSha ?? null);
    resultsFile = path.join(settings.resultsDir, ResultFiles.Results);
    results = await runMatrix(config, { progress: lineProgress(info), onCell: (partial) => keep(resultsFile, partial) });
    await haltIfInterrupted();
    writeResults(settings.resultsDir, results);
    comparison = compareResults(baseline?.results ?? null, results, policy, baseline?.source ?? null);
  }
  await recordReport(settings, results, comparison, resultsFile, {
    configPath: settings.configLabel,
    eventName: context.eventName,
    prNumber: pr?.number ?? null,
    headSha: pr?.headSha ?? (context.sha || null),
    baseSha: pr?.baseSha ?? null,
  });
  if (settings.updateBaseline) {
    if (pr) core.warning('flask-perf: update-baseline is ignored on pull requests; the baseline is written on pushes to the default branch');
    else if (results.topologies.some((t) => !t.ok)) core.warning('flask-perf: baseline not updated: some cells failed');
    else {
      // The new baseline carries how much consecutive baselines moved: the noise of this runner.
      const previous = readBaselineFile(settings.baselinePath, settings.baselineLabel)?.results ?? null;
      const history = nextHistory(previous, results);
      writeJson(settings.baselinePath, { ...results, noise: { ...results.noise!, history } });
      info(`flask-perf: wrote the baseline ${settings.baselineLabel} (noise history: ${history.length} earlier run${history.length === 1 ? '' : 's'})`);
    }
  }
  await publish(settings, repoApi(settings), { prNumber: pr?.number ?? null, statusSha: null }, results, comparison);
  return comparison;
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
async function reportMode(settings: ActionSettings): Promise<Comparison> {
  if (!existsSync(settings.configPath)) {
    throw new ConfigError(settings.configPath, [`the config is not in this checkout: report mode judges the artifact by the trusted config of the default branch, so ${settings.configLabel} must exist there`]);
  }
  const trusted = loadConfig(settings.configPath, settings.workspace);
  const mode = settings.compare ?? trusted.compare.mode ?? 'baseline';
  const api = repoApi(settings);
  let artifact: ReturnType<typeof readResultsDir>;
  try {
    artifact = readResultsDir(settings.resultsDir, mode === 'base');
  } catch (error) {
    // An artifact that cannot be judged must not leave a required check pending or green.
    const run = workflowRunOf(context.eventName, context.payload);
    if (api && run?.headSha) await setStatus(api, run.headSha, 'error', 'flask-perf: the results artifact is invalid; see the report job');
    throw error;
  }
  const { results, meta, base } = artifact;
  const policy = policyFrom(resolveThresholds(trusted.thresholds, settings.threshold), trusted.compare);
  const expected = trusted.topologies.map((t) => t.name);
  let comparison: Comparison;
  // The looks are replayed from the rounds: the verdicts are the ones the run job reached.
  if (mode === 'base') comparison = compareAb(base!.topologies, results.topologies, policy, { ...abJudging(trusted.compare, policy.alpha), final: true, expected });
  else {
    if (artifact.baseIgnored) core.warning('flask-perf: the artifact holds base.json, but the trusted config does not say compare: base; comparing with the stored baseline');
    const baseline = readBaselineFile(settings.baselinePath, settings.baselineLabel);
    comparison = compareResults(baseline?.results ?? null, results, policy, baseline?.source ?? null, expected);
  }
  await recordReport(settings, results, comparison, path.join(settings.resultsDir, ResultFiles.Results), meta);
  await publish(settings, api, await reportTarget(api, meta.headSha), results, comparison);
  return comparison;
}

/** The action: reads inputs, runs or reports, publishes, and is the only place that fails the step. */
export async function run(): Promise<void> {
  installSignalHandlers();
  try {
    const settings = getActionSettings((name) => core.getInput(name), process.env.GITHUB_WORKSPACE || process.cwd());
    const comparison = settings.mode === 'run' ? await runMode(settings) : await reportMode(settings);
    const message = failureMessage(comparison);
    if (message && settings.failOnRegression) core.setFailed(message);
    else if (message) core.warning(message);
  } catch (error) {
    await haltIfInterrupted();
    core.setFailed((error as Error).message);
  }
}
