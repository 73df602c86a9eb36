/**
 * bench:detect — how often verdicts raise a false alarm (A/A) and how often they detect a known
 * change, on the fixture's five topologies with default config.
 *
 *   npm run bench:detect -- --replay [--sims 2000] [--seed 1] [--corpus stored.json] [--across stored-xeon-2026-12-06.json]
 *       replays the recorded corpus (bench/corpus/): thousands of verdicts in under a minute, both
 *       modes and stored verdicts settled beside the base, effects injected into one side; rates
 *       with 95% intervals. --corpus names the stored-baseline runs to replay and fit (another
 *       machine's, say); --across another machine's, whose runs are judged as heads against
 *       baselines of --corpus.
 *   npm run bench:detect -- --stored --runs 3 [--effects 20] [--baselines 6]
 *       live stored-baseline verdicts: one baseline run (or several in a row, each carrying the
 *       history of those before, as the action's pushes record them), then A/A runs and runs
 *       slowed to −20% req/s (gunicorn-auto), each a separate measurement minutes after.
 *   npm run bench:detect -- --runs 10 [--effects 10,5] [--only gunicorn-auto]...
 *       live compare: base runs (minutes each): A/A, then FIXTURE_EXTRA_CPU_US calibrated to +10%
 *       and +5% CPU per request; the check that the corpus is representative.
 */
import { policyOf } from '../src/pipeline/pipeline.js';
import type { StoredRun } from './replay.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAb } from '../src/run/ab.js';
import { policyFrom } from '../src/compare/cells.js';
import { readConfig, selectTopologies } from '../src/config/load.js';
import type { Config } from '../src/config/types.js';
import { median } from '../src/stats/describe.js';
import { ensureFixtureBuilt, FIXTURE_CONFIG, ROOT } from '../test/support/fixture.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    effects: { type: 'string', default: '10,5' },
    only: { type: 'string', multiple: true },
    replay: { type: 'boolean', default: false },
    fit: { type: 'boolean', default: false },
    stored: { type: 'boolean', default: false },
    baselines: { type: 'string', default: '1' },
    corpus: { type: 'string', default: 'stored.json' },
    across: { type: 'string', default: 'stored-xeon-2026-12-06.json' },
    save: { type: 'string' },
    sims: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
  },
});
if (values.fit) {
  await fit();
  process.exit(0);
}
if (values.replay) {
  await replay(Number(values.sims), Number(values.seed));
  process.exit(0);
}
const runs = Number(values.runs);
const effects = values.effects.split(',').filter(Boolean).map(Number); // --effects '' runs A/A only

ensureFixtureBuilt();
const config = selectTopologies(readConfig(FIXTURE_CONFIG, ROOT), values.only ?? []);
const withExtra = (s: Config, us: number): Config => ({ ...s, app: { ...s.app, env: { ...s.app.env, FIXTURE_EXTRA_CPU_US: String(us) } } });

const policy = policyOf(config);

if (values.stored) {
  await storedLive(Number(values.runs), values.effects.split(',').filter(Boolean).map(Number), Math.max(1, Number(values.baselines)));
  process.exit(0);
}

// Calibration, interleaved like the comparison itself: the CPU-per-request ratio of gunicorn-auto
// with FIXTURE_EXTRA_CPU_US=us against without. A small effect is lost in the noise of a few
// rounds, so measure a large one (about +30%) and scale down: the busy loop is linear in us.
async function cpuEffect(us: number, rounds: number): Promise<{ ratio: number; low: number; high: number; baseUs: number }> {
  const one = selectTopologies(config, ['gunicorn-auto']);
  const calib = { ...one, compare: { ...one.compare, rounds, maxRounds: rounds } };
  const outcome = await runAb(withExtra(calib, us), calib, { policy, random: Math.random, skipBuild: true });
  const cpu = outcome.comparison.cells[0].metrics.find((m) => m.metric === 'cpu');
  return {
    ratio: cpu?.interval.ratio ?? NaN,
    low: cpu?.interval.low ?? NaN,
    high: cpu?.interval.high ?? NaN,
    baseUs: outcome.base.topologies[0].cpuMsPer1kRequests ?? NaN,
  };
}
const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`;
console.log(`bench:detect — ${config.topologies.length} topologies (${config.topologies.map((t) => t.name).join(', ')}), ${runs} runs per condition`);
console.log(
  `config: rounds ${config.compare.rounds}–${config.compare.maxRounds} within ${config.compare.maxTimeMs / 60000} min, ${config.compare.durationMs / 1000}s per measurement after ${config.compare.warmupMs / 1000}s warm-up, gate ${config.compare.gate.join('+')}, family-wise α ${config.compare.alpha}, thresholds req/s −${policy.thresholds.rpsDrop * 100}% CPU/req +${policy.thresholds.cpuRise * 100}%`,
);
const conditions: { name: string; extraUs: number }[] = [{ name: 'A/A (no change)', extraUs: 0 }];
if (effects.length) {
  const probe = await cpuEffect(0, 2);
  const bigUs = Math.round(0.3 * probe.baseUs);
  const big = await cpuEffect(bigUs, 6);
  const usPerPercent = bigUs / ((big.ratio - 1) * 100);
  console.log(
    `calibration: gunicorn-auto uses ${probe.baseUs.toFixed(0)} µs CPU/request; FIXTURE_EXTRA_CPU_US=${bigUs} adds ${pct(big.ratio)} [${pct(big.low)}, ${pct(big.high)}] over 6 rounds → ${usPerPercent.toFixed(2)} µs per 1%`,
  );
  for (const e of effects) {
    const us = Math.max(1, Math.round(e * usPerPercent));
    const check = await cpuEffect(us, 4);
    console.log(`calibration: +${e}% → FIXTURE_EXTRA_CPU_US=${us} (check over 4 rounds: ${pct(check.ratio)} [${pct(check.low)}, ${pct(check.high)}])`);
    conditions.push({ name: `A/B +${e}% CPU`, extraUs: us });
  }
}

for (const condition of conditions) {
  let flagged = 0;
  const times: number[] = [];
  const rounds: number[] = [];
  const verdicts: Record<string, number> = {};
  for (let run = 1; run <= runs; run++) {
    const start = Date.now();
    const outcome = await runAb(withExtra(config, condition.extraUs), config, { policy, random: Math.random, skipBuild: true });
    const seconds = (Date.now() - start) / 1000;
    times.push(seconds);
    const cells = outcome.comparison.cells;
    for (const c of cells) verdicts[c.verdict] = (verdicts[c.verdict] ?? 0) + 1;
    rounds.push(Math.max(...cells.map((c) => c.samples)));
    const regressed = cells.filter((c) => c.verdict === 'regressed').map((c) => c.name);
    if (regressed.length) flagged++;
    console.log(
      `  ${condition.name} run ${run}: ${regressed.length ? `REGRESSION (${regressed.join(', ')})` : 'no regression'}; cells ${cells.map((c) => `${c.name}=${c.verdict}`).join(' ')}; ${Math.max(...rounds.slice(-1))} rounds; ${seconds.toFixed(0)} s`,
    );
  }
  const rate = ((flagged / runs) * 100).toFixed(0);
  console.log(
    `${condition.name}: ${condition.extraUs ? 'detected' : 'false alarms'} in ${flagged}/${runs} runs (${rate}%); cell verdicts ${JSON.stringify(verdicts)}; wall time per verdict median ${median(times).toFixed(0)} s, max ${Math.max(...times).toFixed(0)} s; rounds median ${median(rounds)}`,
  );
}

async function replay(sims: number, seed: number): Promise<void> {
  const { abVerdict, flagged, settledVerdict, storedVerdict, wilson } = await import('./replay.js');
  const { seededRandom } = await import('../src/stats/inference.js');
  const { DEFAULT_COMPARE } = await import('../src/config/load.js');
  const { DEFAULT_THRESHOLDS } = await import('../src/compare/thresholds.js');
  const { CROSS_HARDWARE } = await import('../src/compare/noise-figures.js');
  const read = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'bench/corpus', name), 'utf8'));
  const stored = read(values.corpus);
  const interleaved = /by turns|taking turns/.test(stored.how as string);
  const ab = existsSync(path.join(ROOT, 'bench/corpus/base.json')) ? read('base.json') : null;
  const policy = policyFrom(DEFAULT_THRESHOLDS, DEFAULT_COMPARE);
  const random = seededRandom(seed);
  const effects = [
    { name: 'A/A (no change)', rps: 0, cpu: 0 },
    { name: 'req/s −5%', rps: -0.05, cpu: 0 },
    { name: 'req/s −10%', rps: -0.1, cpu: 0 },
    { name: 'req/s −20%', rps: -0.2, cpu: 0 },
    { name: 'req/s −50%', rps: -0.5, cpu: 0 },
    { name: 'req/s −70%', rps: -0.7, cpu: 0 },
    { name: 'CPU/request +5%', rps: 0, cpu: 0.05 },
    { name: 'CPU/request +10%', rps: 0, cpu: 0.1 },
  ];
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const rate = (k: number, n: number): string => {
    const w = wilson(k, n);
    return `${pct(k / n)} [${pct(w.low)}, ${pct(w.high)}]`;
  };
  const started = Date.now();
  console.log(
    `bench:detect --replay — ${stored.runs.length} stored-baseline runs and ${ab?.runs.length ?? 0} compare: base A/A runs of the corpus (bench/corpus/), ${sims} simulated verdicts per row, seed ${seed}`,
  );
  console.log(
    `defaults: thresholds req/s −${DEFAULT_THRESHOLDS.rpsDrop * 100}%, CPU/request +${DEFAULT_THRESHOLDS.cpuRise * 100}%; gate ${DEFAULT_COMPARE.gate.join('+')}; family-wise α ${policy.alpha}; a run is flagged when the step would fail (any of the five cells regressed)`,
  );
  console.log('\n| mode | trials / rounds | change | flagged (95% interval) |');
  console.log('| --- | --- | --- | --- |');
  for (const trials of [1, 2, 3]) {
    for (const effect of effects) {
      let k = 0;
      for (let i = 0; i < sims; i++)
        if (flagged(storedVerdict(stored.runs, { trials, effect: effect.rps || effect.cpu ? effect : null, interleaved }, policy, random))) k++;
      console.log(`| stored baseline | ${trials} trial${trials > 1 ? 's' : ''} | ${effect.name} | ${rate(k, sims)} |`);
    }
  }
  // As many earlier baselines as the corpus has besides the two runs compared.
  const history = stored.runs.length - 2;
  for (const [label, trials, extra] of [
    // The baseline's history: the corpus's other runs, as the repository's earlier baselines.
    [`stored, baseline with a history of ${history} runs`, 1, { history }],
    [`stored, baseline with a history of ${history} runs`, 3, { history }],
    ['stored, baseline with a history of 8 runs', 3, { history: Math.min(8, history) }],
    ['stored, baseline with a history of 5 runs', 3, { history: 5 }],
    ['stored, other CPU, calibrated', 3, { crossHardware: { residual: CROSS_HARDWARE.calibrated } }],
    [`stored, other CPU, calibrated, history of ${history} runs`, 3, { crossHardware: { residual: CROSS_HARDWARE.calibrated }, history }],
    ['stored, other CPU, no calibration', 3, { crossHardware: { residual: CROSS_HARDWARE.uncalibrated }, uncalibrated: true }],
    // The corpus's reference apps have their cells' shape: these rows assume a generic one tracks as well, under the widened prior.
    ['stored, `command` cells (generic reference)', 1, { command: true }],
    ['stored, `command` cells (generic reference)', 3, { command: true }],
    ['stored, `command` cells, other CPU', 3, { command: true, crossHardware: { residual: CROSS_HARDWARE.generic } }],
  ] as const) {
    for (const effect of [effects[0], effects[3], effects[4], effects[5]]) {
      let k = 0;
      for (let i = 0; i < sims; i++)
        if (flagged(storedVerdict(stored.runs, { trials, effect: effect.rps ? effect : null, interleaved, ...extra }, policy, random))) k++;
      console.log(`| ${label} | ${trials} trial${trials > 1 ? 's' : ''} | ${effect.name} | ${rate(k, sims)} |`);
    }
  }
  // Across hardware as measured: baselines from this corpus, heads from another machine's.
  const acrossFile = values.across && values.across !== values.corpus && existsSync(path.join(ROOT, 'bench/corpus', values.across)) ? values.across : null;
  const acrossRuns = acrossFile ? (read(acrossFile).runs as StoredRun[]) : [];
  // The cells both corpora ran; a machine that names its CPU as this corpus's is judged as the same hardware.
  const names = (runs: readonly StoredRun[]) => new Set(runs.flatMap((r) => r.topologies.map((t) => t.name)));
  const acrossNames = names(acrossRuns);
  const common = new Set([...names(stored.runs)].filter((n) => acrossNames.has(n)));
  const only = (runs: readonly StoredRun[]): StoredRun[] => runs.map((r) => ({ ...r, topologies: r.topologies.filter((t) => common.has(t.name)) }));
  const [baseRuns, across] = [only(stored.runs), only(acrossRuns)];
  const sameCpuName = acrossRuns.length > 0 && acrossRuns.every((r) => r.machine?.cpuModel === stored.runs[0]?.machine?.cpuModel);
  const another = sameCpuName ? 'another machine of the same CPU name, measured' : 'another machine, measured';
  for (const [label, extra] of acrossFile
    ? ([
        [`stored, head from ${acrossFile} (${another}; ${common.size} cells)`, {}],
        [`stored, head from ${acrossFile}, history of ${history} runs`, { history }],
      ] as const)
    : []) {
    for (const effect of [effects[0], effects[3], effects[4]]) {
      let k = 0;
      for (let i = 0; i < sims; i++)
        if (
          flagged(
            storedVerdict(baseRuns, { trials: 3, effect: effect.rps ? effect : null, interleaved, headRuns: across, sameCpuName, ...extra }, policy, random),
          )
        )
          k++;
      console.log(`| ${label} | 3 trials | ${effect.name} | ${rate(k, sims)} |`);
    }
  }
  const abSims = Math.max(200, Math.round(sims / 4));
  // compare.settle (the default on a pull request): the inconclusive cells measured beside the base.
  for (const [label, trials, extra] of ab
    ? ([
        ['stored, settled beside the base', 1, {}],
        ['stored, settled beside the base', 3, {}],
        ['stored, other CPU, calibrated, settled', 3, { crossHardware: { residual: CROSS_HARDWARE.calibrated } }],
        ['stored, other CPU, no calibration, settled', 3, { crossHardware: { residual: CROSS_HARDWARE.uncalibrated }, uncalibrated: true }],
        ['stored, `command` cells, other CPU, settled', 3, { command: true, crossHardware: { residual: CROSS_HARDWARE.generic } }],
      ] as const)
    : []) {
    for (const effect of label === 'stored, settled beside the base' && trials === 3 ? effects : [effects[0], effects[2], effects[3], effects[4]]) {
      let k = 0;
      let settledRuns = 0;
      const seconds: number[] = [];
      for (let i = 0; i < abSims; i++) {
        const o = settledVerdict(
          stored.runs,
          ab.runs,
          { trials, effect: effect.rps || effect.cpu ? effect : null, interleaved, ...extra },
          DEFAULT_COMPARE,
          policy,
          random,
        );
        if (flagged(o.comparison)) k++;
        if (o.settledCells > 0) settledRuns++;
        seconds.push(o.seconds);
      }
      const when = `${trials} trial${trials > 1 ? 's' : ''}; settled ${pct(settledRuns / abSims)} of runs, +${Math.round(median(seconds))} s median, ${Math.round([...seconds].sort((a, b) => a - b)[Math.floor(0.9 * (seconds.length - 1))])} s p90`;
      console.log(`| ${label} | ${when} | ${effect.name} | ${rate(k, abSims)} |`);
    }
  }
  for (const effect of ab ? effects : []) {
    let k = 0;
    const rounds: number[] = [];
    const seconds: number[] = [];
    for (let i = 0; i < abSims; i++) {
      const o = abVerdict(ab.runs, effect.rps || effect.cpu ? effect : null, DEFAULT_COMPARE, policy, random);
      if (flagged(o.comparison)) k++;
      rounds.push(o.rounds);
      seconds.push(o.seconds);
    }
    console.log(`| compare: base | ${median(rounds)} rounds (median), ${Math.round(median(seconds))} s | ${effect.name} | ${rate(k, abSims)} |`);
  }
  console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function storedLive(runs: number, effects: number[], baselines: number): Promise<void> {
  const { runMatrix } = await import('../src/run/matrix.js');
  const { compareStored } = await import('../src/compare/stored.js');
  const { failureMessage } = await import('../src/compare/gate.js');
  ensureFixtureBuilt();
  const fixture = selectTopologies(readConfig(FIXTURE_CONFIG, ROOT), values.only ?? []);
  const policy = policyOf(fixture);
  const { nextHistory } = await import('../src/compare/noise.js');
  const started = Date.now();
  // As the action records them on pushes: each baseline carries the history of those before it.
  // --save DIR keeps every results document, to judge again offline.
  const save = (name: string, doc: object): void => {
    if (values.save) writeFileSync(path.join(values.save, `${name}.json`), JSON.stringify(doc));
  };
  let baseline = await runMatrix(fixture, { skipBuild: true });
  save('baseline-1', baseline);
  for (let k = 1; k < baselines; k++) {
    const next = await runMatrix(fixture, { skipBuild: true });
    baseline = { ...next, noise: { ...next.noise!, history: nextHistory(baseline, next) } };
    save(`baseline-${k + 1}`, baseline);
    console.log(`  baseline ${k + 1} of ${baselines}: history ${JSON.stringify(baseline.noise!.history.at(-1)!.cells)}`);
  }
  const gunicorn = baseline.topologies.find((t) => t.name === 'gunicorn-auto');
  console.log(
    `bench:detect --stored — ${baselines} baseline${baselines > 1 ? 's' : ''} recorded (${((Date.now() - started) / 1000).toFixed(0)} s): ${baseline.topologies.map((t) => `${t.name} ${t.rps.toFixed(0)} req/s`).join(', ')}`,
  );
  const conditions = [{ name: 'A/A', extraUs: 0 }];
  for (const e of effects) {
    // A CPU-bound server on one core: req/s −e% means CPU per request × 1/(1 − e).
    const us = Math.round((gunicorn?.cpuMsPer1kRequests ?? 1000) * (1 / (1 - e / 100) - 1));
    conditions.push({ name: `req/s −${e}% (gunicorn-auto: +${us} µs CPU per request)`, extraUs: us });
  }
  for (const condition of conditions) {
    for (let run = 1; run <= runs; run++) {
      const t0 = Date.now();
      const now = await runMatrix(withExtra(fixture, condition.extraUs), { skipBuild: true });
      save(`head-${condition.extraUs}us-${run}`, now);
      const c = compareStored(baseline, now, policy, 'live baseline');
      if (run === 1) console.log(`  noise: ${c.noiseSource}`);
      const fail = failureMessage(c);
      console.log(
        `  ${condition.name} run ${run}: ${fail ? 'FAILS' : 'passes'}; ${c.cells.map((x) => `${x.name}=${x.verdict} (req/s ${x.rps.change === null ? '?' : `${(x.rps.change * 100).toFixed(0)}%`})`).join(' ')}; ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
    }
  }
}

async function fit(): Promise<void> {
  const { betweenRuns, cellDriftPrior, cellLogs, perRound, runPairs, sharedDrift, speedDrift, spreadDrift, withinRun } = await import('./fit.js');
  const read = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'bench/corpus', name), 'utf8'));
  const f = (x: { sd: number; df: number }): string => `${x.sd.toFixed(3)} (df ${x.df})`;
  for (const name of [values.corpus]) {
    if (!existsSync(path.join(ROOT, 'bench/corpus', name))) continue;
    const stored = read(name);
    console.log(`${name}: ${stored.runs.length} runs — ${stored.how}`);
    for (const metric of ['rps', 'cpu', 'p99'] as const) {
      const raw = cellLogs(stored.runs, metric, false);
      const w = withinRun(raw);
      console.log(`  ${metric}: trial ${f(w)}, runs ${f(betweenRuns(raw, w))}`);
      const prior = (cells: typeof raw, within: typeof w): string => {
        const p = cellDriftPrior(cells, within);
        return `cells' drift per run ${JSON.stringify(p.cells)}, across cells a scaled inverse χ² with ${p.nu} df (scale ${p.scale})`;
      };
      if (metric === 'p99') continue;
      const norm = cellLogs(stored.runs, metric, true);
      const wn = withinRun(norm);
      console.log(
        `  ${metric} / reference app: trial ${f(wn)}, runs ${f(betweenRuns(norm, wn))}; app and reference run means correlate ${JSON.stringify(sharedDrift(stored.runs, metric))}`,
      );
      console.log(`  ${metric}: ${prior(raw, w)}; / reference app: ${prior(norm, wn)}`);
      const pairs = runPairs(stored.runs, metric, wn.sd);
      const sd = speedDrift(pairs);
      const sp = spreadDrift(stored.runs, metric);
      console.log(
        `  ${metric} / reference app, drift against each run's own trial spread (${sp.pairs} cell pairs of runs; runs' spreads ${sp.spreads.join(' ')}): root mean square ${sp.ratio} × the larger spread, worst ${sp.worst} ×`,
      );
      console.log(
        `  ${metric} / reference app, drift as the machine's speed moved (${pairs.length} pairs of runs): two runs apart ${sd.drift.toFixed(3)} at equal speed, plus ${sd.slope.toFixed(3)} × the log ratio of the reference's speed (log-likelihood +${sd.gain} over a constant drift)`,
      );
    }
  }
  for (const name of ['base.json', 'base-back-to-back.json']) {
    if (!existsSync(path.join(ROOT, 'bench/corpus', name))) continue;
    const ab = read(name);
    console.log(`${name}: ${ab.runs.length} runs — ${ab.how}`);
    for (const metric of ['rps', 'cpu', 'p99'] as const) console.log(`  ${metric}: one round's log ratio ${f(perRound(ab.runs, metric))}`);
  }
}
