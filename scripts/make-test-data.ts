/**
 * Builds the committed results documents in test/data/ from real runs of the fixture app, so that
 * tests about publishing, rendering and report mode never depend on how fast the machine is today.
 * Each document is checked for the verdict it stands for before it is written.
 *
 *   node scripts/run-ts.mjs scripts/make-test-data.ts [--only capacity]
 */
import { policyOf } from '../src/pipeline/pipeline.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAb } from '../src/run/ab.js';
import { compareStored } from '../src/compare/stored.js';
import type { Comparison } from '../src/compare/types.js';
import { readConfig } from '../src/config/load.js';
import type { Config } from '../src/config/types.js';
import type { Results } from '../src/results/types.js';
import { runMatrix } from '../src/run/matrix.js';
import { ensureFixtureBuilt, FIXTURE_CONFIG, ROOT } from '../test/support/fixture.js';

const OUT = path.join(ROOT, 'test/data');
const HEAD_SHA = 'a'.repeat(40);
const BASE_SHA = 'b'.repeat(40);
const SLOW_US = '4000';

ensureFixtureBuilt();
const fixture = readConfig(FIXTURE_CONFIG, ROOT);
const config: Config = {
  ...fixture,
  load: { ...fixture.load, connections: 8, warmupMs: 500, durationMs: 2000, trials: 3, requests: fixture.load.requests.slice(0, 2) },
  topologies: [
    { name: 'gunicorn-2', kind: 'gunicorn', workers: { count: 2 }, workerClass: 'sync', threads: 1 },
    { name: 'single', kind: 'flask' },
  ],
  compare: { ...fixture.compare, rounds: 3, maxRounds: 3, durationMs: 1000, warmupMs: 300 },
};
const slow = (s: Config): Config => ({ ...s, app: { ...s.app, env: { ...s.app.env, FIXTURE_EXTRA_CPU_US: SLOW_US } } });
const policy = policyOf({ ...config, thresholds: {} });
const verdicts = (c: Comparison): string => c.cells.map((x) => `${x.name}=${x.verdict}`).join(' ');

function write(file: string, data: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
const meta = (baseSha: string | null) => ({ configPath: '.github/flask-perf.yml', eventName: 'pull_request', prNumber: 7, headSha: HEAD_SHA, baseSha });

/** Runs `make` until `ok` holds of its comparison (bounded), returning the last attempt. */
async function until<T>(what: string, make: () => Promise<{ value: T; comparison: Comparison }>, ok: (c: Comparison) => boolean): Promise<T> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const { value, comparison } = await make();
    console.log(`${what}, attempt ${attempt}: ${verdicts(comparison)}`);
    if (ok(comparison)) return value;
  }
  throw new Error(`${what}: no run gave the expected verdicts in 5 attempts`);
}
const all = (verdict: string) => (c: Comparison) => c.cells.every((x) => x.verdict === verdict);

const run = (s: Config): Promise<Results> => runMatrix(s, { skipBuild: true });
const { values: args } = parseArgs({ options: { only: { type: 'string' } } });

// Capacity searches (load.capacity): a baseline and a head whose requests cost 4 ms more CPU.
if (!args.only || args.only === 'capacity') {
  const capacity: Config = {
    ...config,
    load: { ...config.load, warmupMs: 1000, capacity: { p99Ms: 100, errorShare: 0.01, stepMs: 1000, budgetMs: 12_000 } },
    compare: { ...config.compare, gate: ['capacity'] },
  };
  const capacityPolicy = policyOf({ ...capacity, thresholds: {} });
  const searched = await run(capacity);
  write(path.join(OUT, 'capacity/baseline.json'), searched);
  const slower = await until(
    'capacity, slow head',
    async () => {
      const r = await run(slow(capacity));
      return { value: r, comparison: compareStored(searched, r, capacityPolicy) };
    },
    all('regressed'),
  );
  write(path.join(OUT, 'capacity/results.json'), slower);
  write(path.join(OUT, 'capacity/meta.json'), meta(null));
  if (args.only) process.exit(0);
}

const baseline = await run(config);
write(path.join(OUT, 'baseline.json'), baseline);

const unchanged = await until(
  'unchanged',
  async () => {
    const r = await run(config);
    return { value: r, comparison: compareStored(baseline, r, policy) };
  },
  (c) => c.cells.every((x) => x.verdict === 'unchanged' || x.verdict === 'inconclusive'),
);
write(path.join(OUT, 'unchanged/results.json'), unchanged);
write(path.join(OUT, 'unchanged/meta.json'), meta(null));

const regressed = await until(
  'regressed',
  async () => {
    const r = await run(slow(config));
    return { value: r, comparison: compareStored(baseline, r, policy) };
  },
  all('regressed'),
);
write(path.join(OUT, 'regressed/results.json'), regressed);
write(path.join(OUT, 'regressed/meta.json'), meta(null));

const ab = await until(
  'compare: base, slow head',
  async () => {
    const o = await runAb(slow(config), config, { policy, random: Math.random, skipBuild: true });
    return { value: o, comparison: o.comparison };
  },
  all('regressed'),
);
write(path.join(OUT, 'ab-regressed/results.json'), ab.head);
write(path.join(OUT, 'ab-regressed/base.json'), ab.base);
write(path.join(OUT, 'ab-regressed/meta.json'), meta(BASE_SHA));
console.log(`wrote ${OUT}`);
