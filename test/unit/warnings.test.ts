import { describe, expect, it } from 'vitest';
import type { EndpointResult, TrialResult } from '../../src/results/types.js';
import type { TrialSeries } from '../../src/results/series.js';
import { capacityWarnings, endpointWarnings, rateWarnings, saturatedStretch, trialWarnings } from '../../src/results/warnings.js';
import { trial } from '../support/build.js';

const endpoint = (path: string, statuses: Record<string, number>): EndpointResult => ({
  method: 'GET',
  path,
  weight: 1,
  totalRequests: Object.values(statuses).reduce((a, b) => a + b, 0),
  rps: 1,
  failuresPerSec: 0,
  // No answer, no latency (an answer after the window would have one: endpoint-late).
  latencyMs: Object.keys(statuses).length ? { p50: 1, p90: 1, p99: 1, max: 1 } : { p50: 0, p90: 0, p99: 0, max: 0 },
  bytesPerSec: 1,
  statuses,
});

/** A trial whose series has these requests and p50s per second. */
const withSeries = (requests: number[], p50: (number | null)[] = requests.map(() => 10)): TrialResult => {
  const none = requests.map(() => null);
  const series: TrialSeries = {
    requests,
    non2xx: requests.map(() => 0),
    errors: requests.map(() => 0),
    p50,
    p90: p50,
    p99: p50,
    serverCpu: none,
    rssMb: none,
    loadgenCpu: none,
  };
  return { ...trial(100), series };
};

describe('endpoint warnings', () => {
  const cases: { what: string; statuses: Record<string, number>; expected: unknown[] }[] = [
    {
      what: 'never succeeds (404): check the path',
      statuses: { '404': 500 },
      expected: [{ code: 'endpoint-fails', message: 'GET /json: 404 on every request — check the path and the method' }],
    },
    {
      what: 'never succeeds (500): the server fails it',
      statuses: { '500': 20 },
      expected: [{ code: 'endpoint-fails', message: 'GET /json: 500 on every request — the server fails it' }],
    },
    {
      what: 'never succeeds, several statuses',
      statuses: { '502': 2, '503': 8 },
      expected: [{ code: 'endpoint-fails', message: 'GET /json: 503 × 8, 502 × 2 on every request — the server fails it' }],
    },
    {
      what: 'more than 1% non-2xx',
      statuses: { '200': 970, '500': 25, '503': 5 },
      expected: [{ code: 'endpoint-non-2xx', message: 'GET /json: 3.0% of responses were not 2xx (500 × 25, 503 × 5)' }],
    },
    { what: '1% or less: no warning', statuses: { '200': 990, '500': 10 }, expected: [] },
    {
      what: 'all 2xx, and 3xx redirects counted as not 2xx',
      statuses: { '200': 50, '302': 50 },
      expected: [{ code: 'endpoint-non-2xx', message: 'GET /json: 50% of responses were not 2xx (302 × 50)' }],
    },
    { what: 'no responses at all: nothing to say per endpoint', statuses: {}, expected: [] },
  ];
  for (const c of cases) it(c.what, () => expect(endpointWarnings([endpoint('/json', c.statuses)])).toEqual(c.expected));
  it('an endpoint answered only after its windows: its latency is counted, its req/s cannot be', () => {
    const late = { ...endpoint('/slow', {}), latencyMs: { p50: 1503.2, p90: 1510, p99: 1520, max: 1528 } };
    expect(endpointWarnings([late])).toEqual([
      {
        code: 'endpoint-late',
        message: 'GET /slow: every answer came after its measuring window had ended (p50 1,503.2 ms): its latency is counted, its req/s cannot be',
      },
    ]);
  });
  it('requests with no answer within the timeout: every one, or some', () => {
    expect(endpointWarnings([{ ...endpoint('/slow', {}), timeouts: 48 }])).toEqual([
      { code: 'endpoint-fails', message: 'GET /slow: timeout on every request — no answer within load.timeout: the server does not answer it in time' },
    ]);
    expect(endpointWarnings([{ ...endpoint('/slow', { '200': 90, '500': 5 }), timeouts: 5 }])).toEqual([
      { code: 'endpoint-non-2xx', message: 'GET /slow: 10% of requests failed (500 × 5, timeout × 5)' },
    ]);
  });
});

describe('trial warnings', () => {
  const cases = [
    { what: 'steady: none', trials: [withSeries([100, 101, 99, 100, 102, 98, 100, 101])], expected: [] },
    {
      what: 'req/s collapses in the second half',
      trials: [withSeries([800, 800, 800, 800, 200, 200, 200, 150])],
      expected: [{ code: 'rps-collapses', message: 'req/s collapsed in the second half of the trial: 800 → 188 req/s' }],
    },
    {
      what: 'latency climbs through the trial',
      trials: [withSeries([100, 100, 100, 100, 100, 100, 100, 100, 100, 100], [50, 10, 12, 11, 20, 40, 80, 120, 200, 240])],
      expected: [
        {
          code: 'latency-climbs',
          message: 'latency climbed through the trial: p50 11 ms in its first third → 200 ms in its last (the server is not keeping up)',
        },
      ],
    },
    { what: 'a climb of a few ms is not one', trials: [withSeries([100, 100, 100, 100, 100, 100, 100], [5, 2, 2, 3, 5, 6, 6])], expected: [] },
    {
      what: 'a trial cut short: the last seconds without a response (one warning, not three)',
      trials: [withSeries([500, 500, 500, 500, 0, 0, 0])],
      expected: [{ code: 'trial-cut-short', message: 'the trial was cut short: no responses in its last 3 s (the server stopped answering)' }],
    },
    {
      what: 'several trials are named by number',
      trials: [withSeries([100, 100, 100, 100]), withSeries([100, 100, 10, 10])],
      expected: [{ code: 'rps-collapses', message: 'req/s collapsed in the second half of trial 2: 100 → 10 req/s' }],
    },
    { what: 'an older document without series: none', trials: [trial(100)], expected: [] },
  ];
  for (const c of cases) it(c.what, () => expect(trialWarnings(c.trials)).toEqual(c.expected));
});

describe('a load generator saturated for part of a cell', () => {
  const withCpu = (cpu: (number | null)[]): TrialResult => {
    const t = withSeries(cpu.map(() => 100));
    return { ...t, series: { ...t.series!, loadgenCpu: cpu } };
  };
  const cases = [
    { what: 'never near its core', trials: [withCpu([0.3, 0.4, 0.35, 0.3])], expected: null },
    { what: 'two saturated seconds are not enough', trials: [withCpu([0.3, 0.95, 0.96, 0.3])], expected: null },
    { what: 'three in one trial', trials: [withCpu([0.3, 0.95, 0.96, 0.91, 0.3])], expected: { from: 2, seconds: 3 } },
    {
      what: 'a stretch across two trials, the longest one named',
      trials: [withCpu([0.9, 0.9, 0.9, 0.2, 0.95]), withCpu([0.97, 0.99, 0.93, 0.5])],
      expected: { from: 5, seconds: 4 },
    },
    { what: 'an unknown second breaks a stretch', trials: [withCpu([0.95, null, 0.95, 0.95])], expected: null },
    { what: 'older trials without series', trials: [trial(100)], expected: null },
  ];
  for (const c of cases) it(c.what, () => expect(saturatedStretch(c.trials, 0.9)).toEqual(c.expected));
});

describe('open-model and capacity warnings', () => {
  const openTrial = (rate: { intended: number; sent: number; lateMsP99: number }) => ({
    durationSec: 5,
    requests: 100,
    rps: 20,
    failures: 0,
    failuresPerSec: 0,
    latencyMs: { p50: 1, p90: 1, p99: 1, max: 1 },
    bytesPerSec: 0,
    cpuMsPer1kRequests: 1,
    loadgenCpu: 0.1,
    rate,
  });
  it('a schedule not kept says whose fault: the generator’s, or the server’s (every connection waiting)', () => {
    expect(rateWarnings([openTrial({ intended: 500, sent: 499, lateMsP99: 1 })], 1000)).toEqual([]);
    expect(rateWarnings([openTrial({ intended: 500, sent: 400, lateMsP99: 45 })], 1000)[0].message).toBe(
      'the trial sent 400 of 500 req/s: the load generator fell behind its schedule (p99 45 ms late), not the server',
    );
    expect(rateWarnings([openTrial({ intended: 500, sent: 499, lateMsP99: 1 }), openTrial({ intended: 500, sent: 300, lateMsP99: 2 })], 64)[0].message).toBe(
      'trial 2 sent 300 of 500 req/s: all 64 connections were waiting for the server (load.max-connections); latency counts the wait',
    );
    expect(rateWarnings([openTrial({ intended: 500, sent: 500, lateMsP99: 30 })], 1000)[0].code).toBe('generator-late');
  });
  it('a capacity search that ended on a limit says what its number means', () => {
    const c = { goal: { p99Ms: 100, errorShare: 0.01 }, rate: 1240, missedAt: 1400, end: 'budget' as const, budgetSec: 60, spentSec: 60, steps: [] };
    expect(capacityWarnings(c)[0].message).toBe(
      'the capacity search ran out of its 60 s budget: capacity between 1,240 req/s and 1,400 req/s (load.capacity.budget)',
    );
    expect(capacityWarnings({ ...c, end: 'bracketed' })).toEqual([]);
    expect(capacityWarnings({ ...c, end: 'at-maximum', missedAt: null })[0].message).toMatch(/^every rate tried met the goal, up to 1,240 req\/s/);
    expect(capacityWarnings(undefined)).toEqual([]);
  });
});
