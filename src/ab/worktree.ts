import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A detached git worktree of another commit; `remove` never throws. */
export interface Worktree {
  readonly dir: string;
  remove(): void;
}

/** A checkout problem the user can act on. */
export class WorktreeError extends Error {
  override name = 'WorktreeError';
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The top folder of the git repository around `dir`; null when `dir` is in none. */
export function repositoryRoot(dir: string): string | null {
  try {
    return git(dir, ['rev-parse', '--show-toplevel']);
  } catch {
    return null;
  }
}

/** The commit `ref` names in `repo`; null when it names none. */
export function commitOf(repo: string, ref: string): string | null {
  try {
    return git(repo, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    return null;
  }
}

/** Puts `commit` in a separate worktree, fetching it first when the checkout is shallow. */
export function addWorktree(repo: string, commit: string): Worktree {
  try {
    git(repo, ['cat-file', '-e', `${commit}^{commit}`]);
  } catch {
    try {
      git(repo, ['fetch', '--no-tags', '--depth=1', 'origin', commit]);
    } catch (error) {
      throw new WorktreeError(`cannot fetch the PR's base commit ${commit} (${(error as Error).message.split('\n')[0]}); use actions/checkout with fetch-depth: 0, or a token that can read the repository`);
    }
  }
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'flask-perf-base-')), 'base');
  try {
    git(repo, ['worktree', 'add', '--detach', dir, commit]);
  } catch (error) {
    throw new WorktreeError(`cannot check out ${commit} into a worktree: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    dir,
    remove: () => {
      try {
        git(repo, ['worktree', 'remove', '--force', dir]);
      } catch {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
