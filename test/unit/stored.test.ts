import { describe, expect, it } from 'vitest';
import { policyFrom } from '../../src/compare/cells.js';
import { cpuElasticity, cpuElasticityVariance, elasticity } from '../../src/compare/calibration.js';
import { historyEntry } from '../../src/compare/noise.js';
import { compareStored } from '../../src/compare/stored.js';
import { renderReport } from '../../src/report/markdown.js';
import type { Policy } from '../../src/compare/types.js';
import { DEFAULT_THRESHOLDS, resolveThresholds } from '../../src/compare/thresholds.js';
import { DEFAULT_COMPARE } from '../../src/config/load.js';
import { failureMessage } from '../../src/compare/gate.js';
import type { Results, TopologyResult } from '../../src/results/types.js';
import { calibration, cell, results as build, trial } from '../support/build.js';

const topo = (name: string, rps: number[], cpu: number[] = rps.map(() => 700), cal?: number[], byTurns = false): TopologyResult =>
  cell(
    name,
    rps.map((r, i) => trial(r, cpu[i])),
    cal ? calibration(cal, byTurns) : undefined,
  );
const results = (cpuModel: string, topologies: TopologyResult[]): Results => build(topologies, cpuModel);

const policy: Policy = policyFrom(DEFAULT_THRESHOLDS, DEFAULT_COMPARE);

describe('stored-baseline comparison (noise model, Holm)', () => {
  const cal = [1000, 1010, 990];

  it('a steady halving is a regression once calibration divides out the drift; trial noise around the same level is not', () => {
    const before = results('cpu', [topo('a', [1000, 1020, 990], undefined, cal), topo('b', [500, 480, 520], undefined, cal)]);
    const now = results('cpu', [topo('a', [500, 510, 490], [1400, 1410, 1390], cal), topo('b', [505, 470, 515], undefined, cal)]);
    const c = compareStored(before, now, policy, 'baseline.json');
    expect(c.cells.map((x) => x.verdict)).toEqual(['regressed', 'inconclusive']);
    expect(c.cells[0].reasons.join(' ')).toMatch(/req\/s −50\.\d% \[/);
    expect(c.cells[0].metrics[0].interval.method).toBe('noise-model');
    expect(c.gatedTests).toBe(4);
    expect(failureMessage(c)).toMatch(/^flask-perf: regressed: a \(req\/s −50/);
    expect(c.noiseSource).toBe("this machine kind's default noise");
  });

  it('one trial a side: a flagrant drop fails, with or without calibration', () => {
    for (const calibration of [cal.slice(0, 1), undefined]) {
      const c = compareStored(results('cpu', [topo('a', [1000], [700], calibration)]), results('cpu', [topo('a', [350], [2000], calibration)]), policy);
      expect(c.cells[0].verdict).toBe('regressed');
      expect(c.cells[0].samples).toBe(1);
    }
  });

  it('a modest drop stays inconclusive and says what would settle it; it does not fail by default', () => {
    const c = compareStored(
      results('cpu', [topo('a', [1000, 1010], [700, 700], cal.slice(0, 2))]),
      results('cpu', [topo('a', [880, 890], [700, 700], cal.slice(0, 2))]),
      policy,
    );
    expect(c.cells[0].verdict).toBe('inconclusive');
    expect(c.cells[0].reasons.join(' ')).toMatch(
      /req\/s −11\.\d% .*: interval reaches past the threshold; (about \d+ trials a side would settle it \(load\.trials\), or compare: base|more trials cannot settle it: whole runs differ by about ±\d+% here; compare: base \(both sides in one job\) or a quieter runner would)/,
    );
    expect(failureMessage(c)).toBeNull();
    expect(failureMessage({ ...c, policy: { ...policy, failOnInconclusive: true } })).toMatch(/inconclusive: a/);
  });

  it('the threshold input wins when given, then the config, then the defaults', () => {
    expect(resolveThresholds({ rpsDrop: 0.2, cpuRise: 0.08 }, undefined)).toMatchObject({ rpsDrop: 0.2, cpuRise: 0.08 });
    expect(resolveThresholds({ rpsDrop: 0.2 }, 0.1).rpsDrop).toBe(0.1);
    expect(resolveThresholds({}, undefined)).toEqual(DEFAULT_THRESHOLDS);
  });
});

describe('which topologies are judged', () => {
  it('one the baseline has and the run lacks fails as missing', () => {
    const c = compareStored(results('cpu', [topo('a', [1000, 1010, 990]), topo('b', [500, 510, 490])]), results('cpu', [topo('a', [1000, 1010, 990])]), policy);
    expect(c.cells.map((x) => [x.name, x.verdict])).toEqual([
      ['a', 'inconclusive'],
      ['b', 'missing'],
    ]);
    expect(failureMessage(c)).toMatch(/missing: b \(in the baseline, not in this run: renamed or dropped\?/);
  });
  it('with the trusted list: exactly those; strangers set aside, the missing fail', () => {
    const c = compareStored(
      results('cpu', [topo('a', [1000, 1010, 990])]),
      results('cpu', [topo('a', [1000, 1010, 990]), topo('stranger', [1])]),
      policy,
      null,
      ['a', 'b'],
    );
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
    const c = compareStored(before, now, policy);
    expect(c.hardwareNote).toMatch(/different hardware: CPU old cpu → new cpu/);
    expect(c.cells[0].calibration?.rps).toBeCloseTo(2, 2);
    expect(c.cells[0].calibration?.rpsInterval?.low).toBeLessThan(2);
    expect(c.cells[0].calibration?.rpsInterval?.high).toBeGreaterThan(2);
    expect(c.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio).toBeCloseTo(1, 2);
    expect(['unchanged', 'inconclusive']).toContain(c.cells[0].verdict);
    expect(c.noiseSource).toContain('plus what calibration leaves across hardware');
    // Without the calibration cell the same numbers read as twice the req/s, judged with the
    // spread between machines: not a regression, and no claim either way.
    const raw = compareStored(results('old cpu', [topo('a', [500, 510, 490])]), results('new cpu', [topo('a', [1000, 1020, 980])]), policy);
    expect(raw.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio).toBeCloseTo(2, 1);
    expect(raw.cells[0].verdict).not.toBe('regressed');
    expect(raw.noiseSource).toContain('the spread between machines (no calibration)');
  });

  it('one model string, another CPU generation (a hypervisor’s generic name): across hardware; unknown on one side: not told apart', () => {
    const on = (cpuId: string | null | undefined): Results => {
      const doc = results('Intel(R) Xeon(R) Processor', [topo('a', [500, 510, 490], undefined, [1000, 1010, 990])]);
      return { ...doc, environment: { ...doc.environment, cpuId } };
    };
    const older = 'vendor_id GenuineIntel · cpu family 6 · model 106 · stepping 6';
    const newer = 'vendor_id GenuineIntel · cpu family 6 · model 207 · stepping 2';
    const c = compareStored(on(older), on(newer), policy);
    expect(c.hardwareNote).toBe(`baseline recorded on different hardware: CPU Intel(R) Xeon(R) Processor: ${older} → ${newer}`);
    expect(c.noiseSource).toContain('plus what calibration leaves across hardware');
    expect(compareStored(on(newer), on(newer), policy).hardwareNote).toBeNull();
    expect(compareStored(on(undefined), on(newer), policy).hardwareNote).toBeNull();
    expect(compareStored(on(older), on(null), policy).hardwareNote).toBeNull();
  });

  it('a regression found across hardware fails like any other, with the difference stated', () => {
    const now = results('new cpu', [topo('a', [400, 410, 390], [875, 880, 870], [2000, 2010, 1990])]);
    const c = compareStored(before, now, policy);
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

  it('swings the two share divide out: an unchanged app is unchanged, a 40% drop regresses, a 20% one is within what whole runs move', () => {
    const unchanged = compareStored(side(1000), side(1000), policy);
    expect(unchanged.cells[0].metrics[0].interval.ratio).toBeCloseTo(1, 6);
    expect(unchanged.cells[0].calibration?.byTurns).toBe(true);
    const slower = compareStored(
      side(1000),
      {
        ...side(800),
        topologies: side(800).topologies.map((t) => ({ ...t, trials: t.trials.map((x) => ({ ...x, cpuMsPer1kRequests: x.cpuMsPer1kRequests! * 1.25 })) })),
      },
      policy,
    );
    expect(slower.cells[0].metrics[0].interval.ratio).toBeCloseTo(0.8, 6);
    // Whole runs of an unchanged app moved by 0.067 (log sd) here, one by −24%: one run a side cannot call −20%.
    expect(slower.cells[0].verdict).toBe('inconclusive');
    expect(slower.cells[0].reasons.join(' ')).toMatch(/compare: base/);
    const halved = compareStored(
      side(1000),
      {
        ...side(600),
        topologies: side(600).topologies.map((t) => ({ ...t, trials: t.trials.map((x) => ({ ...x, cpuMsPer1kRequests: x.cpuMsPer1kRequests! / 0.6 })) })),
      },
      policy,
    );
    expect(halved.cells[0].verdict).toBe('regressed');
  });

  it('across hardware: a machine 1.6× as fast reads as no change, with the factor shown', () => {
    const c = compareStored(side(1000, 'old cpu'), side(1000, 'new cpu', 1.6), policy);
    expect(c.cells[0].calibration?.rps).toBeCloseTo(1.6, 6);
    expect(c.cells[0].metrics[0].interval.ratio).toBeCloseTo(1, 6);
    expect(c.cells[0].verdict).not.toBe('regressed');
    expect(c.noiseSource).toContain('plus what calibration leaves across hardware');
  });

  it('a command topology is judged on its generic reference: req/s halved on a machine running 1.4× as fast fails with one trial among five cells; raw, it would not', () => {
    const five = (appRps: number, speed: number, calibrated: boolean): Results =>
      results(
        'cpu',
        ['a', 'b', 'c', 'd', 'e'].map((name) => ({
          ...cell(name, [trial(appRps * speed, 700 / speed)], calibrated ? calibration([2000 * speed]) : null),
          kind: 'command' as const,
        })),
      );
    const halved = compareStored(five(1000, 1, true), five(500, 1.4, true), policy);
    expect(halved.cells.map((c) => c.verdict)).toEqual(Array(5).fill('regressed'));
    expect(halved.cells[0].metrics[0].interval.ratio).toBeCloseTo(0.5, 6);
    expect(halved.cells[0].calibration?.generic).toBe(true);
    expect(halved.noiseSource).toContain('widened ×1.5: the reference app gauges the machine');
    // The same numbers with no reference app: −30% raw, within what whole runs move uncalibrated.
    const raw = compareStored(five(1000, 1, false), five(500, 1.4, false), policy);
    expect(raw.cells[0].metrics[0].interval.ratio).toBeCloseTo(0.7, 6);
    expect(raw.cells[0].verdict).toBe('inconclusive');
    // An unchanged command on a machine 1.6× as fast, another CPU: no change, and passes.
    const other = compareStored(
      five(1000, 1, true),
      { ...five(1000, 1.6, true), environment: { ...five(1000, 1.6, true).environment, cpuModel: 'other' } },
      policy,
    );
    expect(other.cells[0].metrics[0].interval.ratio).toBeCloseTo(1, 6);
    expect(other.cells.every((c) => c.verdict !== 'regressed')).toBe(true);
  });

  it('a side calibrated after the cell (an older baseline) falls back to the factor', () => {
    const old = results('cpu', [topo('a', [1000, 1000, 1000], undefined, [2000, 2000, 2000])]);
    const c = compareStored(old, side(1000), policy);
    expect(c.cells[0].calibration?.byTurns).toBe(false);
  });
});

describe('capacity against a stored baseline', () => {
  const searched = (name: string, rate: number, reference?: number[]): TopologyResult => ({
    ...topo(name, [rate], [700]),
    capacity: {
      goal: { p99Ms: 100, errorShare: 0.01 },
      rate,
      missedAt: rate * 1.05,
      end: 'bracketed',
      budgetSec: 60,
      spentSec: 30,
      steps: [],
      ...(reference ? { reference } : {}),
    },
  });
  const gated: Policy = { ...policy, gate: ['capacity'] };

  it('capacity halved fails the gate on capacity, named; the same capacity does not (one search a side cannot rule out 10%); req/s at another rate is not compared', () => {
    const before = results('cpu', [searched('a', 1200, [500, 500]), searched('b', 800, [500, 500])]);
    const now = results('cpu', [searched('a', 600, [500, 505]), searched('b', 790, [498, 502])]);
    const c = compareStored(before, now, gated, 'baseline.json');
    expect(c.cells.map((x) => x.verdict)).toEqual(['regressed', 'inconclusive']);
    expect(failureMessage(c)).not.toContain(' b ');
    expect(c.cells[0].metrics.map((m) => m.metric)).toEqual(['capacity']);
    expect(c.cells[0].capacity).toEqual({ base: 1200, head: 600, change: -0.5 });
    expect(failureMessage(c)).toMatch(/^flask-perf: regressed: a \(capacity −50\.\d%/);
    expect(c.noiseSource).toContain('normalized by the reference app');
  });

  it('without the reference app a capacity is compared raw, under the drift between runs: only a flagrant drop decides', () => {
    const c = compareStored(results('cpu', [searched('a', 1200)]), results('cpu', [searched('a', 1000)]), gated);
    expect(c.cells[0].verdict).toBe('inconclusive');
    const halved = compareStored(results('cpu', [searched('a', 1200)]), results('cpu', [searched('a', 400)]), gated);
    expect(halved.cells[0].verdict).toBe('regressed');
  });
});

describe('a cell that waits follows the machine’s speed only as far as it keeps the CPU busy', () => {
  // Three sync workers, each request 15 ms of waiting and 1 ms of CPU at speed 1: req/s is
  // 3 / (0.015 + 0.001 / speed), CPU per request 1,000 µs / speed. The reference app saturates the
  // core: 2,000 req/s × speed at 500 µs / speed (one core busy).
  const run = (speed: number, cpuMs = 1, cpuModel = 'cpu'): Results => {
    const rps = 3 / (0.015 + cpuMs / 1000 / speed);
    const reference = {
      interleaved: true,
      rps: 2000 * speed,
      cpuMsPer1kRequests: null,
      trials: [0, 1, 2].map(() => ({ rps: 2000 * speed, cpuMsPer1kRequests: 500 / speed })),
    };
    return results(cpuModel, [
      cell(
        'sync',
        [0, 1, 2].map(() => ({ ...trial(rps, (cpuMs * 1000) / speed), foreign: { loadgen: 0, server: 0 } })),
        reference,
      ),
    ]);
  };

  it('busy share against the reference app, others on the cores counted in; saturated cells, unknown CPU or foreign load at 1', () => {
    // 187.5 req/s × 1 ms = 0.1875 of a core, against the reference's 1.0, over 0.95.
    const waiting = run(1).topologies[0];
    expect(elasticity(waiting)).toBeCloseTo(0.1875 / 0.95, 6);
    // A database beside it took 30% of the server core and 10% of the generator's: 0.4 of a core more.
    const withDatabase = { ...waiting, trials: waiting.trials.map((x) => ({ ...x, foreign: { loadgen: 0.1, server: 0.3 } })) };
    expect(elasticity(withDatabase)).toBeCloseTo((0.1875 + 0.4) / 0.95, 6);
    // A trial that did not measure others' load (unpinned, or an older document): as before the rule.
    expect(elasticity({ ...waiting, trials: [...waiting.trials.slice(1), { ...waiting.trials[0], foreign: undefined }] })).toBe(1);
    const saturated = cell('a', [trial(1900, 500)], calibration([2000]));
    expect(elasticity({ ...saturated, calibration: { ...saturated.calibration!, trials: [{ rps: 2000, cpuMsPer1kRequests: 500 }] } })).toBe(1);
    expect(elasticity(cell('a', [trial(100, null)], calibration([2000])))).toBe(1);
    expect(elasticity(cell('a', [trial(100, 100)]))).toBe(1);
  });

  it('an unchanged app on a machine at 0.6× the speed reads near no change, where dividing by the whole factor read +60%', () => {
    const c = compareStored(run(1), run(0.6), policy);
    const ratio = c.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio;
    // Raw req/s: 180 against 187.5 (−4%); divided by the reference's ×0.6 it would read +60%. The
    // busy share (0.20 and 0.32) bounds the true elasticity (0.06–0.10) from above: some of the
    // machine's swing stays, a tenth of it.
    expect(Math.abs(Math.log(ratio))).toBeLessThan(0.1);
    expect(c.cells[0].verdict).not.toBe('regressed');
    expect(c.cells[0].calibration?.elasticity.base).toBeCloseTo(0.1875 / 0.95, 6);
    // CPU per request follows the machine's speed whole here, as theory says; a waiting cell's
    // followed it from not at all to nearly whole on a real host, so the rule takes the middle of
    // busy share…1 and counts the rest as noise: no verdict either way, where a rule of 1 would
    // have called a host's other swing a regression.
    const cpu = c.cells[0].metrics.find((m) => m.metric === 'cpu')!;
    expect(cpu.interval.low).toBeLessThan(1);
    expect(cpu.interval.high).toBeGreaterThan(1);
    expect(cpu.verdict).toBe('inconclusive');
  });

  it('CPU per request of a cell that waits: the elasticity is between its busy share and 1, the unknown part is noise grown with the swing', () => {
    const waiting = run(1).topologies[0];
    expect(cpuElasticity(waiting)).toEqual({ low: elasticity(waiting), mid: (1 + elasticity(waiting)) / 2 });
    // Uniform on [busy share, 1]: (1 − s)² / 12 per unit of the reference's log CPU factor squared.
    const s = (elasticity(waiting) + elasticity(run(0.6).topologies[0])) / 2;
    expect(cpuElasticityVariance(waiting, run(0.6).topologies[0], 1 / 0.6)).toBeCloseTo(((1 - s) ** 2 / 12) * Math.log(0.6) ** 2, 9);
    expect(cpuElasticityVariance(waiting, run(1).topologies[0], 1)).toBe(0);
    // A saturated cell: CPU per request follows the reference whole, nothing unknown.
    const saturated = cell('a', [{ ...trial(1900, 500), foreign: { loadgen: 0, server: 0 } }], {
      interleaved: true,
      rps: 2000,
      cpuMsPer1kRequests: null,
      trials: [{ rps: 2000, cpuMsPer1kRequests: 500 }],
    });
    const faster = { ...saturated, calibration: { ...saturated.calibration!, trials: [{ rps: 3200, cpuMsPer1kRequests: 312.5 }] } };
    expect(cpuElasticity(saturated).mid).toBe(1);
    expect(cpuElasticityVariance(saturated, faster, 312.5 / 500)).toBe(0);
  });

  it('a PR run on a machine 1.6× as fast, another CPU: no false alarm, where the whole factor read −36% and failed the step', () => {
    const c = compareStored(run(1), run(1.6, 1, 'faster cpu'), policy);
    // Raw 192 against 187.5 req/s; e 0.20 and 0.13.
    const ratio = c.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio;
    expect(Math.abs(Math.log(ratio))).toBeLessThan(0.07);
    expect(c.cells[0].verdict).not.toBe('regressed');
    expect(c.hardwareNote).toContain('faster cpu');
  });

  it('an open-model cell that kept its arrival rate: req/s is the schedule’s, compared as measured on any machine', () => {
    // 500 req/s asked and answered, half a core busy; then on a machine 1.6× as fast.
    const scheduled = (speed: number, answered = 500, cpuModel = 'cpu'): Results =>
      results(cpuModel, [
        cell(
          'open',
          [0, 1, 2].map(() => ({ ...trial(answered, 1000 / speed), rate: { intended: 500, sent: 500, lateMsP99: 1 } })),
          {
            interleaved: true,
            rps: 2000 * speed,
            cpuMsPer1kRequests: null,
            trials: [0, 1, 2].map(() => ({ rps: 2000 * speed, cpuMsPer1kRequests: 500 / speed })),
          },
        ),
      ]);
    const c = compareStored(scheduled(1), scheduled(1.6, 500, 'faster cpu'), policy);
    expect(c.cells[0].calibration?.scheduled).toBe(true);
    expect(c.cells[0].calibration?.elasticity).toEqual({ base: 0, head: 0 });
    expect(c.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio).toBeCloseTo(1, 9);
    expect(c.cells[0].verdict).not.toBe('regressed');
    const report = renderReport(c, scheduled(1.6, 500, 'faster cpu'), { configPath: 'flask-perf.yml', baselinePath: 'baseline.json' });
    expect(report).toContain('**At a set rate:** open answered at their arrival rate on both sides');
    expect(report).not.toContain('Partly CPU-bound');
    // The head could not keep up (400 of 500): its req/s is its capacity, which follows the machine.
    const behind = compareStored(scheduled(1), scheduled(1, 400), policy);
    expect(behind.cells[0].calibration?.scheduled).toBe(false);
    expect(behind.cells[0].calibration?.elasticity.head).toBeGreaterThan(0);
  });

  /**
   * Three server cores: the reference keeps them busy (6,000 req/s × 500 µs at speed 1); the cell
   * is CPU-bound at 1,000 req/s × 1,000 µs, a third of the reference's share.
   */
  const threeCores = (speed: number, kind: 'command' | 'gunicorn', generic?: true): Results =>
    results('cpu', [
      {
        ...cell(
          'cell',
          [0, 1, 2].map(() => ({ ...trial(1000 * speed, 1000 / speed), foreign: { loadgen: 0, server: 0 } })),
          {
            interleaved: true,
            generic,
            rps: 6000 * speed,
            cpuMsPer1kRequests: null,
            trials: [0, 1, 2].map(() => ({ rps: 6000 * speed, cpuMsPer1kRequests: 500 / speed })),
          },
        ),
        kind,
      },
    ]);

  it('a command on several server cores follows the machine whole: its generic reference fills every core, a one-process server cannot', () => {
    // At 0.6× the speed, the busy share (0.35) read −28%.
    const c = compareStored(threeCores(1, 'command'), threeCores(0.6, 'command'), policy);
    expect(c.cells[0].calibration?.elasticity).toEqual({ base: 1, head: 1 });
    expect(c.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio).toBeCloseTo(1, 6);
    expect(c.cells[0].verdict).not.toBe('regressed');
    // On one server core any server can fill it: the busy share still tells a waiting command.
    expect(elasticity({ ...run(1).topologies[0], kind: 'command' })).toBeCloseTo(0.1875 / 0.95, 6);
  });

  it('gunicorn workers of an async class are judged on a generic reference: their noise widened, their busy share kept (the reference has their worker count)', () => {
    const async3 = (speed: number): Results => threeCores(speed, 'gunicorn', true);
    const c = compareStored(async3(1), async3(1), policy);
    expect(c.cells[0].calibration?.generic).toBe(true);
    expect(c.noiseSource).toContain('widened ×1.5: the reference app gauges the machine');
    expect(elasticity(async3(1).topologies[0])).toBeCloseTo(1 / 3 / 0.95, 6);
    // The same cell with a reference of its shape: not widened.
    const shaped = (r: Results): Results => ({ ...r, topologies: r.topologies.map((t) => ({ ...t, calibration: { ...t.calibration!, generic: undefined } })) });
    expect(compareStored(shaped(async3(1)), shaped(async3(1)), policy).noiseSource).not.toContain('widened');
  });

  it('the history of its baselines records the same near-zero movement', () => {
    const entry = historyEntry(run(1), run(0.6)).cells.sync;
    expect(entry.normalized).toBe(true);
    expect(Math.abs(entry.rps!)).toBeLessThan(0.1);
    // CPU: the part of the swing the middle elasticity leaves, a fraction of the raw 0.51.
    expect(Math.abs(entry.cpu!)).toBeLessThan(0.2);
  });

  it('a change that makes it CPU-bound is a regression: 4 ms more CPU per request', () => {
    // 3 / (0.015 + 0.005) = 150 req/s: the core is 75% busy, and req/s fell by a fifth.
    const c = compareStored(run(1), run(1, 5), policy);
    expect(c.cells[0].metrics.find((m) => m.metric === 'rps')!.interval.ratio).toBeCloseTo(150 / 187.5, 6);
    expect(c.cells[0].verdict).toBe('regressed');
  });
});
