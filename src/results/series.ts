/**
 * Time series of a trial, second by second: what the load generator saw (requests, failures,
 * latency percentiles of that second) beside what the runner read of the server (its CPU and
 * memory) and of the load generator's own CPU. Columns of equal length keep results.json small.
 */
import type { LoadSample } from '../load/types.js';
import { decodeHistogram } from '../stats/histogram.js';
import { round } from '../stats/percentiles.js';

/** What the runner read of the server's process groups over one second of a trial. */
export interface ServerSecond {
  /** CPU of the process tree in this second, ms; null when unknown. */
  readonly cpuMs: number | null;
  readonly rssBytes: number | null;
  /** Length of this second's window, ms (the last one of a trial may be shorter). */
  readonly ms: number;
}

/** A trial second by second; every column has one entry per second of load. */
export interface TrialSeries {
  /** Responses completed in each second. */
  readonly requests: readonly number[];
  readonly non2xx: readonly number[];
  /** Connection errors and timeouts. */
  readonly errors: readonly number[];
  /** Latency percentiles of the second's responses, ms; null for a second without one. */
  readonly p50: readonly (number | null)[];
  readonly p90: readonly (number | null)[];
  readonly p99: readonly (number | null)[];
  /** Server CPU as a share of its cores (1 = all of them busy). */
  readonly serverCpu: readonly (number | null)[];
  readonly rssMb: readonly (number | null)[];
  /** The load generator's CPU as a share of one core. */
  readonly loadgenCpu: readonly (number | null)[];
}

/** The series of one trial from the generator's seconds and the server's (pure). */
export function trialSeries(sample: LoadSample, server: readonly ServerSecond[], serverCores: number): TrialSeries {
  const n = sample.seconds.length;
  const windowMs = (i: number): number => (i < n - 1 ? 1000 : Math.max(1, sample.elapsedMs - 1000 * (n - 1)));
  const percentiles = sample.seconds.map((s) => {
    if (!s.histogram) return null;
    const h = decodeHistogram(s.histogram);
    return [50, 90, 99].map((p) => round(h.getValueAtPercentile(p) / 1000));
  });
  const at = (i: number): ServerSecond | undefined => server[i];
  return {
    requests: sample.seconds.map((s) => s.responses),
    non2xx: sample.seconds.map((s) => s.non2xx),
    errors: sample.seconds.map((s) => s.errors),
    p50: percentiles.map((p) => p?.[0] ?? null),
    p90: percentiles.map((p) => p?.[1] ?? null),
    p99: percentiles.map((p) => p?.[2] ?? null),
    serverCpu: sample.seconds.map((_, i) => {
      const s = at(i);
      return s?.cpuMs == null ? null : round(s.cpuMs / (s.ms * Math.max(1, serverCores)), 3);
    }),
    rssMb: sample.seconds.map((_, i) => {
      const rss = at(i)?.rssBytes;
      return rss == null ? null : round(rss / (1024 * 1024), 1);
    }),
    loadgenCpu: sample.seconds.map((s, i) => (s.loadgenCpuMs === null ? null : round(s.loadgenCpuMs / windowMs(i), 3))),
  };
}

/** Series of several parts laid end to end (slices of one trial, trials of a cell). */
export function concatSeries(parts: readonly TrialSeries[]): TrialSeries {
  const cat = <K extends keyof TrialSeries>(k: K): TrialSeries[K] => parts.flatMap((p) => p[k] as readonly unknown[]) as unknown as TrialSeries[K];
  return {
    requests: cat('requests'),
    non2xx: cat('non2xx'),
    errors: cat('errors'),
    p50: cat('p50'),
    p90: cat('p90'),
    p99: cat('p99'),
    serverCpu: cat('serverCpu'),
    rssMb: cat('rssMb'),
    loadgenCpu: cat('loadgenCpu'),
  };
}
