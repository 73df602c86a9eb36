import { parseArgs } from 'node:util';
import type { LoadOverrides } from '../config/load.js';
import { parseDuration } from '../config/duration.js';

/** A command line the user must fix (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: flask-perf run --config <file> [options]

Runs every topology of the config under load and prints the results table.

Options:
  --config <file>       config file (YAML)                      [required]
  --out <file>          write the results JSON here
  --only <name>         run only this topology (repeatable)
  --duration <time>     length of each trial, e.g. 5s           (overrides load.duration)
  --warmup <time>       warm-up before the trials, e.g. 2s      (overrides load.warmup)
  --trials <n>          measured trials per topology            (overrides load.trials)
  --connections <n>     concurrent connections                  (overrides load.connections)
  --skip-build          do not run app.build
  -h, --help            show this help

Exit codes: 0 all cells ran, 1 a cell failed, 2 config or usage error.`;

export interface RunArgs {
  readonly command: 'run';
  readonly config: string;
  readonly out?: string;
  readonly only: readonly string[];
  readonly overrides: LoadOverrides;
  readonly skipBuild: boolean;
}

export type CliArgs = RunArgs | { readonly command: 'help' };

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
  if (positionals[0] !== 'run' || positionals.length > 1) throw new UsageError(`unknown command ${JSON.stringify(positionals.join(' '))}; the command is "run"`);
  if (!values.config) throw new UsageError('--config <file> is required');
  return {
    command: 'run',
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
