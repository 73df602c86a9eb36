/**
 * bench:fidelity — the project's load generator against wrk (the reference), in interleaved
 * back-to-back pairs, on connection-close and keep-alive servers, pinned apart and sharing all
 * cores. Prints the median ratio of the pairs with its spread; figures only, no asserts. 20 pairs
 * by default: gunicorn gthread's p50 flips between two levels from run to run, for wrk too.
 *
 *   npm run bench:fidelity -- [--rounds 20] [--duration 2] [--connections 64] [--placement pinned|shared|both]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { median } from '../src/stats/describe.js';
import { ensureFixtureBuilt } from '../test/support/fixture.js';
import { CONNECTION_CLOSE, DEV_SERVER, KEEP_ALIVE, measureFidelity } from '../test/support/fidelity.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    duration: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    paths: { type: 'string', default: '/,/cpu-bound,/io-bound' },
    placement: { type: 'string', default: 'both' },
  },
});
const base = {
  rounds: Math.max(10, Number(values.rounds)),
  durationSec: Number(values.duration),
  connections: Number(values.connections),
  paths: values.paths.split(','),
};
const placements = [
  { key: 'pinned', name: 'pinned apart (server cpu 1, load generator cpu 0)', serverCpus: '1', loadgenCpus: '0' },
  { key: 'shared', name: 'sharing all cores (unpinned)', serverCpus: undefined, loadgenCpus: undefined },
].filter((p) => values.placement === 'both' || values.placement === p.key);

/** "0.991 (IQR 0.962–1.015, range 0.90–1.08)" of the per-pair ratios. */
function spread(ratios: readonly number[]): string {
  const s = [...ratios].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
  return `${median(s).toFixed(3)} (IQR ${q(0.25).toFixed(3)}–${q(0.75).toFixed(3)}, range ${s[0].toFixed(2)}–${s[s.length - 1].toFixed(2)}, n=${s.length})`;
}

ensureFixtureBuilt();
console.log(
  `bench:fidelity — ${base.rounds} interleaved pairs of ${base.durationSec}s per server, ${base.connections} connections, paths ${base.paths.join(' ')}, ${os.availableParallelism()} cores`,
);
console.log(
  `load: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (1, 5, 15 min) — run on an otherwise idle machine`,
);
for (const placement of os.availableParallelism() >= 2 ? placements : placements.filter((p) => p.key === 'shared')) {
  console.log(`\n## ${placement.name}`);
  console.log('| server | req/s ratio ours/wrk, median of pairs | p50 ratio | ours req/s (median) | wrk req/s (median) | load generator CPU |');
  console.log('| --- | --- | --- | --: | --: | --: |');
  for (const server of [CONNECTION_CLOSE, KEEP_ALIVE, DEV_SERVER]) {
    const f = await measureFidelity(server, { ...base, serverCpus: placement.serverCpus, loadgenCpus: placement.loadgenCpus });
    const rps = f.ours.map((o, i) => o.rps / f.wrk[i].rps);
    const p50 = f.ours.map((o, i) => o.p50 / f.wrk[i].p50);
    console.log(
      `| ${server.name} | ${spread(rps)} | ${spread(p50)} | ${median(f.ours.map((o) => o.rps)).toFixed(0)} | ${median(f.wrk.map((w) => w.rps)).toFixed(0)} | ${median(f.ours.map((o) => o.loadgenCpu)).toFixed(2)} |`,
    );
  }
}
