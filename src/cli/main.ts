import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorktreeError } from '../git/worktree.js';
import { ConfigError, loadConfig, selectTopologies } from '../config/load.js';
import { resultsNotes, resultsTable } from '../report/table.js';
import { ensureWritableDir, ensureWritableFile, OutputError, ResultsError, writeJson } from '../results/io.js';
import { BuildError } from '../run/build.js';
import { runMatrix } from '../run/matrix.js';
import { barProgress, lineProgress } from '../run/progress.js';
import { haltIfInterrupted, installSignalHandlers, interruption } from '../topology/cleanup.js';
import { parseCliArgs, USAGE, UsageError } from './args.js';
import { runCompare } from './compare.js';

/** The `flask-perf` command; returns the exit code (0 ran, 1 a cell failed or — compare — regressed, 2 usage, config, baseline or output). */
export async function cliMain(argv: readonly string[]): Promise<number> {
  installSignalHandlers();
  try {
    const args = parseCliArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const settings = selectTopologies(loadConfig(args.config, process.cwd(), args.overrides), args.only);
    const progress = process.stderr.isTTY && !process.env.CI ? barProgress(process.stderr) : lineProgress((l) => process.stderr.write(`${l}\n`));
    // Nothing measured may be lost to a folder that cannot be written: check before any load.
    const keep = (file: string, data: unknown): void => void (interruption() ? undefined : writeJson(file, data));
    if (args.command === 'compare') {
      if (args.out) ensureWritableDir(args.out, '--out');
      const out = args.out;
      const outcome = await runCompare(args, settings, progress, out ? { results: (r) => keep(path.join(out, 'results.json'), r), base: (b) => keep(path.join(out, 'base.json'), b) } : undefined);
      await haltIfInterrupted();
      if (out) {
        writeJson(path.join(out, 'results.json'), outcome.results);
        if (outcome.base) writeJson(path.join(out, 'base.json'), outcome.base);
        writeFileSync(path.join(out, 'report.md'), outcome.report);
      }
      process.stdout.write(`\n${outcome.report}\n`);
      if (outcome.failure) process.stderr.write(`${outcome.failure}\n`);
      return outcome.failure ? 1 : 0;
    }
    const out = args.out;
    if (out) ensureWritableFile(out, '--out');
    const results = await runMatrix(settings, { progress, skipBuild: args.skipBuild, onCell: out ? (partial) => keep(out, partial) : undefined });
    await haltIfInterrupted();
    if (out) writeJson(out, results);
    process.stdout.write(`\n${resultsTable(results)}\n`);
    const notes = resultsNotes(results);
    if (notes) process.stdout.write(`\n${notes}\n`);
    if (out) process.stdout.write(`\nresults: ${out}\n`);
    return results.topologies.every((t) => t.ok) ? 0 : 1;
  } catch (error) {
    await haltIfInterrupted();
    if (error instanceof UsageError) {
      process.stderr.write(`flask-perf: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof ResultsError || error instanceof WorktreeError || error instanceof OutputError) {
      process.stderr.write(`flask-perf: ${error.message}\n`);
      return 2;
    }
    if (error instanceof BuildError) {
      process.stderr.write(`flask-perf: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`flask-perf: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
