import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { STOP_GRACE_MS } from '../config/defaults.js';
import { onCleanup, pendingCleanups, throwIfInterrupted } from './cleanup.js';
import { redact } from './env.js';
import { GROUP_MARK, groupMembers, markGroup, unmarkGroup } from './procfs.js';

/** How a process ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A server process, leader of its own process group. */
export interface GroupProcess {
  readonly label: string;
  /** Process id, which is also the id of its process group. */
  readonly pid: number;
  /** Settles when the leader exits (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** Set once the leader has exited. */
  exitInfo(): ExitInfo | undefined;
  /**
   * Settles when its output has been read to the end, or after `maxMs`: an exit can be seen before
   * the last lines arrive, and those lines are what says why.
   */
  outputRead(maxMs?: number): Promise<void>;
  /** Last lines of its stdout and stderr. */
  lastOutput(lines?: number): string;
  /** SIGTERM to the group, SIGKILL after the grace period; never throws. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly label: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** CPU list for taskset; undefined to leave placement to the kernel. */
  readonly cpus?: string;
  /** Extra stdio entry, e.g. 'ipc' for a Node child. */
  readonly ipc?: boolean;
  readonly serialization?: 'json' | 'advanced';
}

function kill(id: number, signal: NodeJS.Signals): void {
  try {
    process.kill(id, signal);
  } catch {
    // already gone
  }
}

/** Signals the group, and each process that left it but carries its mark (procfs.ts GROUP_MARK). */
function killGroup(pgid: number, signal: NodeJS.Signals): void {
  kill(-pgid, signal);
  for (const member of groupMembers(new Set([pgid]))) if (member.pgrp !== pgid) kill(member.pid, signal);
}

/** Number of groups started here and not yet stopped (for tests and checks). */
export function liveGroupCount(): number {
  return pendingCleanups('process');
}

/** Longest line kept of a process's output, the unfinished last line included. */
export const MAX_LINE_CHARS = 500;

/** The last lines of a process's output, each cut to MAX_LINE_CHARS, known secrets redacted. */
class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(private readonly keep: number) {}
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    // A line that never ends (3 MB without a newline) must not grow without bound.
    this.partial = (parts.pop() ?? '').slice(0, MAX_LINE_CHARS * 4);
    for (const line of parts) {
      this.lines.push(line.slice(0, MAX_LINE_CHARS));
      if (this.lines.length > this.keep) this.lines.shift();
    }
  }
  text(n: number): string {
    const all = this.partial ? [...this.lines, this.partial.slice(0, MAX_LINE_CHARS)] : this.lines;
    return redact(all.slice(-n).join('\n'));
  }
}

/**
 * Starts `command` through /bin/sh as the leader of a new process group, its environment marked
 * so that what leaves the group is still found (procfs.ts GROUP_MARK).
 */
export function spawnGroup(command: string, options: SpawnOptions): GroupProcess & { readonly child: ChildProcess } {
  throwIfInterrupted(options.label);
  // spawn reports a missing cwd as the program missing ("spawn taskset ENOENT"): say what is missing.
  let cwdOk = false;
  try {
    cwdOk = statSync(options.cwd).isDirectory();
  } catch {
    cwdOk = false;
  }
  if (!cwdOk) throw new Error(`${options.label}: the working directory ${options.cwd} does not exist`);
  // No `exec`: the command may be a compound one (`a && b`); the group holds it all anyway.
  const [file, args] = options.cpus ? ['taskset', ['-c', options.cpus, '/bin/sh', '-c', command]] : ['/bin/sh', ['-c', command]];
  const stdio: ('ignore' | 'pipe' | 'ipc')[] = ['ignore', 'pipe', 'pipe'];
  if (options.ipc) stdio.push('ipc');
  const mark = randomBytes(9).toString('base64url');
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...options.env, [GROUP_MARK]: mark },
    detached: true,
    stdio,
    serialization: options.serialization,
  });
  const tail = new OutputTail(200);
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));
  const pid = child.pid;
  let info: ExitInfo | undefined;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const outputRead = (maxMs = 500): Promise<void> => Promise.race([closed, new Promise<void>((r) => setTimeout(r, maxMs).unref())]);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (error) => {
      tail.push(Buffer.from(`${error.message}\n`));
      info = { code: 127, signal: null };
      resolve(info);
    });
    child.once('exit', (code, signal) => {
      info = { code, signal };
      resolve(info);
    });
  });
  if (pid === undefined) {
    return Object.assign(
      {
        label: options.label,
        pid: -1,
        exited,
        exitInfo: () => info,
        outputRead,
        lastOutput: (n = 20) => tail.text(n),
        stop: async () => {},
      },
      { child },
    );
  }
  markGroup(pid, mark);
  const group = new Set([pid]);
  const groupAlive = (): boolean => !info || groupMembers(group).length > 0;
  let stopping: Promise<void> | undefined;
  const unregister = onCleanup({ phase: 'process', label: options.label, now: () => killGroup(pid, 'SIGKILL'), gracefully: () => stop() });

  function stop(graceMs = STOP_GRACE_MS): Promise<void> {
    stopping ??= stopGroup(graceMs);
    return stopping;
  }

  async function stopGroup(graceMs: number): Promise<void> {
    try {
      killGroup(pid!, 'SIGTERM');
      // Workers may outlive their master: wait for the whole group, then SIGKILL what is left.
      const deadline = Date.now() + graceMs;
      while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (groupAlive()) killGroup(pid!, 'SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 1000).unref())]);
    } catch {
      // cleanup never throws
    } finally {
      unmarkGroup(pid!);
      unregister();
    }
  }

  return { label: options.label, pid, exited, exitInfo: () => info, outputRead, lastOutput: (n = 20) => tail.text(n), stop, child };
}

/** Human form of an exit: "exit code 1" or "signal SIGKILL". */
export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}
