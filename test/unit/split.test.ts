import { describe, expect, it } from 'vitest';
import { mergeSamples, shares, splitJob } from '../../src/load/split.js';
import type { LoadJob, LoadSample } from '../../src/load/types.js';
import { decodeHistogram, encodeHistogram, newLatencyHistogram, recordMs } from '../../src/stats/histogram.js';

const job: LoadJob = {
  url: 'http://127.0.0.1:1',
  stages: [{ durationMs: 1000, connections: 64 }],
  maxConnections: 64,
  timeoutMs: 1000,
  endpoints: [{ method: 'GET', path: '/', headers: {}, body: '', weight: 1 }],
  localAddresses: [],
};

function histogram(values: number[]): string {
  const h = newLatencyHistogram();
  for (const v of values) recordMs(h, v);
  return encodeHistogram(h);
}

function sample(latencies: number[], cpuMs: number, seconds: number[][]): LoadSample {
  return {
    elapsedMs: 2000,
    endpoints: [
      {
        histogram: histogram(latencies),
        responses: latencies.length,
        statuses: { '200': latencies.length - 1, '500': 1 },
        bytes: 10 * latencies.length,
        timeouts: 0,
      },
    ],
    errors: 1,
    timeouts: 0,
    errorCodes: { ECONNRESET: 1 },
    loadgenCpuMs: cpuMs,
    seconds: seconds.map((s) => ({
      responses: s.length,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      sent: s.length,
      histogram: s.length ? histogram(s) : null,
      loadgenCpuMs: cpuMs / 2,
    })),
    backlog: 2,
  };
}

describe('several load generator processes as one', () => {
  it('cuts counts into near-equal shares, larger first', () => {
    expect(shares(64, 3)).toEqual([22, 21, 21]);
    expect(shares(5, 2)).toEqual([3, 2]);
    expect(shares(1, 2)).toEqual([1, 0]);
  });

  it('splits connections and rates; a process that would have no connection is left out', () => {
    expect(splitJob(job, 2).map((j) => j.stages[0].connections)).toEqual([32, 32]);
    expect(splitJob({ ...job, stages: [{ durationMs: 1, connections: 1 }], maxConnections: 1 }, 2)).toHaveLength(1);
    const open = splitJob({ ...job, stages: [{ durationMs: 1, rate: 300 }], maxConnections: 100 }, 3);
    expect(open.map((j) => j.stages[0].rate)).toEqual([100, 100, 100]);
    expect(open.map((j) => j.maxConnections)).toEqual([34, 33, 33]);
    const staged = splitJob(
      {
        ...job,
        stages: [
          { durationMs: 1, connections: 10 },
          { durationMs: 1, connections: 3 },
        ],
      },
      2,
    );
    expect(staged.map((j) => j.stages.map((s) => s.connections))).toEqual([
      [5, 2],
      [5, 1],
    ]);
    expect(splitJob(job, 1)).toEqual([job]);
  });

  it('adds samples up exactly: counts, statuses, errors; histograms by adding; per second too; CPU of the busiest', () => {
    const a = sample([1, 2, 3, 4], 800, [
      [1, 2],
      [3, 4],
    ]);
    const b = sample([10, 20, 30], 1500, [[10], [20, 30], [40]]);
    const m = mergeSamples([a, b]);
    expect(m.endpoints[0].responses).toBe(7);
    expect(m.endpoints[0].statuses).toEqual({ '200': 5, '500': 2 });
    expect(m.endpoints[0].bytes).toBe(70);
    expect(m.errors).toBe(2);
    expect(m.errorCodes).toEqual({ ECONNRESET: 2 });
    expect(m.backlog).toBe(4);
    expect(m.generators).toBe(2);
    expect(m.loadgenCpuMs).toBe(1500);
    const h = decodeHistogram(m.endpoints[0].histogram);
    expect(h.totalCount).toBe(7);
    expect(h.maxValue).toBeGreaterThanOrEqual(29_900);
    expect(m.seconds.map((s) => s.responses)).toEqual([3, 4, 1]);
    expect(decodeHistogram(m.seconds[1].histogram!).totalCount).toBe(4);
    expect(m.seconds.map((s) => s.loadgenCpuMs)).toEqual([750, 750, 750]);
    expect(mergeSamples([a])).toBe(a);
  });
});
