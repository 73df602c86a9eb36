import { encodeHistogram, mergeHistograms, summarizeHistogram } from '../stats/histogram.js';
import { median } from '../stats/describe.js';
import { round, type LatencySummary } from '../stats/percentiles.js';
import type { EndpointResult, TopologyResult } from './types.js';

/**
 * Latency of several parts: the percentiles of their merged histograms (exact), or — for parts
 * of older documents without histograms — the median of their percentiles, which is not.
 */
function mergedLatency(parts: readonly { latencyMs: LatencySummary; latencyHistogram?: string }[]): { latencyMs: LatencySummary; latencyHistogram?: string } {
  if (parts.length > 0 && parts.every((p) => p.latencyHistogram)) {
    const merged = mergeHistograms(parts.map((p) => p.latencyHistogram!));
    return { latencyMs: summarizeHistogram(merged), latencyHistogram: encodeHistogram(merged) };
  }
  return {
    latencyMs: {
      p50: median(parts.map((p) => p.latencyMs.p50)),
      p90: median(parts.map((p) => p.latencyMs.p90)),
      p99: median(parts.map((p) => p.latencyMs.p99)),
      max: Math.max(...parts.map((p) => p.latencyMs.max)),
    },
  };
}

/**
 * One result from several measurements of the same topology (A/B rounds, each a fresh start):
 * counts and rates over the total time, CPU per request over all requests, latency from the
 * merged histograms of every trial, every trial listed (pure).
 */
export function mergeMeasurements(parts: readonly TopologyResult[]): TopologyResult {
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  const failed = parts.find((p) => !p.ok);
  if (failed) return { ...failed, trials: parts.flatMap((p) => p.trials) };
  const trials = parts.flatMap((p) => p.trials);
  const seconds = trials.reduce((s, t) => s + t.durationSec, 0);
  const total = trials.reduce((n, t) => n + t.requests, 0);
  const failures = trials.reduce((n, t) => n + t.failures, 0);
  const cpuKnown = trials.every((t) => t.cpuMsPer1kRequests !== null);
  const cpuMs = trials.reduce((s, t) => s + ((t.cpuMsPer1kRequests ?? 0) * t.requests) / 1000, 0);
  const endpoints: EndpointResult[] = first.endpoints.map((e, i) => {
    const all = parts.map((p) => p.endpoints[i]).filter(Boolean);
    const statuses: Record<string, number> = {};
    for (const part of all) for (const [s, c] of Object.entries(part.statuses)) statuses[s] = (statuses[s] ?? 0) + c;
    const totalE = all.reduce((n, p) => n + p.totalRequests, 0);
    const failuresE = all.reduce((n, p) => n + Object.entries(p.statuses).reduce((m, [s, c]) => (s.startsWith('2') ? m : m + c), 0), 0);
    return {
      ...e,
      totalRequests: totalE,
      rps: round(totalE / seconds),
      failuresPerSec: round(failuresE / seconds),
      ...mergedLatency(all),
      bytesPerSec: Math.round(all.reduce((n, p) => n + p.bytesPerSec, 0) / all.length),
      statuses,
    };
  });
  return {
    ...first,
    totalRequests: total,
    rps: round(total / seconds),
    failuresPerSec: round(failures / seconds),
    latencyMs: mergedLatency(trials).latencyMs,
    bytesPerSec: Math.round(parts.reduce((n, p) => n + p.bytesPerSec, 0) / parts.length),
    cpuMsPer1kRequests: cpuKnown && total > 0 ? round((cpuMs / total) * 1000) : null,
    peakRssMb: Math.max(...parts.map((p) => p.peakRssMb ?? 0)) || null,
    trials,
    endpoints,
    warnings: parts.flatMap((p) => p.warnings).filter((w, i, all) => all.findIndex((x) => x.code === w.code) === i),
    peakTimeWait: Math.max(...parts.map((p) => p.peakTimeWait)),
    // A round whose warm-up grew the load generator says where it ran.
    ...(parts.some((p) => p.placement) ? { placement: parts.findLast((p) => p.placement)!.placement } : {}),
  };
}
