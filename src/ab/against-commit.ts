import path from 'node:path';
import type { Settings } from '../config/types.js';
import { runAb, type AbOptions, type AbOutcome } from './run.js';
import { addWorktree } from '../git/worktree.js';

/** The head's settings pointed at the base worktree: same config, the base's files. */
export function settingsForBase(head: Settings, workspace: string, worktree: string): Settings {
  const move = (p: string): string => {
    const rel = path.relative(workspace, p);
    return rel.startsWith('..') || path.isAbsolute(rel) ? p : path.join(worktree, rel);
  };
  return { ...head, app: { ...head.app, workdir: move(head.app.workdir), python: path.isAbsolute(head.app.python) ? move(head.app.python) : head.app.python } };
}

/**
 * `compare: base` for the action and the CLI alike: `commit` of the repository at `workspace`
 * goes in a temporary worktree (removed afterwards, whatever happens), and base and head are
 * measured interleaved under the head's settings.
 */
export async function runAgainstCommit(head: Settings, workspace: string, commit: string, options: AbOptions & { onWorktree?: (dir: string) => void }): Promise<AbOutcome> {
  const worktree = addWorktree(workspace, commit);
  try {
    options.onWorktree?.(worktree.dir);
    return await runAb(head, settingsForBase(head, workspace, worktree.dir), options);
  } finally {
    worktree.remove();
  }
}
