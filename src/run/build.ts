import { existsSync } from 'node:fs';
import { childEnv, redact } from '../topology/env.js';
import { spawnGroup, describeExit } from '../topology/process.js';
import type { AppConfig, Config } from '../config/types.js';

/** The app's build step failed; the message holds its exit and last output. */
export class BuildError extends Error {
  override name = 'BuildError';
}

/** Runs `app.build` once in the workdir, streaming its output to `log`. */
export async function runBuild(app: AppConfig, log: (line: string) => void): Promise<void> {
  if (!app.build.trim()) return;
  log(`build: ${app.build}`);
  const proc = spawnGroup(app.build, { label: 'build', cwd: app.workdir, env: childEnv(process.env, app.passEnv, app.env) });
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(`build: ${redact(line.slice(0, 2000))}`);
  };
  proc.child.stdout?.on('data', forward);
  proc.child.stderr?.on('data', forward);
  const exit = await proc.exited;
  await proc.stop(500);
  if (exit.code !== 0) {
    throw new BuildError(`app.build failed with ${describeExit(exit)} in ${app.workdir}:\n${proc.lastOutput(20)}`);
  }
}

/**
 * The base's config with its interpreter (compare: base; pure but for `exists`): the worktree's
 * own when it has one (committed, or made by app.build), else the head's. A virtualenv is the
 * runner's, not the commit's: a worktree has none, and every base cell then failed with exit 127.
 */
export function baseInterpreter(base: Config, head: Config, exists: (p: string) => boolean = existsSync): { config: Config; note: string | null } {
  const own = base.app.python;
  if (own === head.app.python || exists(own) || !exists(head.app.python)) return { config: base, note: null };
  return {
    config: { ...base, app: { ...base.app, python: head.app.python } },
    note: `base: ${own} is not in the base's worktree (not committed, and app.build did not make it): the base runs on ${head.app.python}`,
  };
}
