import { describe, expect, it } from 'vitest';
import type { LoadSample, SecondSample } from '../../src/load/types.js';
import { concatSeries, trialSeries } from '../../src/results/series.js';
import { histogramOf } from '../support/build.js';

const second = (latencies: number[], extra: Partial<SecondSample> = {}): SecondSample => ({
  responses: latencies.length,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  sent: latencies.length,
  histogram: latencies.length ? histogramOf(latencies) : null,
  loadgenCpuMs: 300,
  ...extra,
});
const sample = (seconds: SecondSample[], elapsedMs: number): LoadSample => ({
  elapsedMs,
  endpoints: [],
  errors: 0,
  timeouts: 0,
  errorCodes: {},
  loadgenCpuMs: 0,
  seconds,
  backlog: 0,
});

describe('the per-second sampler', () => {
  it('each second: its requests, failures, latency percentiles, the server’s CPU share and memory, the generator’s CPU', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1); // 1 … 100 ms
    const s = trialSeries(
      sample([second(latencies, { non2xx: 3, errors: 1 }), second([], { loadgenCpuMs: 100 }), second([5, 5], { loadgenCpuMs: 150 })], 2500),
      [
        { cpuMs: 1500, rssBytes: 100 * 1024 * 1024, ms: 1000 },
        { cpuMs: 0, rssBytes: 100 * 1024 * 1024, ms: 1000 },
        { cpuMs: 500, rssBytes: 101 * 1024 * 1024, ms: 500 },
      ],
      2,
    );
    expect(s.requests).toEqual([100, 0, 2]);
    expect(s.non2xx).toEqual([3, 0, 0]);
    expect(s.errors).toEqual([1, 0, 0]);
    // HDR histograms keep 3 significant digits: within 0.1%.
    const near = (got: readonly (number | null)[], want: (number | null)[]): void =>
      want.forEach((w, i) => (w === null ? expect(got[i]).toBeNull() : expect(Math.abs(got[i]! - w) / w).toBeLessThan(0.001)));
    near(s.p50, [50, null, 5]);
    near(s.p90, [90, null, 5]);
    near(s.p99, [99, null, 5]);
    // 1500 ms of CPU in 1 s on 2 cores is 75% of them; the last window is half a second.
    expect(s.serverCpu).toEqual([0.75, 0, 0.5]);
    expect(s.rssMb).toEqual([100, 100, 101]);
    expect(s.loadgenCpu).toEqual([0.3, 0.1, 0.3]);
  });
  it('a second the server was not read in is unknown, not zero', () => {
    const s = trialSeries(sample([second([1]), second([1])], 2000), [{ cpuMs: 100, rssBytes: 1, ms: 1000 }], 1);
    expect(s.serverCpu).toEqual([0.1, null]);
    expect(s.rssMb).toEqual([0, null]);
  });
  it('slices of a trial lie end to end', () => {
    const a = trialSeries(sample([second([1])], 1000), [{ cpuMs: 1, rssBytes: 0, ms: 1000 }], 1);
    const b = trialSeries(sample([second([2, 2])], 1000), [{ cpuMs: 2, rssBytes: 0, ms: 1000 }], 1);
    expect(concatSeries([a, b]).requests).toEqual([1, 2]);
    expect(concatSeries([a, b]).p50.map((v) => Math.round(v!))).toEqual([1, 2]);
  });
});
