/**
 * Everything a run leaves on the machine until it is undone — process groups, git worktrees,
 * temp folders — is registered here, so that a signal or a crash undoes it too. On SIGINT,
 * SIGTERM or SIGHUP the handler stops taking new work, awaits every undo (bounded by a deadline)
 * and only then exits; on `exit` (a crash) what is left is undone synchronously.
 */

/** Order of undoing: processes first (they hold files), then worktrees, then folders. */
export type CleanupPhase = 'process' | 'worktree' | 'folder';
const ORDER: readonly CleanupPhase[] = ['process', 'worktree', 'folder'];

export interface CleanupTask {
  readonly phase: CleanupPhase;
  readonly label: string;
  /** Undoes it at once; used on `exit`, and when there is no graceful way. Never throws. */
  readonly now: () => void;
  /** Undoes it gracefully (e.g. SIGTERM, then SIGKILL after a grace period). Never rejects. */
  readonly gracefully?: () => Promise<void>;
}

/** Exit codes on a signal: 128 + its number, as shells report them. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

/** How long the signal path waits for graceful undoing before it does the rest at once. */
export const CLEANUP_DEADLINE_MS = 10_000;

const tasks = new Map<number, CleanupTask>();
let nextId = 1;
let received: HandledSignal | null = null;
let installed = false;

/** Work started after a signal: refused, so nothing new is left behind. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** The signal being handled, or null while the run goes on. */
export function interruption(): HandledSignal | null {
  return received;
}

/**
 * After a signal, the run's own flow must not write or print anything more: what it holds is
 * half a cell. Resolves at once while the run goes on; never resolves after a signal (the
 * handler exits the process once everything is undone).
 */
export function haltIfInterrupted(): Promise<void> {
  return received ? new Promise<void>(() => undefined) : Promise.resolve();
}

/** Throws InterruptedError once a signal has been received. */
export function throwIfInterrupted(what: string): void {
  if (received) throw new InterruptedError(`${what}: interrupted by ${received}`);
}

/** Registers something to undo; returns the function that unregisters it (after undoing it yourself). */
export function onCleanup(task: CleanupTask): () => void {
  installSignalHandlers();
  const id = nextId++;
  tasks.set(id, task);
  return () => void tasks.delete(id);
}

/** Number of registered tasks of a phase (for checks and tests). */
export function pendingCleanups(phase: CleanupPhase): number {
  return [...tasks.values()].filter((t) => t.phase === phase).length;
}

function undoNow(task: CleanupTask): void {
  try {
    task.now();
  } catch {
    // undoing never throws
  }
}

/** Undoes every registered task, phase by phase, gracefully within `deadlineMs`, then at once. */
export async function cleanupAll(deadlineMs = CLEANUP_DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (const phase of ORDER) {
    const entries = [...tasks.entries()].filter(([, t]) => t.phase === phase);
    const left = Math.max(0, deadline - Date.now());
    await Promise.race([
      Promise.all(entries.map(([, t]) => (t.gracefully ? t.gracefully().catch(() => undefined) : Promise.resolve(undoNow(t))))),
      new Promise((resolve) => setTimeout(resolve, left).unref()),
    ]);
    for (const [id, t] of entries) {
      if (tasks.has(id)) undoNow(t);
      tasks.delete(id);
    }
  }
}

function cleanupAllNow(): void {
  for (const phase of ORDER) {
    for (const [id, t] of [...tasks.entries()].filter(([, x]) => x.phase === phase)) {
      undoNow(t);
      tasks.delete(id);
    }
  }
}

/** Installs the exit and signal handlers once (idempotent). */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupAllNow);
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]) {
    process.on(signal, () => {
      if (received) {
        // A second signal: no more waiting.
        cleanupAllNow();
        process.exit(SIGNAL_EXIT_CODES[signal]);
      }
      received = signal;
      void cleanupAll().finally(() => process.exit(SIGNAL_EXIT_CODES[signal]));
    });
  }
}
