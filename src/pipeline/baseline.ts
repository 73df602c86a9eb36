import { ensureCommit, fileAtCommit } from '../git/git.js';
import { parseResults, readResultsFile, ResultsError } from '../results/io.js';
import type { Results } from '../results/types.js';

/** A baseline and where it was read from. */
export interface LoadedBaseline {
  readonly results: Results;
  /** e.g. ".github/flask-perf-baseline.json at 1a2b3c4" */
  readonly source: string;
}

/** Reads a baseline file from the working tree; null when there is none yet. `name` is shown. */
export function readBaselineFile(file: string, name: string = file): LoadedBaseline | null {
  const results = readResultsFile(file, `baseline ${name}`);
  return results ? { results, source: name } : null;
}

/**
 * Reads the baseline as it is at `commit` (the PR's base), fetching the commit when the checkout is
 * shallow. null when the file does not exist there; undefined when the commit cannot be had.
 * @param relPath normalised POSIX path relative to the repository root
 */
export function readBaselineAtCommit(repo: string, commit: string, relPath: string): LoadedBaseline | null | undefined {
  if (ensureCommit(repo, commit) !== null) return undefined;
  const name = `${relPath} at ${commit.slice(0, 7)}`;
  const at = fileAtCommit(repo, commit, relPath);
  if (at.kind === 'missing') return null; // no baseline at the base commit yet
  if (at.kind === 'other') throw new ResultsError(`baseline ${name} is ${at.what}; it must be a regular file`);
  return { results: parseResults(at.text, `baseline ${name}`), source: name };
}
