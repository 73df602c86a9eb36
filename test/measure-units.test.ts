import { describe, expect, it } from 'vitest';
import { weightedSequence } from '../src/load/mix.js';
import { countTimeWait, loopbackSources } from '../src/load/loopback.js';
import { aggregateCell, summarizeTrial, type MeasuredTrial } from '../src/results/aggregate.js';
import { encodeHistogram, mergeHistograms, newLatencyHistogram, percentileMs, recordMs, summarizeHistogram } from '../src/stats/histogram.js';
import { parseWrkOutput } from './support/wrk.js';

describe('traffic mix', () => {
  const cases = [
    { weights: [1, 1, 1], expected: [0, 1, 2] },
    { weights: [2, 1], expected: [0, 1, 0] },
    { weights: [4, 2], expected: [0, 1, 0] },
    { weights: [5], expected: [0] },
  ];
  for (const c of cases) it(`weights ${c.weights}`, () => expect(weightedSequence(c.weights)).toEqual(c.expected));
  it('honours weights exactly over one cycle', () => {
    const seq = weightedSequence([3, 5, 2]);
    expect([0, 1, 2].map((i) => seq.filter((x) => x === i).length)).toEqual([3, 5, 2]);
  });
});

/** An encoded histogram of `ms` values. */
function histogramOf(ms: readonly number[]): string {
  const h = newLatencyHistogram();
  for (const v of ms) recordMs(h, v);
  return encodeHistogram(h);
}

describe('latency histograms merge exactly', () => {
  it('percentiles of merged histograms are those of the pooled requests (to 0.1%)', () => {
    const a = Array.from({ length: 900 }, (_, i) => 1 + i / 100);
    const b = Array.from({ length: 100 }, (_, i) => 50 + i);
    const merged = mergeHistograms([histogramOf(a), histogramOf(b)]);
    const pooled = [...a, ...b].sort((x, y) => x - y);
    for (const p of [50, 90, 99]) {
      const exact = pooled[Math.ceil((p / 100) * pooled.length) - 1];
      expect(Math.abs(percentileMs(merged, p) - exact) / exact).toBeLessThan(0.002);
    }
    expect(merged.totalCount).toBe(1000);
    // The mean of the two parts' p99s (9.9 and 148) is not the p99 of their requests (139).
    expect(percentileMs(merged, 99)).toBeGreaterThan(130);
  });
  it('an empty histogram summarises to zeros', () => expect(summarizeHistogram(newLatencyHistogram())).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 }));
});

describe('loopback', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F90 0100007F:8AE2 06 00000000:00000000 03:00000F2A 00000000     0        0 0',
    '   1: 0100007F:8AE3 0100007F:1F90 06 00000000:00000000 03:00000F2A 00000000     0        0 0',
    '   2: 0100007F:1F90 0100007F:8AE4 01 00000000:00000000 00:00000000 00000000     0        0 1',
    '   3: 0100007F:1F91 0100007F:8AE5 06 00000000:00000000 03:00000F2A 00000000     0        0 0',
  ].join('\n');
  it('counts TIME_WAIT sockets on a port, either side', () => expect(countTimeWait([table], 0x1f90)).toBe(2));
  it('spreads over 127.0.0.x on Linux only', () => {
    expect(loopbackSources(3, 'linux')).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    expect(loopbackSources(3, 'darwin')).toEqual([]);
  });
});

function trial(latencies: number[][], statuses: Record<string, number>[], extra: Partial<MeasuredTrial['sample']> = {}, serverCpuMs: number | null = 500): MeasuredTrial {
  return {
    sample: {
      elapsedMs: 2000,
      endpoints: latencies.map((l, i) => ({ histogram: histogramOf(l), responses: l.length, statuses: statuses[i], bytes: l.length * 100 })),
      errors: 0,
      timeouts: 0,
      errorCodes: {},
      loadgenCpuMs: 400,
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
  const facts = { name: 't', kind: 'flask' as const, endpoints, error: null, peakRssBytes: 50 * 1024 * 1024, workers: null, instances: null, ephemeralPorts: 28232 * 8, sourceAddresses: 8 };

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
    expect(r.warnings).toEqual([]);
  });

  it('warns when the load generator is saturated or ports run out', () => {
    const busy = trial([[1]], [{ '200': 1 }], { loadgenCpuMs: 1900, errorCodes: { EADDRNOTAVAIL: 5, ECONNRESET: 2 } });
    const r = aggregateCell([{ ...busy, timeWait: 20_000 }], { ...facts, endpoints: [endpoints[0]] });
    expect(r.warnings.map((w) => w.code)).toEqual(['loadgen-saturated', 'ephemeral-ports', 'connection-errors']);
    expect(r.warnings[0].message).toBe('load generator used 95% of a core: the server may be faster than measured');
    expect(r.warnings[1].message).toMatch(/^20,000 sockets in TIME_WAIT .*5 connects failed with EADDRNOTAVAIL/);
    expect(r.warnings[2].message).toBe('connection errors: ECONNRESET × 2');
  });

  it('a failed cell has no numbers but keeps its error', () => {
    const r = aggregateCell([], { ...facts, error: 'server exited with exit code 3' });
    expect(r).toMatchObject({ ok: false, error: 'server exited with exit code 3', totalRequests: 0, rps: 0, cpuMsPer1kRequests: null, endpoints: [] });
  });

  it('trial summary rounds', () => {
    expect(summarizeTrial(trial([[1, 2]], [{ '200': 2 }])).rps).toBe(1);
  });
});

describe('wrk output', () => {
  it('parses req/s, p50 and errors', () => {
    const text = `Running 5s test @ http://127.0.0.1:1/
  1 threads and 64 connections
  Latency Distribution
     50%   17.80ms
     75%   20.00ms
  16000 requests in 5.00s, 2.00MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   3200.50
`;
    expect(parseWrkOutput(text)).toEqual({ rps: 3200.5, p50Ms: 17.8, requests: 16000, socketErrors: 4, non2xx: 7 });
    expect(parseWrkOutput(text.replace('17.80ms', '850.00us')).p50Ms).toBe(0.85);
  });
});
