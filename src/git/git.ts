import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from '../topology/cleanup.js';
import { MAX_DOCUMENT_BYTES } from '../results/io.js';

/** Runs git in `repo` and returns its output, trimmed; throws with git's message. */
export function git(repo: string, args: readonly string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: MAX_DOCUMENT_BYTES + 1024 }).trim();
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

function hasCommit(repo: string, commit: string): boolean {
  try {
    git(repo, ['cat-file', '-e', `${commit}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `commit` is in the checkout, fetching it alone when the checkout is shallow (as
 * actions/checkout leaves it). Returns why it cannot be had, or null when it is there.
 */
export function ensureCommit(repo: string, commit: string): string | null {
  if (hasCommit(repo, commit)) return null;
  try {
    git(repo, ['fetch', '--no-tags', '--depth=1', 'origin', commit]);
  } catch (error) {
    return (error as Error).message.split('\n').find((l) => l.trim() && !l.startsWith('Command failed')) ?? 'git fetch failed';
  }
  return hasCommit(repo, commit) ? null : 'the fetch did not bring it';
}

/** What a path holds at a commit. */
export type PathAtCommit = { readonly kind: 'file'; readonly text: string } | { readonly kind: 'missing' } | { readonly kind: 'other'; readonly what: string };

/**
 * The content of `relPath` (POSIX, relative to the repository root) at `commit`, read without a
 * checkout; a symlink, folder or submodule there is named, never followed; a file larger than a
 * results document can be is refused.
 */
export function fileAtCommit(repo: string, commit: string, relPath: string): PathAtCommit {
  const entry = git(repo, ['ls-tree', '-z', '--long', commit, '--', relPath]).split('\0')[0];
  if (!entry) return { kind: 'missing' };
  // "<mode> <type> <object> <size>\t<path>"
  const [meta] = entry.split('\t');
  const [mode, type, object, size] = meta.split(/\s+/);
  if (mode === '120000') return { kind: 'other', what: 'a symbolic link' };
  if (type === 'tree') return { kind: 'other', what: 'a directory' };
  if (type !== 'blob') return { kind: 'other', what: `a ${type}` };
  if (Number(size) > MAX_DOCUMENT_BYTES) return { kind: 'other', what: `larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB` };
  return { kind: 'file', text: git(repo, ['cat-file', 'blob', object]) };
}

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
  if (missing)
    throw new WorktreeError(
      `cannot fetch the PR's base commit ${commit} (${missing}); use actions/checkout with fetch-depth: 0, or a token that can read the repository`,
    );
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
