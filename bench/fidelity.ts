/**
 * bench:fidelity — the project's load generator against wrk (the reference), alternating in one
 * run, on a connection-close server (gunicorn sync) and a keep-alive server (gunicorn gthread),
 * with load generator and server pinned apart and sharing all cores. Figures only, no asserts.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ensureFixtureBuilt } from '../test/support/fixture.js';
import { CONNECTION_CLOSE, DEV_SERVER, KEEP_ALIVE, measureFidelity } from '../test/support/fidelity.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    paths: { type: 'string', default: '/,/cpu-bound,/io-bound' },
  },
});
const base = { rounds: Number(values.rounds), durationSec: Number(values.duration), connections: Number(values.connections), paths: values.paths.split(',') };
const placements = [
  { name: 'pinned apart (server cpu 1, load generator cpu 0)', serverCpus: '1', loadgenCpus: '0' },
  { name: 'sharing all cores (unpinned)', serverCpus: undefined, loadgenCpus: undefined },
];

ensureFixtureBuilt();
console.log(`bench:fidelity — ${base.rounds} alternating rounds of ${base.durationSec}s per tool, ${base.connections} connections, paths ${base.paths.join(' ')}, ${os.availableParallelism()} cores`);
for (const placement of os.availableParallelism() >= 2 ? placements : placements.slice(1)) {
  console.log(`\n## ${placement.name}`);
  for (const server of [CONNECTION_CLOSE, KEEP_ALIVE, DEV_SERVER]) {
    const f = await measureFidelity(server, { ...base, serverCpus: placement.serverCpus, loadgenCpus: placement.loadgenCpus });
    console.log(`${server.name}`);
    console.log(`  req/s   ours ${f.ours.map((x) => x.rps.toFixed(0)).join(', ')}  |  wrk ${f.wrk.map((x) => x.rps.toFixed(0)).join(', ')}`);
    console.log(`  p50 ms  ours ${f.ours.map((x) => x.p50.toFixed(1)).join(', ')}  |  wrk ${f.wrk.map((x) => x.p50.toFixed(1)).join(', ')}`);
    console.log(`  load generator CPU (share of a core): ${f.ours.map((x) => x.loadgenCpu.toFixed(2)).join(', ')}`);
    console.log(`  req/s ratio ours/wrk (median of paired rounds): ${f.rpsRatio.toFixed(3)}    p50 ratio: ${f.p50Ratio.toFixed(3)}`);
  }
}
