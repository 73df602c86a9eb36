/**
 * bench:capacity — the capacity search on the fixture's five topologies: per topology, the highest
 * arrival rate at which p99 stays within the goal, the curve the search walked (rate → p50, p99,
 * failures) and its wall time. With --repeat N the whole matrix is searched N times, and the spread
 * of the results (log sd of repeats of the same topology) is what CAPACITY_NOISE should be. With
 * --ab each repeat is a `compare: base` A/A run: two searches of the same app by turns, step by step
 * (what compare: base does); the spread of their log ratio / √2 is one search's own spread, with
 * no drift between runs in it.
 *
 *   npm run bench:capacity -- [--p99 100ms] [--errors 1%] [--step 3s] [--budget 60s] [--repeat 1] [--only name]... [--calibrate] [--ab]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { readConfig, selectTopologies } from '../src/config/load.js';
import { parseDuration } from '../src/config/duration.js';
import { parsePercent } from '../src/config/percent.js';
import type { Config } from '../src/config/types.js';
import { runMatrix } from '../src/run/matrix.js';
import { runAb } from '../src/run/ab.js';
import { policyOf } from '../src/pipeline/pipeline.js';
import { CAPACITY_NOISE } from '../src/compare/noise-figures.js';
import type { TopologyResult } from '../src/results/types.js';
import { ensureFixtureBuilt, FIXTURE_CONFIG, ROOT } from '../test/support/fixture.js';

const { values } = parseArgs({
  options: {
    p99: { type: 'string', default: '100ms' },
    errors: { type: 'string', default: '1%' },
    step: { type: 'string', default: '3s' },
    budget: { type: 'string', default: '60s' },
    repeat: { type: 'string', default: '1' },
    only: { type: 'string', multiple: true },
    calibrate: { type: 'boolean', default: false },
    ab: { type: 'boolean', default: false },
  },
});

ensureFixtureBuilt();
const fixture = selectTopologies(readConfig(FIXTURE_CONFIG, ROOT), values.only ?? []);
const capacity = {
  p99Ms: parseDuration(values.p99)!,
  errorShare: parsePercent(values.errors)!,
  stepMs: parseDuration(values.step)!,
  budgetMs: parseDuration(values.budget)!,
};
const config: Config = { ...fixture, load: { ...fixture.load, capacity }, compare: { ...fixture.compare, calibrate: values.calibrate } };
const repeats = Math.max(1, Number(values.repeat));

console.log(
  `bench:capacity — ${config.topologies.length} topologies of the fixture, p99 ≤ ${values.p99}, failures ≤ ${values.errors}; steps of ${values.step} after 1 s at the rate, budget ${values.budget} per topology; warm-up ${config.load.warmupMs / 1000} s closed loop; ${repeats} repeat(s)${values.calibrate ? '; reference app by turns' : ''}`,
);
console.log(
  `load before: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (1, 5, 15 min) — run on an otherwise idle machine\n`,
);

if (values.ab) {
  await byTurns();
  process.exit(0);
}

const found = new Map<string, number[]>();
for (let r = 1; r <= repeats; r++) {
  const wall = new Map<string, number>();
  let last = Date.now();
  const results = await runMatrix(config, {
    skipBuild: true,
    onCell: (partial) => {
      const t = partial.topologies[partial.topologies.length - 1];
      wall.set(t.name, (Date.now() - last) / 1000);
      last = Date.now();
    },
  });
  if (repeats > 1) console.log(`## repeat ${r}\n`);
  console.log('| topology | capacity req/s | how the search ended | search time (measuring) | wall time | steps: rate → p50 / p99 ms, failures |');
  console.log('| --- | --: | --- | --: | --: | --- |');
  for (const t of results.topologies) {
    const c = t.capacity;
    if (!t.ok || !c) {
      console.log(`| ${t.name} | failed | ${(t.error ?? '').split('\n')[0]} | | | |`);
      continue;
    }
    (found.get(t.name) ?? found.set(t.name, []).get(t.name)!).push(c.rate);
    console.log(
      `| ${t.name} | ${Math.round(c.rate).toLocaleString('en-US')} | ${c.end}${c.missedAt ? ` (missed at ${Math.round(c.missedAt)})` : ''} | ${c.spentSec} s | ${wall.get(t.name)?.toFixed(0)} s | ${curve(t)} |`,
    );
  }
  console.log('');
}

if (repeats > 1) {
  // Pooled sd of the log of repeated results around each topology's mean.
  let squares = 0;
  let df = 0;
  for (const [name, rates] of found) {
    const logs = rates.filter((x) => x > 0).map(Math.log);
    if (logs.length < 2) continue;
    const m = logs.reduce((a, b) => a + b, 0) / logs.length;
    squares += logs.reduce((s, v) => s + (v - m) ** 2, 0);
    df += logs.length - 1;
    console.log(`${name}: ${rates.map((x) => Math.round(x)).join(', ')} req/s`);
  }
  if (df > 0) console.log(`\nspread of repeated searches: log sd ${Math.sqrt(squares / df).toFixed(3)} (${df} df) — CAPACITY_NOISE assumes 0.08`);
}

/** Repeats of compare: base A/A capacity runs: the log ratio head / base per topology, and its spread. */
async function byTurns(): Promise<void> {
  const logs: number[] = [];
  for (let r = 1; r <= repeats; r++) {
    const began = Date.now();
    const outcome = await runAb(config, config, { policy: policyOf(config), random: Math.random, skipBuild: true });
    console.log(`## repeat ${r} (compare: base, A/A, ${((Date.now() - began) / 1000).toFixed(0)} s)\n`);
    console.log('| topology | base req/s | head req/s | head / base | verdict |');
    console.log('| --- | --: | --: | --: | --- |');
    for (const cell of outcome.comparison.cells) {
      const base = outcome.base.topologies.find((t) => t.name === cell.name)?.capacity?.rate ?? 0;
      const head = outcome.head.topologies.find((t) => t.name === cell.name)?.capacity?.rate ?? 0;
      if (base > 0 && head > 0) logs.push(Math.log(head / base));
      console.log(`| ${cell.name} | ${Math.round(base)} | ${Math.round(head)} | ${base > 0 ? (head / base).toFixed(3) : '–'} | ${cell.verdict} |`);
    }
    console.log('');
  }
  if (logs.length < 2) return;
  // A/A: the true log ratio is 0, so every ratio is a degree of freedom.
  const sd = Math.sqrt(logs.reduce((s, v) => s + v * v, 0) / logs.length);
  console.log(
    `log ratios: ${logs.map((v) => v.toFixed(3)).join(', ')}\none search's own spread: ${(sd / Math.SQRT2).toFixed(3)} (log sd of the ratio ${sd.toFixed(3)} / √2, ${logs.length} df) — CAPACITY_NOISE assumes ${CAPACITY_NOISE.sd}`,
  );
}

function curve(t: TopologyResult): string {
  return [...t.capacity!.steps]
    .sort((a, b) => a.rate - b.rate)
    .map(
      (s) =>
        `${Math.round(s.rate)} → ${s.p50Ms.toFixed(0)} / ${s.p99Ms.toFixed(0)}${s.errorShare ? `, ${(s.errorShare * 100).toFixed(1)}%` : ''} ${s.pass ? '✓' : '✗'}`,
    )
    .join(' · ');
}
