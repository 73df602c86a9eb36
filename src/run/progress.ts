import type { TopologyResult } from '../results/types.js';

/** Where the runner reports what it is doing. */
export interface Progress {
  /** A message outside any cell (build, placement). */
  note(message: string): void;
  cellStart(name: string, index: number, count: number): void;
  /** A phase of a cell; `expectedMs` lets a bar advance with time. */
  phase(name: string, text: string, expectedMs?: number): void;
  cellEnd(result: TopologyResult): void;
  /** Stops timers; called once at the end. */
  close(): void;
}

/** Progress that says nothing (tests, library use). */
export const silentProgress: Progress = {
  note: () => {},
  cellStart: () => {},
  phase: () => {},
  cellEnd: () => {},
  close: () => {},
};

function cellSummary(result: TopologyResult): string {
  if (!result.ok) return `${result.name}: FAILED — ${(result.error ?? '').split('\n')[0]}`;
  // A start and warm-up measures nothing (compare: base's first start of each topology).
  if (result.trials.length === 0) return `${result.name}: up`;
  const warn = result.warnings.length ? ` (${result.warnings.length} warning${result.warnings.length > 1 ? 's' : ''})` : '';
  return `${result.name}: ${result.rps.toFixed(1)} req/s, p99 ${result.latencyMs.p99.toFixed(1)} ms, ${result.failuresPerSec.toFixed(2)} failures/s${warn}`;
}

/** Plain lines, one per phase: for CI logs. */
export function lineProgress(write: (line: string) => void): Progress {
  let position = '';
  return {
    note: (m) => write(m),
    cellStart: (name, index, count) => {
      position = `[${index + 1}/${count}]`;
      write(`${position} ${name}`);
    },
    phase: (name, text) => write(`${position} ${name}: ${text}`),
    cellEnd: (result) => {
      write(`${position} ${cellSummary(result)}`);
      for (const w of result.warnings) write(`${position}   warning: ${w.message}`);
    },
    close: () => {},
  };
}

/** One line redrawn in place with a bar that advances with the phase's expected time: for terminals. */
export function barProgress(stream: NodeJS.WriteStream): Progress {
  let position = '';
  let phaseText = '';
  let phaseStart = 0;
  let phaseMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const width = 24;
  const draw = (): void => {
    const fraction = phaseMs > 0 ? Math.min(1, (Date.now() - phaseStart) / phaseMs) : 0;
    const filled = Math.round(fraction * width);
    const bar = phaseMs > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '';
    stream.write(`\r\x1b[2K${position} ${phaseText}${bar}`);
  };
  return {
    note: (m) => stream.write(`\r\x1b[2K${m}\n`),
    cellStart: (name, index, count) => {
      position = `[${index + 1}/${count}]`;
      phaseText = name;
      phaseMs = 0;
      timer ??= setInterval(draw, 200);
      draw();
    },
    phase: (name, text, expectedMs = 0) => {
      phaseText = `${name}: ${text}`;
      phaseStart = Date.now();
      phaseMs = expectedMs;
      draw();
    },
    cellEnd: (result) => {
      stream.write(`\r\x1b[2K${position} ${cellSummary(result)}\n`);
      for (const w of result.warnings) stream.write(`${position}   warning: ${w.message}\n`);
      phaseMs = 0;
      phaseText = '';
    },
    close: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
