import { describe, expect, it } from 'vitest';
import { aggregateCell, summarizeTrial, type MeasuredTrial } from '../../src/results/aggregate.js';
import { encodeHistogram, newLatencyHistogram, recordMs } from '../../src/stats/histogram.js';

/** An encoded histogram of `ms` values. */
function histogramOf(ms: readonly number[]): string {
  const h = newLatencyHistogram();
  for (const v of ms) recordMs(h, v);
  return encodeHistogram(h);
}

function trial(
  latencies: number[][],
  statuses: Record<string, number>[],
  extra: Partial<MeasuredTrial['sample']> = {},
  serverCpuMs: number | null = 500,
): MeasuredTrial {
  return {
    sample: {
      elapsedMs: 2000,
      endpoints: latencies.map((l, i) => ({ histogram: histogramOf(l), responses: l.length, statuses: statuses[i], bytes: l.length * 100, timeouts: 0 })),
      errors: 0,
      timeouts: 0,
      errorCodes: {},
      loadgenCpuMs: 400,
      seconds: [],
      backlog: 0,
      ...extra,
    },
    serverCpuMs,
    timeWait: 10,
  };
}

describe('aggregation', () => {
  const endpoints = [
    { method: 'GET' as const, path: '/', headers: {}, body: '', weight: 1 },
    { method: 'GET' as const, path: '/x', headers: {}, body: '', weight: 1 },
  ];
  const facts = {
    name: 't',
    kind: 'flask' as const,
    endpoints,
    error: null,
    peakRssBytes: 50 * 1024 * 1024,
    workers: null,
    instances: null,
    ephemeralPorts: 28232 * 8,
    sourceAddresses: 8,
    maxConnections: 1000,
  };

  it('sums trials and splits by endpoint', () => {
    const a = trial([[1, 2, 3], [4]], [{ '200': 3 }, { '500': 1 }], { errors: 2 });
    const b = trial([[5], [6, 7]], [{ '200': 1 }, { '200': 2 }]);
    const r = aggregateCell([a, b], facts);
    expect(r.totalRequests).toBe(7);
    expect(r.rps).toBe(1.75); // 7 responses over 4 s
    expect(r.failuresPerSec).toBe(0.75); // 2 errors + 1 non-2xx over 4 s
    expect(r.cpuMsPer1kRequests).toBe(142857.14); // 1000 ms over 7 responses
    expect(r.peakRssMb).toBe(50);
    expect(r.trials.map((t) => t.requests)).toEqual([4, 3]);
    expect(r.trials[0].failures).toBe(3);
    expect(r.trials[0].loadgenCpu).toBe(0.2);
    expect(r.endpoints.map((e) => [e.path, e.totalRequests, e.failuresPerSec])).toEqual([
      ['/', 4, 0],
      ['/x', 3, 0.25],
    ]);
    expect(r.latencyMs).toEqual({ p50: 4, p90: 7, p99: 7, max: 7 });
    expect(r.warnings).toEqual([{ code: 'endpoint-non-2xx', message: 'GET /x: 33% of responses were not 2xx (500 × 1)' }]);
  });

  it('warns when the load generator is saturated or ports run out', () => {
    const busy = trial([[1]], [{ '200': 1 }], { loadgenCpuMs: 1900, errorCodes: { EADDRNOTAVAIL: 5, ECONNRESET: 2 } });
    const r = aggregateCell([{ ...busy, timeWait: 20_000 }], { ...facts, endpoints: [endpoints[0]] });
    expect(r.warnings.map((w) => w.code)).toEqual(['loadgen-saturated', 'ephemeral-ports', 'connection-errors']);
    expect(r.warnings[0].message).toBe('load generator used 95% of a core: the server may be faster than measured');
    expect(r.warnings[1].message).toMatch(/^20,000 sockets in TIME_WAIT .*5 connects failed with EADDRNOTAVAIL/);
    expect(r.warnings[2].message).toBe('requests without a response: ECONNRESET × 2');
  });

  it('a failed cell has no numbers but keeps its error', () => {
    const r = aggregateCell([], { ...facts, error: 'server exited with exit code 3' });
    expect(r).toMatchObject({ ok: false, error: 'server exited with exit code 3', totalRequests: 0, rps: 0, cpuMsPer1kRequests: null, endpoints: [] });
  });

  it('trial summary rounds', () => {
    expect(summarizeTrial(trial([[1, 2]], [{ '200': 2 }])).rps).toBe(1);
  });
});
