import { describe, expect, it } from 'vitest';
import { compareResults, policyFrom, type Policy } from '../src/compare/compare.js';
import { DEFAULT_THRESHOLDS, resolveThresholds } from '../src/compare/thresholds.js';
import { DEFAULT_COMPARE } from '../src/config/load.js';
import { failureMessage } from '../src/compare/gate.js';
import type { Fingerprint, Results, TopologyResult, TrialResult } from '../src/results/types.js';

const env = (cpuModel: string): Fingerprint => ({
  cpuModel,
  cores: 2,
  os: 'Linux',
  node: 'v20',
  python: '3.11',
  flask: '3.1',
  gunicorn: '23',
  placement: { pinned: false, loadgenCpus: null, serverCpus: null, serverCores: 2, reason: '' },
});

function trial(rps: number, cpu = 700, p99 = 50): TrialResult {
  return { durationSec: 5, requests: rps * 5, rps, failures: 0, failuresPerSec: 0, latencyMs: { p50: 10, p90: 20, p99, max: 80 }, bytesPerSec: 1, cpuMsPer1kRequests: cpu, loadgenCpu: 0.3 };
}

function topo(name: string, rps: number[], cpu: number[] = rps.map(() => 700), calibration?: number[]): TopologyResult {
  const trials = rps.map((r, i) => trial(r, cpu[i]));
  return {
    name,
    kind: 'gunicorn',
    ok: true,
    error: null,
    totalRequests: trials.reduce((n, t) => n + t.requests, 0),
    rps: rps.reduce((a, b) => a + b, 0) / rps.length,
    failuresPerSec: 0,
    latencyMs: { p50: 10, p90: 20, p99: 50, max: 80 },
    bytesPerSec: 1,
    cpuMsPer1kRequests: cpu[0],
    peakRssMb: 40,
    workers: 5,
    instances: null,
    trials,
    endpoints: [],
    warnings: [],
    peakTimeWait: 0,
    calibration: calibration ? { rps: calibration[0], cpuMsPer1kRequests: 100, trials: calibration.map((r) => ({ rps: r, cpuMsPer1kRequests: (100 * 1000) / r })) } : undefined,
  };
}

function results(cpuModel: string, topologies: TopologyResult[]): Results {
  return { schemaVersion: 1, tool: { name: 'flask-perf', version: '0' }, startedAt: '', finishedAt: '', load: { connections: 8, warmupSec: 1, durationSec: 5, trials: 3, timeoutSec: 10 }, environment: env(cpuModel), topologies };
}

const policy: Policy = policyFrom(DEFAULT_THRESHOLDS, DEFAULT_COMPARE);

describe('stored-baseline comparison (Welch on per-trial values, Holm)', () => {
  it('a steady 40% drop is a regression; trial noise around the same level is not', () => {
    const before = results('cpu', [topo('a', [1000, 1020, 990]), topo('b', [500, 480, 520])]);
    const now = results('cpu', [topo('a', [600, 610, 590], [1150, 1160, 1140]), topo('b', [505, 470, 515])]);
    const c = compareResults(before, now, policy, 'baseline.json');
    expect(c.cells.map((x) => x.verdict)).toEqual(['regressed', 'unchanged']);
    expect(c.cells[0].reasons.join(' ')).toMatch(/req\/s −40\.\d% \[/);
    expect(c.gatedTests).toBe(4);
    expect(failureMessage(c)).toMatch(/^flask-perf: regressed: a \(req\/s −40/);
  });

  it('too few trials to decide is inconclusive and does not fail by default', () => {
    const c = compareResults(results('cpu', [topo('a', [1000, 700])]), results('cpu', [topo('a', [800, 900])]), policy);
    expect(c.cells[0].verdict).toBe('inconclusive');
    expect(failureMessage(c)).toBeNull();
    expect(failureMessage({ ...c, policy: { ...policy, failOnInconclusive: true } })).toMatch(/inconclusive: a/);
  });

  it('the config thresholds apply unless the input differs from its default', () => {
    expect(resolveThresholds({ rpsDrop: 0.2, cpuRise: 0.08 }, 0.1)).toMatchObject({ rpsDrop: 0.2, cpuRise: 0.08 });
    expect(resolveThresholds({ rpsDrop: 0.2 }, 0.05).rpsDrop).toBe(0.05);
  });
});

describe('which topologies are judged', () => {
  it('one the baseline has and the run lacks fails as missing', () => {
    const c = compareResults(results('cpu', [topo('a', [1000, 1010, 990]), topo('b', [500, 510, 490])]), results('cpu', [topo('a', [1000, 1010, 990])]), policy);
    expect(c.cells.map((x) => [x.name, x.verdict])).toEqual([
      ['a', 'unchanged'],
      ['b', 'missing'],
    ]);
    expect(failureMessage(c)).toMatch(/missing: b \(in the baseline, not in this run: renamed or dropped\?/);
  });
  it('with the trusted list: exactly those; strangers set aside, the missing fail', () => {
    const c = compareResults(results('cpu', [topo('a', [1000, 1010, 990])]), results('cpu', [topo('a', [1000, 1010, 990]), topo('stranger', [1])]), policy, null, ['a', 'b']);
    expect(c.cells.map((x) => [x.name, x.verdict])).toEqual([
      ['a', 'unchanged'],
      ['b', 'missing'],
    ]);
    expect(c.ignored).toEqual(['stranger']);
    expect(failureMessage(c)).toBe('flask-perf: missing: b (in the config, not in the results)');
  });
});

describe('cross-hardware', () => {
  const before = results('old cpu', [topo('a', [500, 510, 490], undefined, [1000, 1010, 990])]);

  it('normalises by the calibration cell: twice as fast a machine, same code, is unchanged', () => {
    // On a machine twice as fast, the app also spends half the CPU per request.
    const now = results('new cpu', [topo('a', [1000, 1020, 980], [350, 352, 348], [2000, 2010, 1990])]);
    const c = compareResults(before, now, policy);
    expect(c.hardwareNote).toMatch(/different hardware: CPU old cpu → new cpu/);
    expect(c.cells[0].calibration?.rps).toBeCloseTo(2, 2);
    expect(c.cells[0].verdict).toBe('unchanged');
    // Without the calibration cell the same numbers read as a big improvement.
    const raw = compareResults(results('old cpu', [topo('a', [500, 510, 490])]), results('new cpu', [topo('a', [1000, 1020, 980])]), policy);
    expect(raw.cells[0].verdict).toBe('improved');
  });

  it('a regression found across hardware fails like any other, with the difference stated', () => {
    const now = results('new cpu', [topo('a', [600, 610, 590], [350, 352, 348], [2000, 2010, 1990])]);
    const c = compareResults(before, now, policy);
    expect(c.hardwareNote).toMatch(/different hardware/);
    expect(c.cells[0].verdict).toBe('regressed');
    expect(failureMessage(c)).toMatch(/regressed: a/);
  });
});
