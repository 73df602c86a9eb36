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
import { runMatrix } from '../src/run/matrix.js';
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
const effects = values.effects.split(',').map(Number);

ensureFixtureBuilt();
const settings = selectTopologies(loadConfig(FIXTURE_CONFIG, ROOT), values.only ?? []);
const withExtra = (s: Settings, us: number): Settings => ({ ...s, app: { ...s.app, env: { ...s.app.env, FIXTURE_EXTRA_CPU_US: String(us) } } });

// Calibration: CPU per request of the mix under gunicorn (the recommended deployment).
async function cpuPerRequestUs(extraUs: number): Promise<number> {
  const calib = selectTopologies(withExtra(settings, extraUs), ['gunicorn-auto']);
  const r = await runMatrix({ ...calib, load: { ...calib.load, warmupMs: 1000, durationMs: 3000, trials: 3 } }, { skipBuild: true });
  return r.topologies[0].cpuMsPer1kRequests ?? NaN; // ms per 1k requests = µs per request
}
console.log(`bench:detect — ${settings.topologies.length} topologies (${settings.topologies.map((t) => t.name).join(', ')}), ${runs} runs per condition`);
console.log(`settings: rounds ${settings.compare.rounds}–${settings.compare.maxRounds}, ${settings.compare.durationMs / 1000}s per measurement after ${settings.compare.warmupMs / 1000}s warm-up, gate ${settings.compare.gate.join('+')}, family-wise α ${settings.compare.alpha}`);
const c0 = await cpuPerRequestUs(0);
const conditions: { name: string; extraUs: number }[] = [{ name: 'A/A (no change)', extraUs: 0 }];
for (const e of effects) {
  // The busy loop costs a little more than it burns: measure, then correct once.
  const first = Math.round((c0 * e) / 100);
  const firstRise = (await cpuPerRequestUs(first)) / c0 - 1;
  const us = Math.max(1, Math.round(first * (e / 100 / Math.max(0.001, firstRise))));
  const measured = await cpuPerRequestUs(us);
  console.log(
    `calibration: +${e}% → FIXTURE_EXTRA_CPU_US=${us} (base ${c0.toFixed(0)} µs/request; ${first} µs gave +${(firstRise * 100).toFixed(1)}%; ${us} µs gives ${measured.toFixed(0)} µs/request, +${((measured / c0 - 1) * 100).toFixed(1)}%)`,
  );
  conditions.push({ name: `A/B +${e}% CPU`, extraUs: us });
}

const policy = policyFrom(resolveThresholds(settings.thresholds, undefined), settings.compare);
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
