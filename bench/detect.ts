/**
 * bench:detect — how often `compare: base` raises a false alarm (A/A: head = base) and how often it
 * detects a known slow-down (A/B: FIXTURE_EXTRA_CPU_US calibrated to +10% and +5% CPU per request),
 * on the fixture's five topologies with default settings. Prints rates and wall time per verdict.
 *
 *   npm run bench:detect -- --runs 10 [--effects 10,5] [--only gunicorn-auto]...
 */
import { parseArgs } from 'node:util';
import { runAb } from '../src/ab/run.js';
import { policyFrom } from '../src/compare/compare.js';
import { resolveThresholds } from '../src/compare/thresholds.js';
import { loadConfig, selectTopologies } from '../src/config/load.js';
import type { Settings } from '../src/config/types.js';
import { median } from '../src/stats/describe.js';
import { ensureFixtureBuilt, FIXTURE_CONFIG, ROOT } from '../test/support/fixture.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    effects: { type: 'string', default: '10,5' },
    only: { type: 'string', multiple: true },
  },
});
const runs = Number(values.runs);
const effects = values.effects.split(',').filter(Boolean).map(Number); // --effects '' runs A/A only

ensureFixtureBuilt();
const settings = selectTopologies(loadConfig(FIXTURE_CONFIG, ROOT), values.only ?? []);
const withExtra = (s: Settings, us: number): Settings => ({ ...s, app: { ...s.app, env: { ...s.app.env, FIXTURE_EXTRA_CPU_US: String(us) } } });

const policy = policyFrom(resolveThresholds(settings.thresholds, undefined), settings.compare);

// Calibration, interleaved like the comparison itself: the CPU-per-request ratio of gunicorn-auto
// with FIXTURE_EXTRA_CPU_US=us against without. A small effect is lost in the noise of a few
// rounds, so measure a large one (about +30%) and scale down: the busy loop is linear in us.
async function cpuEffect(us: number, rounds: number): Promise<{ ratio: number; low: number; high: number; baseUs: number }> {
  const one = selectTopologies(settings, ['gunicorn-auto']);
  const calib = { ...one, compare: { ...one.compare, rounds, maxRounds: rounds } };
  const outcome = await runAb(withExtra(calib, us), calib, { policy, random: Math.random, skipBuild: true });
  const cpu = outcome.comparison.cells[0].metrics.find((m) => m.metric === 'cpu');
  return { ratio: cpu?.interval.ratio ?? NaN, low: cpu?.interval.low ?? NaN, high: cpu?.interval.high ?? NaN, baseUs: outcome.base.topologies[0].cpuMsPer1kRequests ?? NaN };
}
const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`;
console.log(`bench:detect — ${settings.topologies.length} topologies (${settings.topologies.map((t) => t.name).join(', ')}), ${runs} runs per condition`);
console.log(`settings: rounds ${settings.compare.rounds}–${settings.compare.maxRounds} within ${settings.compare.maxTimeMs / 60000} min, ${settings.compare.durationMs / 1000}s per measurement after ${settings.compare.warmupMs / 1000}s warm-up, gate ${settings.compare.gate.join('+')}, family-wise α ${settings.compare.alpha}, thresholds req/s −${policy.thresholds.rpsDrop * 100}% CPU/req +${policy.thresholds.cpuRise * 100}%`);
const conditions: { name: string; extraUs: number }[] = [{ name: 'A/A (no change)', extraUs: 0 }];
if (effects.length) {
  const probe = await cpuEffect(0, 2);
  const bigUs = Math.round(0.3 * probe.baseUs);
  const big = await cpuEffect(bigUs, 6);
  const usPerPercent = bigUs / ((big.ratio - 1) * 100);
  console.log(`calibration: gunicorn-auto uses ${probe.baseUs.toFixed(0)} µs CPU/request; FIXTURE_EXTRA_CPU_US=${bigUs} adds ${pct(big.ratio)} [${pct(big.low)}, ${pct(big.high)}] over 6 rounds → ${usPerPercent.toFixed(2)} µs per 1%`);
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
    const outcome = await runAb(withExtra(settings, condition.extraUs), settings, { policy, random: Math.random, skipBuild: true });
    const seconds = (Date.now() - start) / 1000;
    times.push(seconds);
    const cells = outcome.comparison.cells;
    for (const c of cells) verdicts[c.verdict] = (verdicts[c.verdict] ?? 0) + 1;
    rounds.push(Math.max(...cells.map((c) => c.samples)));
    const regressed = cells.filter((c) => c.verdict === 'regressed').map((c) => c.name);
    if (regressed.length) flagged++;
    console.log(`  ${condition.name} run ${run}: ${regressed.length ? `REGRESSION (${regressed.join(', ')})` : 'no regression'}; cells ${cells.map((c) => `${c.name}=${c.verdict}`).join(' ')}; ${Math.max(...rounds.slice(-1))} rounds; ${seconds.toFixed(0)} s`);
  }
  const rate = ((flagged / runs) * 100).toFixed(0);
  console.log(
    `${condition.name}: ${condition.extraUs ? 'detected' : 'false alarms'} in ${flagged}/${runs} runs (${rate}%); cell verdicts ${JSON.stringify(verdicts)}; wall time per verdict median ${median(times).toFixed(0)} s, max ${Math.max(...times).toFixed(0)} s; rounds median ${median(rounds)}`,
  );
}
