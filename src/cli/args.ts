import { parseArgs } from 'node:util';
import type { LoadOverrides } from '../config/load.js';
import { parseDuration } from '../config/duration.js';

/** A command line the user must fix (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: flask-perf run --config <file> [options]
       flask-perf compare --config <file> (--base <git-ref> | --baseline <file> [--base <git-ref>]) [options]
       flask-perf report <results.json> [--baseline <file> | --base-results <file>] [--config <file>] [--out <file>]

run      runs every topology of the config under load and prints the results table.
compare  does what the action does on a pull request and prints its report (markdown):
         --base <git-ref>   measures that commit (in a temporary git worktree) and the working
                            tree interleaved, round by round, as compare: base does;
         --baseline <file>  runs the matrix and compares it with a stored results document;
                            with --base as well, the cells the baseline leaves inconclusive
                            are then measured beside that commit, as the action does on a
                            pull request (compare.settle).
report   judges results already measured, as the action's report mode does, and prints the
         report; nothing runs. --baseline: a stored baseline (with compare.settle, the settling
         run's settle-head.json and settle-base.json beside <results.json> too); --base-results:
         the base side of a compare: base run (its base.json); --config: the thresholds and
         topologies to judge.

Options:
  --config <file>       config file (YAML)                      [required]
  --out <path>          run: the results JSON (and its charts beside it, <name>.html);
                        compare: a folder for results.json, base.json (with --base),
                        settle-head.json and settle-base.json (settled), report.md and
                        report.html; report: report.html, or a markdown file with
                        report.html beside it
  --only <name>         run only this topology (repeatable)
  --duration <time>     length of each trial, e.g. 5s           (overrides load.duration)
  --warmup <time>       warm-up before the trials, e.g. 2s      (overrides load.warmup)
  --trials <n>          measured trials per topology            (overrides load.trials)
  --connections <n>     concurrent connections                  (overrides load.connections)
  --skip-build          do not run app.build (with --base: on neither side)
  -h, --help            show this help

Exit codes: 0 all cells ran (compare: and nothing regressed), 1 a cell failed (compare: or a
regression, as the action would fail), 2 config or usage error.`;

export interface RunArgs {
  readonly command: 'run';
  readonly config: string;
  readonly out?: string;
  readonly only: readonly string[];
  readonly overrides: LoadOverrides;
  readonly skipBuild: boolean;
}

export interface CompareArgs extends Omit<RunArgs, 'command'> {
  readonly command: 'compare';
  /** A git ref of the repository around the working directory: compare: base against it (with a baseline: settle beside it). */
  readonly base?: string;
  /** A stored results document: compare: baseline against it. */
  readonly baseline?: string;
}

export interface ReportArgs {
  readonly command: 'report';
  /** The head's results document. */
  readonly results: string;
  readonly baseline?: string;
  readonly baseResults?: string;
  readonly config?: string;
  readonly out?: string;
}

export type CliArgs = RunArgs | CompareArgs | ReportArgs | { readonly command: 'help' };

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new UsageError(`${flag} must be an integer ≥ 1; got ${JSON.stringify(value)}`);
  return Number(value);
}

function duration(flag: string, value: string | undefined, allowZero: boolean): string | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || (!allowZero && ms === 0) || !/[a-z]$/.test(value)) {
    throw new UsageError(`${flag} must be a duration such as "5s" or "500ms"; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Parses `flask-perf` arguments (without node and script); throws UsageError. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        base: { type: 'string' },
        baseline: { type: 'string' },
        'base-results': { type: 'string' },
        only: { type: 'string', multiple: true },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        trials: { type: 'string' },
        connections: { type: 'string' },
        'skip-build': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help' };
  const command = positionals[0];
  if (command === 'report') {
    if (positionals.length !== 2) throw new UsageError('report needs one results document: flask-perf report <results.json>');
    if (values.baseline !== undefined && values['base-results'] !== undefined) throw new UsageError('report takes --baseline or --base-results, not both');
    return { command, results: positionals[1], baseline: values.baseline, baseResults: values['base-results'], config: values.config, out: values.out };
  }
  if ((command !== 'run' && command !== 'compare') || positionals.length > 1)
    throw new UsageError(`unknown command ${JSON.stringify(positionals.join(' '))}; the commands are "run", "compare" and "report"`);
  if (values['base-results'] !== undefined) throw new UsageError('--base-results belongs to "report"');
  if (!values.config) throw new UsageError('--config <file> is required');
  if (command === 'run' && (values.base !== undefined || values.baseline !== undefined))
    throw new UsageError('--base and --baseline belong to "compare"; "run" only measures');
  if (command === 'compare' && values.base === undefined && values.baseline === undefined) {
    throw new UsageError('compare needs --base <git-ref>, --baseline <file>, or both (a baseline settled beside a commit)');
  }
  return {
    command,
    ...(command === 'compare' ? { base: values.base, baseline: values.baseline } : {}),
    config: values.config,
    out: values.out,
    only: values.only ?? [],
    skipBuild: values['skip-build'] ?? false,
    overrides: {
      duration: duration('--duration', values.duration, false),
      warmup: duration('--warmup', values.warmup, true),
      trials: positiveInt('--trials', values.trials),
      connections: positiveInt('--connections', values.connections),
    },
  };
}
