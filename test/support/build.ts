/** Builders of results documents for tests that judge or render without measuring. */
import type { CalibrationResult, Fingerprint, Results, TopologyResult, TrialResult } from '../../src/results/types.js';
import { encodeHistogram, newLatencyHistogram, recordMs } from '../../src/stats/histogram.js';

/** An encoded latency histogram of `ms` values. */
export function histogramOf(ms: readonly number[]): string {
  const h = newLatencyHistogram();
  for (const v of ms) recordMs(h, v);
  return encodeHistogram(h);
}

/** One trial of `seconds` at `rps`, with CPU ms per 1k requests and a p99. */
export function trial(rps: number, cpu: number | null = 700, p99 = 50, seconds = 5): TrialResult {
  return {
    durationSec: seconds,
    requests: Math.round(rps * seconds),
    rps,
    failures: 0,
    failuresPerSec: 0,
    latencyMs: { p50: p99 / 5, p90: p99 / 2, p99, max: p99 * 1.5 },
    bytesPerSec: 1000,
    cpuMsPer1kRequests: cpu,
    loadgenCpu: 0.3,
  };
}

/** A cell of these trials; counts and means follow from them. */
export function cell(name: string, trials: readonly TrialResult[], calibration?: CalibrationResult | null): TopologyResult {
  const seconds = trials.reduce((s, t) => s + t.durationSec, 0);
  const requests = trials.reduce((n, t) => n + t.requests, 0);
  const cpu = trials.every((t) => t.cpuMsPer1kRequests !== null)
    ? trials.reduce((s, t) => s + (t.cpuMsPer1kRequests ?? 0) * t.requests, 0) / Math.max(1, requests)
    : null;
  return {
    name,
    kind: 'gunicorn',
    ok: true,
    error: null,
    totalRequests: requests,
    rps: seconds > 0 ? requests / seconds : 0,
    failuresPerSec: 0,
    latencyMs: trials[0]?.latencyMs ?? { p50: 0, p90: 0, p99: 0, max: 0 },
    bytesPerSec: 1000,
    cpuMsPer1kRequests: cpu,
    peakRssMb: 40,
    workers: 3,
    instances: null,
    trials: [...trials],
    endpoints: [],
    warnings: [],
    peakTimeWait: 0,
    ...(calibration !== undefined ? { calibration } : {}),
  };
}

/** The reference app's trials beside a cell's (calibrated by turns, or after the cell). */
export function calibration(rps: readonly number[], interleaved = true): CalibrationResult {
  return {
    interleaved,
    rps: rps.reduce((a, b) => a + b, 0) / rps.length,
    cpuMsPer1kRequests: null,
    trials: rps.map((r) => ({ rps: r, cpuMsPer1kRequests: 1e5 / r })),
  };
}

/** A fingerprint of a pinned 2-core machine with this CPU model. */
export function environment(cpuModel = 'test CPU'): Fingerprint {
  return {
    cpuModel,
    cores: 2,
    os: 'Linux',
    node: 'v20',
    python: '3.11',
    flask: '3.1',
    gunicorn: '23',
    placement: { pinned: true, loadgenCpus: '0', serverCpus: '1', serverCores: 1, reason: 'pinned' },
  };
}

/** A results document of these cells. */
export function results(topologies: readonly TopologyResult[], cpuModel = 'test CPU'): Results {
  return {
    schemaVersion: 2,
    tool: { name: 'flask-perf', version: 'test' },
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:01:00.000Z',
    load: { connections: 8, warmupSec: 1, durationSec: topologies[0]?.trials[0]?.durationSec ?? 5, trials: topologies[0]?.trials.length ?? 1, timeoutSec: 10 },
    environment: environment(cpuModel),
    topologies: [...topologies],
  };
}
