import { spawn, type ChildProcess } from 'node:child_process';
import { STOP_GRACE_MS } from '../config/defaults.js';
import { groupMembers } from './procfs.js';

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

// Every live group started here, so that a crash or a signal can still end them.
const liveGroups = new Set<number>();
let handlersInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGKILLs every group still alive; synchronous, for exit paths. */
export function killAllGroups(): void {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

/** Number of groups started here and not yet stopped (for tests and checks). */
export function liveGroupCount(): number {
  return liveGroups.size;
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllGroups);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      killAllGroups();
      process.exit(code);
    });
  }
}

class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(private readonly keep: number) {}
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line.slice(0, 500));
      if (this.lines.length > this.keep) this.lines.shift();
    }
  }
  text(n: number): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n).join('\n');
  }
}

/** Starts `command` through /bin/sh as the leader of a new process group. */
export function spawnGroup(command: string, options: SpawnOptions): GroupProcess & { readonly child: ChildProcess } {
  installHandlers();
  // No `exec`: the command may be a compound one (`a && b`); the group holds it all anyway.
  const [file, args] = options.cpus ? ['taskset', ['-c', options.cpus, '/bin/sh', '-c', command]] : ['/bin/sh', ['-c', command]];
  const stdio: ('ignore' | 'pipe' | 'ipc')[] = ['ignore', 'pipe', 'pipe'];
  if (options.ipc) stdio.push('ipc');
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio,
    serialization: options.serialization,
  });
  const tail = new OutputTail(200);
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));
  const pid = child.pid;
  let info: ExitInfo | undefined;
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
        lastOutput: (n = 20) => tail.text(n),
        stop: async () => {},
      },
      { child },
    );
  }
  liveGroups.add(pid);

  const group = new Set([pid]);
  const groupAlive = (): boolean => !info || groupMembers(group).length > 0;

  async function stop(graceMs = STOP_GRACE_MS): Promise<void> {
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
      liveGroups.delete(pid!);
    }
  }

  return { label: options.label, pid, exited, exitInfo: () => info, lastOutput: (n = 20) => tail.text(n), stop, child };
}

/** Human form of an exit: "exit code 1" or "signal SIGKILL". */
export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}
