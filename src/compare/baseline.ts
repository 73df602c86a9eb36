import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_VERSION, type Results } from '../results/types.js';

/** A baseline file that exists but cannot be used; the message names the file and what is wrong. */
export class BaselineError extends Error {
  override name = 'BaselineError';
}

/** A baseline and where it was read from. */
export interface LoadedBaseline {
  readonly results: Results;
  /** e.g. ".github/flask-perf-baseline.json at 1a2b3c4" */
  readonly source: string;
}

/** Parses and checks a baseline document (a results document); throws BaselineError naming `name`. */
export function parseBaseline(text: string, name: string): Results {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`baseline ${name} is not valid JSON (${(error as Error).message}); fix it, delete it, or record it again with update-baseline`);
  }
  const doc = data as Partial<Results> | null;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new BaselineError(`baseline ${name} must be a flask-perf results document; got ${Array.isArray(data) ? 'a list' : typeof data}`);
  if (doc.schemaVersion !== SCHEMA_VERSION) throw new BaselineError(`baseline ${name} must have schemaVersion ${SCHEMA_VERSION}; got ${JSON.stringify(doc.schemaVersion)}`);
  if (!Array.isArray(doc.topologies)) throw new BaselineError(`baseline ${name} must have a topologies list; got ${JSON.stringify(doc.topologies)}`);
  for (const [i, t] of doc.topologies.entries()) {
    if (typeof t?.name !== 'string' || typeof t?.rps !== 'number') throw new BaselineError(`baseline ${name}: topologies[${i}] must have a name and rps; got ${JSON.stringify(t).slice(0, 80)}`);
  }
  return doc as Results;
}

/** Reads a baseline file from the working tree; null when there is none yet. `name` is shown. */
export function readBaselineFile(file: string, name: string = file): LoadedBaseline | null {
  if (!existsSync(file)) return null;
  return { results: parseBaseline(readFileSync(file, 'utf8'), name), source: name };
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Reads the baseline as it is at `commit` (the PR's base), fetching the commit when the checkout is
 * shallow. null when the file does not exist there; undefined when the commit cannot be had.
 */
export function readBaselineAtCommit(repo: string, commit: string, relPath: string): LoadedBaseline | null | undefined {
  const has = (): boolean => {
    try {
      git(repo, ['cat-file', '-e', `${commit}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  };
  if (!has()) {
    try {
      git(repo, ['fetch', '--no-tags', '--depth=1', 'origin', commit]);
    } catch {
      return undefined;
    }
    if (!has()) return undefined;
  }
  const spec = `${commit}:${relPath.split(path.sep).join('/')}`;
  let text: string;
  try {
    text = git(repo, ['show', spec]);
  } catch {
    return null; // no baseline at the base commit yet
  }
  const name = `${relPath} at ${commit.slice(0, 7)}`;
  return { results: parseBaseline(text, name), source: name };
}

/** Writes `results` as the baseline file, creating its folder. */
export function writeBaseline(file: string, results: Results): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
