import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from '../topology/cleanup.js';
import { ensureCommit, git } from './git.js';

/** A detached git worktree of another commit; `remove` never throws. */
export interface Worktree {
  readonly dir: string;
  remove(): void;
}

/** A checkout problem the user can act on. */
export class WorktreeError extends Error {
  override name = 'WorktreeError';
}

/**
 * Puts `commit` in a separate worktree under a new temp folder, fetching it first when the checkout
 * is shallow. Until `remove`, a signal or a crash removes it too (worktree and folder).
 */
export function addWorktree(repo: string, commit: string): Worktree {
  const missing = ensureCommit(repo, commit);
  if (missing) throw new WorktreeError(`cannot fetch the PR's base commit ${commit} (${missing}); use actions/checkout with fetch-depth: 0, or a token that can read the repository`);
  const parent = mkdtempSync(path.join(os.tmpdir(), 'flask-perf-base-'));
  const dir = path.join(parent, 'base');
  const remove = (): void => {
    try {
      git(repo, ['worktree', 'remove', '--force', dir]);
    } catch {
      // Not registered (the add failed) or already gone: the folder and git's record still go.
    }
    rmSync(parent, { recursive: true, force: true });
    try {
      git(repo, ['worktree', 'prune']);
    } catch {
      // nothing to prune
    }
  };
  const forget = onCleanup({ phase: 'worktree', label: dir, now: remove });
  try {
    git(repo, ['worktree', 'add', '--detach', dir, commit]);
  } catch (error) {
    remove();
    forget();
    throw new WorktreeError(`cannot check out ${commit} into a worktree: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    dir,
    remove: () => {
      remove();
      forget();
    },
  };
}
