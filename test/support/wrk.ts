import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What wrk reports of a run. */
export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly requests: number;
  readonly socketErrors: number;
  readonly non2xx: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

/** Parses wrk's text output (run with --latency) (pure). */
export function parseWrkOutput(text: string): WrkResult {
  const rps = /Requests\/sec:\s+([0-9.]+)/.exec(text);
  const p50 = /^\s*50%\s+([0-9.]+)(us|ms|s|m)\s*$/m.exec(text);
  const requests = /([0-9]+) requests in/.exec(text);
  const errors = /Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: ([0-9]+)/.exec(text);
  if (!rps || !p50 || !requests) throw new Error(`unexpected wrk output:\n${text}`);
  return {
    rps: Number(rps[1]),
    p50Ms: toMs(p50[1], p50[2]),
    requests: Number(requests[1]),
    socketErrors: errors ? errors.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
  };
}

/** Lua for wrk that cycles through `paths`, one per request, like the project's mix. */
export function mixScript(paths: readonly string[]): string {
  return [
    `local paths = {${paths.map((p) => JSON.stringify(p)).join(', ')}}`,
    'local i = 0',
    'request = function()',
    '  i = i % #paths + 1',
    '  return wrk.format("GET", paths[i])',
    'end',
    '',
  ].join('\n');
}

/** Runs wrk (the reference load generator) with one thread against `base` + paths. */
export async function runWrk(base: string, paths: readonly string[], connections: number, durationSec: number, cpus?: string, threads = 1): Promise<WrkResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flask-perf-wrk-'));
  const script = path.join(dir, 'mix.lua');
  writeFileSync(script, mixScript(paths));
  const args = [`-t${threads}`, `-c${connections}`, `-d${durationSec}s`, '--latency', '-s', script, base];
  const [file, argv] = cpus ? ['taskset', ['-c', cpus, 'wrk', ...args]] : ['wrk', args];
  try {
    return await new Promise<WrkResult>((resolve, reject) => {
      execFile(file, argv, { timeout: (durationSec + 30) * 1000 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`wrk failed: ${error.message} ${stderr}`));
        try {
          resolve(parseWrkOutput(stdout));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
