import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { failureMessage } from '../compare/gate.js';
import { ConfigError, DEFAULT_COMPARE, readConfig, selectTopologies } from '../config/load.js';
import type { Config } from '../config/types.js';
import { commitOf, repositoryRoot, WorktreeError } from '../git/git.js';
import { readBaselineFile } from '../pipeline/baseline.js';
import { judge, policyOf, runPipeline, type BaseSource } from '../pipeline/pipeline.js';
import { renderHtml } from '../report/html.js';
import { renderReport } from '../report/markdown.js';
import { recommendationLine } from '../report/recommend.js';
import { resultsNotes, resultsTable } from '../report/table.js';
import {
  ensureWritableDir,
  ensureWritableFile,
  OutputError,
  readResultsFile,
  readSettleFiles,
  RESULT_FILES,
  ResultsError,
  writeJson,
  writeResultsDir,
  writeText,
} from '../results/io.js';
import type { Results } from '../results/types.js';
import { BuildError } from '../run/build.js';
import { runMatrix } from '../run/matrix.js';
import { barProgress, lineProgress, type Progress } from '../run/progress.js';
import { haltIfInterrupted, installSignalHandlers, interruption } from '../topology/cleanup.js';
import { parseCliArgs, USAGE, UsageError, type CompareArgs, type ReportArgs, type RunArgs } from './args.js';

/** The baseline path the action uses by default: the update instructions of a --base report name it. */
const DEFAULT_BASELINE = '.github/flask-perf-baseline.json';

const out = (text: string): void => void process.stdout.write(text);
const err = (text: string): void => void process.stderr.write(text);

/** Writes a results document unless a signal arrived: what is written is never half a run's guess. */
const keep = (file: string, data: Results): void => void (interruption() ? undefined : writeJson(file, data));

function progressHere(): Progress {
  return process.stderr.isTTY && !process.env.CI ? barProgress(process.stderr) : lineProgress((l) => err(`${l}\n`));
}

/**
 * What `app.workdir` is relative to: the repository holding the config file, as the action's
 * workspace is, wherever the command runs from; the current folder outside any repository.
 */
function configRoot(configFile: string): string {
  return repositoryRoot(path.dirname(path.resolve(configFile))) ?? process.cwd();
}

/** The repository around `dir` and the commit `ref` names in it; a UsageError when either is missing. */
export function resolveCommit(dir: string, ref: string): { repo: string; commit: string } {
  const repo = repositoryRoot(dir);
  if (repo === null) throw new UsageError(`--base needs a git repository; ${dir} is not in one`);
  const commit = commitOf(repo, ref);
  if (commit === null) throw new UsageError(`--base must name a commit of ${repo}; got ${JSON.stringify(ref)}`);
  return { repo, commit };
}

/** Where `run --out results.json` puts its charts: beside it, results.html. */
function htmlBeside(file: string): string {
  return file.replace(/(\.json)?$/i, '.html');
}

async function runCommand(args: RunArgs, config: Config): Promise<number> {
  const file = args.out;
  // Nothing measured may be lost to a place that cannot be written: check before any load.
  if (file) ensureWritableFile(file, '--out');
  const results = await runMatrix(config, { progress: progressHere(), skipBuild: args.skipBuild, onCell: file ? (partial) => keep(file, partial) : undefined });
  await haltIfInterrupted();
  if (file) writeJson(file, results);
  out(`\n${resultsTable(results)}\n`);
  const notes = resultsNotes(results);
  if (notes) out(`\n${notes}\n`);
  const recommendation = recommendationLine(results, (name) => name);
  if (recommendation) out(`\n${recommendation}\n`);
  if (file) {
    const charts = writeText(htmlBeside(file), renderHtml({ title: args.config, head: results, base: null, comparison: null }));
    out(`\nresults: ${file}\nreport:  ${pathToFileURL(path.resolve(charts)).href}\n`);
  }
  return results.topologies.every((t) => t.ok) ? 0 : 1;
}

/** The action's run mode, locally: the same pipeline, the same report, printed. */
async function compareCommand(args: CompareArgs, config: Config, root: string): Promise<number> {
  const dir = args.out;
  if (dir) ensureWritableDir(dir, '--out');
  const progress = progressHere();
  const at = args.base === undefined ? null : resolveCommit(root, args.base);
  let source: BaseSource;
  if (args.baseline === undefined) {
    progress.note(`comparing the working tree with ${args.base} (${at!.commit.slice(0, 7)})`);
    source = { kind: 'commit', ...at! };
  } else {
    source = { kind: 'baseline', baseline: readBaselineFile(args.baseline), settleAt: at };
  }
  const outcome = await runPipeline(config, source, policyOf(config), {
    progress,
    skipBuild: args.skipBuild,
    onProgress: (head, base) => {
      if (!dir) return;
      keep(path.join(dir, RESULT_FILES.results), head);
      if (base) keep(path.join(dir, RESULT_FILES.base), base);
    },
    onSettle: (settle) => {
      if (!dir) return;
      keep(path.join(dir, RESULT_FILES.settleHead), settle.head);
      keep(path.join(dir, RESULT_FILES.settleBase), settle.base);
    },
  });
  await haltIfInterrupted();
  const context = { configPath: args.config, baselinePath: args.baseline ?? DEFAULT_BASELINE, htmlReport: dir !== undefined };
  const report = renderReport(outcome.comparison, outcome.results, context);
  const html = renderHtml({ title: args.config, head: outcome.results, base: outcome.reference, comparison: outcome.comparison });
  const files = dir ? writeResultsDir(dir, { results: outcome.results, base: outcome.base, settle: outcome.settle, report, html }) : null;
  const code = finish(report, failureMessage(outcome.comparison));
  if (files) out(`report: ${pathToFileURL(path.resolve(files.html)).href}\n`);
  return code;
}

/** The action's report mode, locally: judges documents already measured; nothing runs. */
function reportCommand(args: ReportArgs): number {
  const config = args.config ? readConfig(args.config, configRoot(args.config)) : null;
  const compare = config?.compare ?? DEFAULT_COMPARE;
  const expected = config?.topologies.map((t) => t.name);
  if (args.out) ensureWritableFile(args.out, '--out');
  const head = readResultsFile(args.results);
  if (!head) throw new ResultsError(`${args.results} does not exist`);
  let comparison;
  let reference: Results | null;
  if (args.baseResults !== undefined) {
    const base = readResultsFile(args.baseResults);
    if (!base) throw new ResultsError(`${args.baseResults} does not exist`);
    comparison = judge('base', compare, head, { kind: 'measured', base }, policyOf(config), expected);
    reference = base;
  } else {
    const baseline = args.baseline !== undefined ? readBaselineFile(args.baseline) : null;
    if (args.baseline !== undefined && !baseline) throw new ResultsError(`baseline ${args.baseline} does not exist`);
    const settle = baseline && compare.settle ? readSettleFiles(path.dirname(args.results)) : null;
    comparison = judge('baseline', compare, head, { kind: 'baseline', baseline, settle }, policyOf(config), expected);
    reference = baseline?.results ?? null;
  }
  const title = args.config ?? '(no config)';
  // --out report.html: the HTML only; --out report.md: the markdown, and report.html beside it, as the action writes them.
  const htmlFile = args.out === undefined ? null : /\.html?$/i.test(args.out) ? args.out : path.join(path.dirname(args.out), RESULT_FILES.html);
  const report = renderReport(comparison, head, {
    configPath: title,
    baselinePath: args.baseline ?? DEFAULT_BASELINE,
    htmlReport: htmlFile !== null && htmlFile !== args.out,
  });
  if (htmlFile) writeText(htmlFile, renderHtml({ title, head, base: reference, comparison }));
  if (args.out && htmlFile !== args.out) writeText(args.out, report);
  const code = finish(report, failureMessage(comparison));
  if (htmlFile) out(`report: ${pathToFileURL(path.resolve(htmlFile)).href}\n`);
  return code;
}

function finish(report: string, failure: string | null): number {
  out(`\n${report}\n`);
  if (failure) err(`${failure}\n`);
  return failure ? 1 : 0;
}

/** The `flask-perf` command; returns the exit code (0 ran, 1 a cell failed or — compare, report — regressed, 2 usage, config, baseline or output). */
export async function cliMain(argv: readonly string[]): Promise<number> {
  installSignalHandlers();
  try {
    const args = parseCliArgs(argv);
    if (args.command === 'help') {
      out(`${USAGE}\n`);
      return 0;
    }
    if (args.command === 'report') return reportCommand(args);
    const root = configRoot(args.config);
    const config = selectTopologies(readConfig(args.config, root, args.overrides), args.only);
    return args.command === 'compare' ? await compareCommand(args, config, root) : await runCommand(args, config);
  } catch (error) {
    await haltIfInterrupted();
    if (error instanceof UsageError) {
      err(`flask-perf: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof ResultsError || error instanceof WorktreeError || error instanceof OutputError) {
      err(`flask-perf: ${error.message}\n`);
      return 2;
    }
    if (error instanceof BuildError) {
      err(`flask-perf: ${error.message}\n`);
      return 1;
    }
    err(`flask-perf: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
