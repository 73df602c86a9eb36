import * as core from '@actions/core';
import { context } from '@actions/github';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareAb } from './ab/analyze.js';
import { runAgainstCommit } from './ab/against-commit.js';
import { InputDefaults, Outputs, ResultFiles, STATUS_CONTEXT } from './action/constants.js';
import { getActionSettings, type ActionSettings } from './action/input-helper.js';
import { readResultsDir, writeReportAndMeta, writeResults } from './action/results-dir.js';
import { readBaselineAtCommit, readBaselineFile, writeBaseline, type LoadedBaseline } from './compare/baseline.js';
import { cellsWith, compareResults, policyFrom, type Comparison, type Policy } from './compare/compare.js';
import { failureMessage } from './compare/gate.js';
import { resolveThresholds } from './compare/thresholds.js';
import { DEFAULT_COMPARE, loadConfig } from './config/load.js';
import type { Settings } from './config/types.js';
import { describeGithubError, upsertComment } from './github/comments.js';
import { pullRequestOf, workflowRunOf } from './github/event.js';
import { octokitRepoApi, type RepoApi } from './github/octokit.js';
import { commentMarker, renderReport, summaryLine } from './report/markdown.js';
import type { Results } from './results/types.js';
import { runMatrix } from './run/matrix.js';
import { lineProgress } from './run/progress.js';

/** Where the verdict goes: which PR to comment on, which commit gets the status. */
interface Target {
  readonly prNumber: number | null;
  readonly statusSha: string | null;
}

function baselineForRun(settings: ActionSettings, baseSha: string | null): LoadedBaseline | null {
  // On a PR, the baseline is the one of the PR's base commit, not whatever the PR's branch holds.
  if (baseSha) {
    const atBase = readBaselineAtCommit(settings.workspace, baseSha, settings.baselineLabel);
    if (atBase !== undefined) return atBase;
    core.warning(`flask-perf: the PR's base commit ${baseSha.slice(0, 7)} is not in the checkout and could not be fetched; reading ${settings.baselineLabel} from the working tree`);
  }
  return readBaselineFile(settings.baselinePath, settings.baselineLabel);
}

/** Writes outputs and the job summary: the parts that need no network and must never be lost. */
async function recordReport(settings: ActionSettings, results: Results, comparison: Comparison, resultsFile: string, meta: Parameters<typeof writeReportAndMeta>[2]): Promise<string> {
  const report = renderReport(comparison, results, { configPath: settings.configLabel, baselinePath: settings.baselineLabel });
  const reportFile = writeReportAndMeta(settings.resultsDir, report, meta);
  const summary = summaryLine(comparison);
  core.setOutput(Outputs.Results, resultsFile);
  core.setOutput(Outputs.Report, reportFile);
  core.setOutput(Outputs.Regressed, String(cellsWith(comparison, 'regressed').length > 0));
  core.setOutput(Outputs.Summary, summary);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(report, true).write();
  core.info(summary);
  return report;
}

/** Comment and status; every GitHub failure is a warning, never a failed step. */
async function publish(settings: ActionSettings, api: RepoApi | null, target: Target, report: string, comparison: Comparison): Promise<void> {
  if (!api) return;
  if (settings.comment && target.prNumber !== null) {
    try {
      const outcome = await upsertComment(api, target.prNumber, commentMarker(settings.configLabel), report);
      core.info(`flask-perf: ${outcome.action} comment ${outcome.id} on #${target.prNumber}`);
    } catch (error) {
      core.warning(`flask-perf: could not comment on #${target.prNumber}: ${describeGithubError(error).message}`);
    }
  }
  if (target.statusSha) {
    const message = failureMessage(comparison);
    try {
      await api.setStatus(target.statusSha, message ? 'failure' : 'success', STATUS_CONTEXT, summaryLine(comparison));
    } catch (error) {
      core.warning(`flask-perf: could not set the commit status: ${describeGithubError(error).message}`);
    }
  }
}

function repoApi(settings: ActionSettings): RepoApi | null {
  if (!settings.token || !process.env.GITHUB_REPOSITORY) return null;
  const { owner, repo } = context.repo;
  return octokitRepoApi(settings.token, owner, repo);
}

/** Measures base and head interleaved in this job; writes both sides' results. */
async function runAgainstBase(settings: ActionSettings, config: Settings, baseSha: string, policy: Policy): Promise<{ results: Results; comparison: Comparison; resultsFile: string }> {
  const outcome = await runAgainstCommit(config, settings.workspace, baseSha, {
    policy,
    random: Math.random,
    progress: lineProgress((line) => core.info(line)),
    onWorktree: (dir) => core.info(`flask-perf: comparing with the PR's base ${baseSha.slice(0, 7)} (worktree ${dir})`),
  });
  const resultsFile = writeResults(settings.resultsDir, outcome.head);
  writeFileSync(path.join(settings.resultsDir, ResultFiles.Base), `${JSON.stringify(outcome.base, null, 2)}\n`);
  return { results: outcome.head, comparison: outcome.comparison, resultsFile };
}

async function runMode(settings: ActionSettings): Promise<Comparison> {
  const config = loadConfig(settings.configPath, settings.workspace);
  const pr = pullRequestOf(context.eventName, context.payload);
  const policy = policyFrom(resolveThresholds(config.thresholds, settings.threshold), config.compare);
  const mode = settings.compare ?? config.compare.mode ?? 'baseline';
  let results: Results;
  let comparison: Comparison;
  let resultsFile: string;
  if (mode === 'base' && pr?.baseSha) {
    ({ results, comparison, resultsFile } = await runAgainstBase(settings, config, pr.baseSha, policy));
  } else {
    if (mode === 'base') core.info('flask-perf: compare: base needs a pull request; comparing with the stored baseline instead');
    results = await runMatrix(config, { progress: lineProgress((line) => core.info(line)) });
    resultsFile = writeResults(settings.resultsDir, results);
    const baseline = baselineForRun(settings, pr?.baseSha ?? null);
    comparison = compareResults(baseline?.results ?? null, results, policy, baseline?.source ?? null);
  }
  const report = await recordReport(settings, results, comparison, resultsFile, {
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
      writeBaseline(settings.baselinePath, results);
      core.info(`flask-perf: wrote the baseline ${settings.baselineLabel}`);
    }
  }
  await publish(settings, repoApi(settings), { prNumber: pr?.number ?? null, statusSha: null }, report, comparison);
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

async function reportMode(settings: ActionSettings): Promise<Comparison> {
  const { results, meta, base } = readResultsDir(settings.resultsDir);
  // Thresholds and baseline come from this (trusted) checkout, never from the artifact.
  const trusted = existsSync(settings.configPath) ? loadConfig(settings.configPath, settings.workspace) : null;
  const policy = policyFrom(resolveThresholds(trusted?.thresholds ?? {}, settings.threshold), trusted?.compare ?? DEFAULT_COMPARE);
  let comparison: Comparison;
  if (base) comparison = compareAb(base.topologies, results.topologies, policy, (trusted?.compare ?? DEFAULT_COMPARE).rounds);
  else {
    const baseline = readBaselineFile(settings.baselinePath, settings.baselineLabel);
    comparison = compareResults(baseline?.results ?? null, results, policy, baseline?.source ?? null);
  }
  const report = await recordReport(settings, results, comparison, `${settings.resultsDir}/results.json`, meta);
  const api = repoApi(settings);
  await publish(settings, api, await reportTarget(api, meta.headSha), report, comparison);
  return comparison;
}

/** The action: reads inputs, runs or reports, publishes, and is the only place that fails the step. */
export async function run(): Promise<void> {
  try {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const settings = getActionSettings((name) => core.getInput(name) || (InputDefaults[name]?.startsWith('${{') ? '' : (InputDefaults[name] ?? '')), workspace);
    const comparison = settings.mode === 'run' ? await runMode(settings) : await reportMode(settings);
    const message = failureMessage(comparison);
    if (message && settings.failOnRegression) core.setFailed(message);
    else if (message) core.warning(message);
  } catch (error) {
    core.setFailed((error as Error).message);
  }
}
