/**
 * bench:balancer — the built-in balancer against nginx and haproxy, each in front of the same app
 * instances (the fixture's Flask dev servers by default), measured the way a run measures a
 * `kind: balancer` topology: servers pinned to the server cores, the load generator to its own,
 * each front in fresh cells, the three interleaved in a new random order every round. Prints the
 * median of the rounds with its range, and each front against nginx.
 *
 *   npm run bench:balancer -- [--rounds 5] [--duration 5s] [--instances 5] [--connections 64] [--paths /,/cpu-bound,/io-bound] [--strategy round-robin]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { readConfig } from '../src/config/load.js';
import type { BalancerEngine, BalancerStrategy, Config } from '../src/config/types.js';
import { runMatrix } from '../src/run/matrix.js';
import { median } from '../src/stats/describe.js';
import { seededRandom } from '../src/stats/inference.js';
import { shuffled } from '../src/run/schedule.js';
import { ensureFixtureBuilt, FIXTURE_CONFIG, ROOT } from '../test/support/fixture.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5s' },
    warmup: { type: 'string', default: '2s' },
    instances: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    paths: { type: 'string', default: '/,/cpu-bound,/io-bound' },
    strategy: { type: 'string', default: 'round-robin' },
    engines: { type: 'string', default: 'node,nginx,haproxy' },
    seed: { type: 'string', default: '1' },
  },
});
const engines = values.engines.split(',') as BalancerEngine[];
const rounds = Math.max(3, Number(values.rounds));

ensureFixtureBuilt();
const fixture = readConfig(FIXTURE_CONFIG, ROOT, { duration: values.duration, warmup: values.warmup, trials: 1, connections: Number(values.connections) });
const config: Config = {
  ...fixture,
  load: { ...fixture.load, requests: values.paths.split(',').map((p) => ({ method: 'GET', path: p, headers: {}, body: '', weight: 1 })) },
  topologies: engines.map((engine) => ({
    name: engine,
    kind: 'balancer',
    instances: Number(values.instances),
    strategy: values.strategy as BalancerStrategy,
    engine,
  })),
  compare: { ...fixture.compare, calibrate: false },
};

interface Row {
  rps: number[];
  p50: number[];
  p99: number[];
  cpu: number[];
  failures: number[];
}
const rows = new Map<string, Row>(engines.map((e) => [e, { rps: [], p50: [], p99: [], cpu: [], failures: [] }]));
const random = seededRandom(Number(values.seed));
console.log(
  `bench:balancer — ${engines.join(', ')} in front of ${values.instances} fixture instances (Flask dev server), ${values.strategy}; ${config.load.connections} connections, ${values.paths}; ${rounds} rounds of ${values.duration} after ${values.warmup} warm-up, fronts in a random order each round`,
);
console.log(
  `load before: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (1, 5, 15 min) — run on an otherwise idle machine`,
);
for (let round = 1; round <= rounds; round++) {
  const order = shuffled(config.topologies, random);
  const results = await runMatrix({ ...config, topologies: order }, { skipBuild: true });
  for (const t of results.topologies) {
    if (!t.ok) {
      console.log(`  round ${round}: ${t.name} failed: ${t.error}`);
      // Kept as a gap, so the fronts' rounds stay paired.
      for (const v of Object.values(rows.get(t.name)!)) v.push(NaN);
      continue;
    }
    const row = rows.get(t.name)!;
    row.rps.push(t.rps);
    row.p50.push(t.latencyMs.p50);
    row.p99.push(t.latencyMs.p99);
    row.cpu.push(t.cpuMsPer1kRequests ?? NaN);
    row.failures.push(t.failuresPerSec);
  }
  console.log(
    `  round ${round}: ${results.topologies.map((t) => `${t.name} ${t.rps.toFixed(0)} req/s, ${t.cpuMsPer1kRequests?.toFixed(0)} ms CPU/1k`).join('; ')}`,
  );
}

const spread = (v: readonly number[], digits = 0): string => {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? `${median(s).toFixed(digits)} (${s[0].toFixed(digits)}–${s[s.length - 1].toFixed(digits)})` : '—';
};
const nginx = rows.get('nginx');
// The host's speed swings between rounds: a front is set against nginx round by round (the same
// minutes of the machine), and the median of those ratios is the figure.
// Every front has one entry per round (a failed round is NaN), so the two line up.
const vsNginx = (mine: readonly number[], theirs: readonly number[] | undefined): string =>
  theirs?.length
    ? spread(
        mine.map((m, i) => m / theirs[i]),
        3,
      )
    : '—';
console.log(
  '\n| front | req/s | p50 ms | p99 ms | CPU ms per 1k requests (front + instances) | failures/s | req/s / nginx, by round | CPU / nginx, by round |',
);
console.log('| --- | --: | --: | --: | --: | --: | --: | --: |');
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${spread(r.rps)} | ${spread(r.p50, 1)} | ${spread(r.p99, 1)} | ${spread(r.cpu)} | ${spread(r.failures, 2)} | ${vsNginx(r.rps, nginx?.rps)} | ${vsNginx(r.cpu, nginx?.cpu)} |`,
  );
}
