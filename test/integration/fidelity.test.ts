import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { median } from '../../src/stats/describe.js';
import { ensureFixtureBuilt } from '../support/fixture.js';
import { CONNECTION_CLOSE, countServed, DEV_SERVER, KEEP_ALIVE, measureFidelity, type FidelityServer } from '../support/fidelity.js';

beforeAll(() => ensureFixtureBuilt());

// Pinned apart, the two load generators do not compete with the server for CPU.
const pinned = os.availableParallelism() >= 2 ? { serverCpus: '1', loadgenCpus: '0' } : {};
const PATHS = ['/', '/cpu-bound', '/io-bound'];

// These checks catch a broken load generator whatever the machine's speed today: the exact count
// against the server's own log, and Little's law, hold on a loaded machine too. The comparison with
// wrk only has wide bounds: with another process on one core, our ratio was seen as low as 0.58
// while the generator was healthy. Precise fidelity is `npm run bench:fidelity`.
describe('the load generator counts every response once', () => {
  const cases = [
    { what: 'connection-close (gunicorn sync)', args: ['--workers', '3'], generators: 1 },
    { what: 'keep-alive (gunicorn gthread)', args: ['--workers', '2', '--worker-class', 'gthread', '--threads', '4', '--keep-alive', '5'], generators: 1 },
    // Two processes share the job: their counts add up to the server's, none counted twice.
    { what: 'two generator processes, connection-close', args: ['--workers', '3'], generators: 2 },
  ];
  for (const c of cases) {
    it(`against the server's access log: ${c.what}`, async () => {
      const n = await countServed(c.args, { connections: 32, durationMs: 2000, paths: PATHS, generators: c.generators, ...pinned });
      console.log(`${c.what}: ours ${n.ours} 2xx, server ${n.server} 2xx, errors ${n.errors}, ${n.generators} generator processes`);
      expect(n.generators).toBe(c.generators);
      expect(n.errors).toBe(0);
      expect(n.ours).toBeGreaterThan(0);
      // Never more than the server sent (a doubled count); at most one answer per connection
      // dropped when the time was up (a lost response shows as more).
      expect(n.ours).toBeLessThanOrEqual(n.server);
      expect(n.server - n.ours).toBeLessThanOrEqual(n.connections);
    });
  }
});

describe('fidelity against wrk (the reference)', () => {
  const check = (server: FidelityServer) => async () => {
    // Short back-to-back pairs: only measurements close in time see the same machine.
    const f = await measureFidelity(server, { rounds: 6, durationSec: 1, connections: 32, paths: PATHS, ...pinned });
    const little = f.ours.map((o) => ((o.meanMs / 1000) * o.rps) / 32);
    console.log(
      `${server.name}: req/s ours ${f.ours.map((x) => x.rps.toFixed(0)).join(', ')} | wrk ${f.wrk.map((x) => x.rps.toFixed(0)).join(', ')}` +
        ` → ratio ${f.rpsRatio.toFixed(3)}; p50 ratio ${f.p50Ratio.toFixed(3)}; Little's law ${little.map((l) => l.toFixed(2)).join(', ')}`,
    );
    // The unpatched client read 0.05× of wrk on connection-close servers; a doubled count reads 2×.
    expect(f.rpsRatio).toBeGreaterThan(0.4);
    expect(f.rpsRatio).toBeLessThan(1.6);
    // Little's law: with every connection always waiting, mean latency × req/s = connections
    // (0.88–0.97 seen on a loaded machine, once 0.69 in a 1 s trial that began with a stall).
    // Timing a retry from a lost write breaks it in every trial (about 0.2).
    expect(median(little)).toBeGreaterThan(0.8);
    for (const l of little) expect(l).toBeGreaterThan(0.5);
    for (const l of little) expect(l).toBeLessThan(1.05);
  };
  it('on a connection-close server (gunicorn sync)', check(CONNECTION_CLOSE));
  it('on a keep-alive server (gunicorn gthread)', check(KEEP_ALIVE));
  it('on the Flask dev server (connection-close, where unpatched autocannon 9.0.0 saw 10 req/s)', check(DEV_SERVER));
});
