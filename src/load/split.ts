/**
 * Several load generator processes as one (pure): a job cut into shares, one per process, and their
 * samples added back together exactly — counts summed, histograms added, second by second. The
 * generator's CPU is the busiest process's: saturation is about the one that runs out of core.
 */
import { encodeHistogram, mergeHistograms } from '../stats/histogram.js';
import type { EndpointSample, LoadJob, LoadSample, SecondSample } from './types.js';

/** `total` cut into `n` integer parts as equal as can be, larger first: 64 over 3 → 22, 21, 21. */
export function shares(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => base + (i < total % n ? 1 : 0));
}

/**
 * The job of each of `n` processes: connections (closed model) and rate (open model) cut into
 * shares; a process left with no connection at all is dropped. One process gets the job as it is.
 */
export function splitJob(job: LoadJob, n: number): LoadJob[] {
  if (n <= 1) return [job];
  const connections = job.stages.map((s) => (s.connections === undefined ? null : shares(s.connections, n)));
  const maxConnections = shares(job.maxConnections, n);
  const jobs = Array.from({ length: n }, (_, i): LoadJob => ({
    ...job,
    maxConnections: Math.max(1, maxConnections[i]),
    stages: job.stages.map((s, k) => ({
      ...s,
      ...(connections[k] ? { connections: connections[k][i] } : {}),
      ...(s.rate !== undefined ? { rate: s.rate / n } : {}),
    })),
  }));
  // A process with no connections in any closed stage and no open stage would only idle.
  return jobs.filter((j) => j.stages.some((s) => s.rate !== undefined || (s.connections ?? 0) > 0));
}

function addCounts(target: Record<string, number>, source: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
}

/** One endpoint's samples as one: counts add up, histograms merge (pure). */
export function mergeEndpoints(parts: readonly EndpointSample[]): EndpointSample {
  const statuses: Record<string, number> = {};
  for (const p of parts) addCounts(statuses, p.statuses);
  return {
    histogram: encodeHistogram(mergeHistograms(parts.map((p) => p.histogram))),
    responses: parts.reduce((n, p) => n + p.responses, 0),
    statuses,
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    timeouts: parts.reduce((n, p) => n + p.timeouts, 0),
  };
}

function mergeSeconds(parts: readonly (SecondSample | undefined)[]): SecondSample {
  const present = parts.filter((p): p is SecondSample => p !== undefined);
  const histograms = present.flatMap((p) => (p.histogram ? [p.histogram] : []));
  const cpu = present.flatMap((p) => (p.loadgenCpuMs === null ? [] : [p.loadgenCpuMs]));
  const sum = (f: (s: SecondSample) => number): number => present.reduce((n, s) => n + f(s), 0);
  return {
    responses: sum((s) => s.responses),
    non2xx: sum((s) => s.non2xx),
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    sent: sum((s) => s.sent),
    histogram: histograms.length === 0 ? null : histograms.length === 1 ? histograms[0] : encodeHistogram(mergeHistograms(histograms)),
    loadgenCpuMs: cpu.length ? Math.max(...cpu) : null,
  };
}

/** The samples of processes that ran their shares of one job at once, as one sample. */
export function mergeSamples(samples: readonly LoadSample[]): LoadSample {
  if (samples.length === 1) return samples[0];
  const errorCodes: Record<string, number> = {};
  for (const s of samples) addCounts(errorCodes, s.errorCodes);
  const secondCount = Math.max(...samples.map((s) => s.seconds.length));
  return {
    elapsedMs: Math.max(...samples.map((s) => s.elapsedMs)),
    endpoints: samples[0].endpoints.map((_, i) => mergeEndpoints(samples.map((s) => s.endpoints[i]))),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    timeouts: samples.reduce((n, s) => n + s.timeouts, 0),
    errorCodes,
    loadgenCpuMs: Math.max(...samples.map((s) => s.loadgenCpuMs)),
    seconds: Array.from({ length: secondCount }, (_, i) => mergeSeconds(samples.map((s) => s.seconds[i]))),
    backlog: samples.reduce((n, s) => n + s.backlog, 0),
    generators: samples.reduce((n, s) => n + (s.generators ?? 1), 0),
    ...(samples.some((s) => s.scheduled) ? { scheduled: samples.reduce((n, s) => n + (s.scheduled ?? 0), 0) } : {}),
    ...(samples.some((s) => s.lateMs) ? { lateMs: mergeLate(samples.flatMap((s) => (s.lateMs ? [s.lateMs] : []))) } : {}),
  };
}

/** Lateness of several processes: the worst p99 stands for all (each kept its own schedule), the worst max, the requests added. */
function mergeLate(parts: readonly NonNullable<LoadSample['lateMs']>[]): NonNullable<LoadSample['lateMs']> {
  return { p99: Math.max(...parts.map((p) => p.p99)), max: Math.max(...parts.map((p) => p.max)), requests: parts.reduce((n, p) => n + p.requests, 0) };
}
