import { childEnv, redact } from '../topology/env.js';
import { spawnGroup, describeExit } from '../topology/process.js';
import type { AppConfig } from '../config/types.js';

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
