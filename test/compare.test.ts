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

function topo(name: string, rps: number[], cpu: number[] = rps.map(() => 700), calibration?: number[], interleaved?: boolean): TopologyResult {
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
    calibration: calibration ? { interleaved, rps: calibration[0], cpuMsPer1kRequests: 100, trials: calibration.map((r) => ({ rps: r, cpuMsPer1kRequests: (100 * 1000) / r })) } : undefined,
  };
}

function results(cpuModel: string, topologies: TopologyResult[]): Results {
  return { schemaVersion: 2, tool: { name: 'flask-perf', version: '0' }, startedAt: '', finishedAt: '', load: { connections: 8, warmupSec: 1, durationSec: 5, trials: 3, timeoutSec: 10 }, environment: env(cpuModel), topologies };
}

const policy: Policy = policyFrom(DEFAULT_THRESHOLDS, DEFAULT_COMPARE);

describe('stored-baseline comparison (noise model, Holm)', () => {
  const cal = [1000, 1010, 990];

  it('a steady 40% drop is a regression once calibration divides out the drift; trial noise around the same level is not', () => {
    const before = results('cpu', [topo('a', [1000, 1020, 990], undefined, cal), topo('b', [500, 480, 520], undefined, cal)]);
    const now = results('cpu', [topo('a', [600, 610, 590], [1150, 1160, 1140], cal), topo('b', [505, 470, 515], undefined, cal)]);
    const c = compareResults(before, now, policy, 'baseline.json');
    expect(c.cells.map((x) => x.verdict)).toEqual(['regressed', 'inconclusive']);
    expect(c.cells[0].reasons.join(' ')).toMatch(/req\/s −40\.\d% \[/);
    expect(c.cells[0].metrics[0].interval.method).toBe('noise-model');
    expect(c.gatedTests).toBe(4);
    expect(failureMessage(c)).toMatch(/^flask-perf: regressed: a \(req\/s −40/);
    expect(c.noiseSource).toBe("this machine kind's default noise");
  });

  it('one trial a side: a flagrant drop fails, with or without calibration', () => {
    for (const calibration of [cal.slice(0, 1), undefined]) {
      const c = compareResults(results('cpu', [topo('a', [1000], [700], calibration)]), results('cpu', [topo('a', [350], [2000], calibration)]), policy);
      expect(c.cells[0].verdict).toBe('regressed');
      expect(c.cells[0].samples).toBe(1);
    }
  });

  it('a modest drop stays inconclusive and says what would settle it; it does not fail by default', () => {
    const c = compareResults(results('cpu', [topo('a', [1000, 1010], [700, 700], cal.slice(0, 2))]), results('cpu', [topo('a', [880, 890], [700, 700], cal.slice(0, 2))]), policy);
    expect(c.cells[0].verdict).toBe('inconclusive');
    expect(c.cells[0].reasons.join(' ')).toMatch(/req\/s −11\.\d% .*: interval reaches past the threshold; (about \d+ trials a side would settle it \(load\.trials\), or compare: base|more trials cannot settle it: whole runs differ by about ±\d+% here; compare: base \(both sides in one job\) or a quieter runner would)/);
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
      ['a', 'inconclusive'],
      ['b', 'missing'],
    ]);
    expect(failureMessage(c)).toMatch(/missing: b \(in the baseline, not in this run: renamed or dropped\?/);
  });
  it('with the trusted list: exactly those; strangers set aside, the missing fail', () => {
    const c = compareResults(results('cpu', [topo('a', [1000, 1010, 990])]), results('cpu', [topo('a', [1000, 1010, 990]), topo('stranger', [1])]), policy, null, ['a', 'b']);
    expect(c.cells.map((x) => [x.name, x.verdict])).toEqual([
      ['a', 'inconclusive'],
      ['b', 'missing'],
    ]);
    expect(c.ignored).toEqual(['stranger']);
    expect(failureMessage(c)).toBe('flask-perf: missing: b (in the config, not in the results)');
  });
});

describe('cross-hardware', () => {
  const before = results('old cpu', [topo('a', [500, 510, 490], undefined, [1000, 1010, 990])]);

  it('divides by the calibration cell: twice as fast a machine, same code, reads as no change, with the factor and its interval', () => {
    // On a machine twice as fast, the app also spends half the CPU per request.
    const now = results('new cpu', [topo('a', [1000, 1020, 980], [350, 352, 348], [2000, 2010, 1990])]);
    const c = compareResults(before, now, policy);
    expect(c.hardwareNote).toMatch(/different hardware: CPU old cpu → new cpu/);
    expect(c.cells[0].calibration?.rps).toBeCloseTo(2, 2);
    expect(c.cells[0].calibration?.rpsInterval?.low).toBeLessThan(2);
    expect(c.cells[0].calibration?.rpsInterval?.high).toBeGreaterThan(2);
    expect(c.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio).toBeCloseTo(1, 2);
    expect(['unchanged', 'inconclusive']).toContain(c.cells[0].verdict);
    expect(c.noiseSource).toContain('plus what calibration leaves across hardware');
    // Without the calibration cell the same numbers read as twice the req/s, judged with the
    // spread between machines: not a regression, and no claim either way.
    const raw = compareResults(results('old cpu', [topo('a', [500, 510, 490])]), results('new cpu', [topo('a', [1000, 1020, 980])]), policy);
    expect(raw.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio).toBeCloseTo(2, 1);
    expect(raw.cells[0].verdict).not.toBe('regressed');
    expect(raw.noiseSource).toContain('the spread between machines (no calibration)');
  });

  it('a regression found across hardware fails like any other, with the difference stated', () => {
    const now = results('new cpu', [topo('a', [400, 410, 390], [875, 880, 870], [2000, 2010, 1990])]);
    const c = compareResults(before, now, policy);
    expect(c.hardwareNote).toMatch(/different hardware/);
    expect(c.cells[0].verdict).toBe('regressed');
    expect(failureMessage(c)).toMatch(/regressed: a/);
  });
});

describe('calibration by turns: each trial divided by the reference trial beside it', () => {
  // The machine's speed swings from trial to trial (×0.7 to ×1.3); the app and the reference app
  // beside it swing together.
  const speeds = [1, 0.7, 1.3];
  const side = (appRps: number, cpuModel = 'cpu', factor = 1): Results =>
    results(cpuModel, [
      topo(
        'a',
        speeds.map((s) => appRps * s * factor),
        speeds.map((s) => 700 / (s * factor)),
        speeds.map((s) => 2000 * s * factor),
        true,
      ),
    ]);

  it('swings the two share divide out: an unchanged app is unchanged, a 20% drop regresses', () => {
    const unchanged = compareResults(side(1000), side(1000), policy);
    expect(unchanged.cells[0].metrics[0].interval.ratio).toBeCloseTo(1, 6);
    expect(unchanged.cells[0].calibration?.byTurns).toBe(true);
    const slower = compareResults(side(1000), { ...side(800), topologies: side(800).topologies.map((t) => ({ ...t, trials: t.trials.map((x) => ({ ...x, cpuMsPer1kRequests: x.cpuMsPer1kRequests! * 1.25 })) })) }, policy);
    expect(slower.cells[0].metrics[0].interval.ratio).toBeCloseTo(0.8, 6);
    expect(slower.cells[0].verdict).toBe('regressed');
  });

  it('across hardware: a machine 1.6× as fast reads as no change, with the factor shown', () => {
    const c = compareResults(side(1000, 'old cpu'), side(1000, 'new cpu', 1.6), policy);
    expect(c.cells[0].calibration?.rps).toBeCloseTo(1.6, 6);
    expect(c.cells[0].metrics[0].interval.ratio).toBeCloseTo(1, 6);
    expect(c.cells[0].verdict).not.toBe('regressed');
    expect(c.noiseSource).toContain('plus what calibration leaves across hardware');
  });

  it('a side calibrated after the cell (an older baseline) falls back to the factor', () => {
    const old = results('cpu', [topo('a', [1000, 1000, 1000], undefined, [2000, 2000, 2000])]);
    const c = compareResults(old, side(1000), policy);
    expect(c.cells[0].calibration?.byTurns).toBe(false);
  });
});
