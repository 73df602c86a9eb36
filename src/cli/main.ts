import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorktreeError } from '../ab/worktree.js';
import { BaselineError } from '../compare/baseline.js';
import { ConfigError, loadConfig, selectTopologies } from '../config/load.js';
import { resultsNotes, resultsTable } from '../report/table.js';
import { BuildError } from '../run/build.js';
import { runMatrix } from '../run/matrix.js';
import { barProgress, lineProgress } from '../run/progress.js';
import { parseCliArgs, USAGE, UsageError } from './args.js';
import { runCompare } from './compare.js';

/** Writes the results document, creating its folder. */
export function writeJson(file: string, data: unknown): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** The `flask-perf` command; returns the exit code (0 ran, 1 a cell failed or — compare — regressed, 2 usage, config or baseline). */
export async function cliMain(argv: readonly string[]): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const settings = selectTopologies(loadConfig(args.config, process.cwd(), args.overrides), args.only);
    const progress = process.stderr.isTTY && !process.env.CI ? barProgress(process.stderr) : lineProgress((l) => process.stderr.write(`${l}\n`));
    if (args.command === 'compare') {
      const outcome = await runCompare(args, settings, progress);
      if (args.out) {
        writeJson(path.join(args.out, 'results.json'), outcome.results);
        if (outcome.base) writeJson(path.join(args.out, 'base.json'), outcome.base);
        writeFileSync(path.join(args.out, 'report.md'), outcome.report);
      }
      process.stdout.write(`\n${outcome.report}\n`);
      if (outcome.failure) process.stderr.write(`${outcome.failure}\n`);
      return outcome.failure ? 1 : 0;
    }
    const results = await runMatrix(settings, { progress, skipBuild: args.skipBuild });
    if (args.out) writeJson(args.out, results);
    process.stdout.write(`\n${resultsTable(results)}\n`);
    const notes = resultsNotes(results);
    if (notes) process.stdout.write(`\n${notes}\n`);
    if (args.out) process.stdout.write(`\nresults: ${args.out}\n`);
    return results.topologies.every((t) => t.ok) ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`flask-perf: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof BaselineError || error instanceof WorktreeError) {
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
