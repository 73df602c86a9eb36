import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedJob, openLoadGenerator } from '../../src/load/generator.js';
import { loopbackSources } from '../../src/load/loopback.js';
import { summarizeTrial } from '../../src/results/aggregate.js';
import { median } from '../../src/stats/describe.js';
import { meanMs, mergeHistograms } from '../../src/stats/histogram.js';
import { startFixtureServer, startGunicorn } from './fixture.js';
import { runWrk } from './wrk.js';

/** A server kind the fidelity check measures. */
export interface FidelityServer {
  readonly name: string;
  /** Command with {python} and {port}. */
  readonly command: string;
}

const GUNICORN = '{python} -m gunicorn --bind 127.0.0.1:{port} --log-level warning';
export const CONNECTION_CLOSE: FidelityServer = { name: 'gunicorn sync (connection-close)', command: `${GUNICORN} --workers 5 app:app` };
export const KEEP_ALIVE: FidelityServer = {
  name: 'gunicorn gthread (keep-alive)',
  command: `${GUNICORN} --workers 5 --worker-class gthread --threads 4 --keep-alive 5 app:app`,
};
export const DEV_SERVER: FidelityServer = { name: 'Flask dev server (connection-close)', command: '{python} app.py {port}' };

export interface FidelityOptions {
  readonly rounds: number;
  readonly durationSec: number;
  readonly connections: number;
  readonly paths: readonly string[];
  /** CPU lists when pinned apart; undefined to share every core. */
  readonly serverCpus?: string;
  readonly loadgenCpus?: string;
}

export interface FidelityFigures {
  readonly ours: readonly { rps: number; p50: number; loadgenCpu: number; meanMs: number }[];
  readonly wrk: readonly { rps: number; p50: number }[];
  /** Median over rounds of ours / wrk, each round a back-to-back pair. */
  readonly rpsRatio: number;
  readonly p50Ratio: number;
}

/** Measures one server with the project's load generator and with wrk, alternating. */
export async function measureFidelity(server: FidelityServer, options: FidelityOptions): Promise<FidelityFigures> {
  const started = await startFixtureServer(server.command, {}, options.serverCpus);
  const generator = openLoadGenerator({ cpus: options.loadgenCpus });
  try {
    const job = (ms: number) =>
      closedJob({
        url: started.url,
        connections: options.connections,
        durationMs: ms,
        timeoutMs: 10_000,
        endpoints: options.paths.map((path) => ({ method: 'GET' as const, path, headers: {}, body: '', weight: 1 })),
        localAddresses: loopbackSources(8),
      });
    // Warms the server and the load generator's JIT alike.
    await generator.run(job(2000));
    await runWrk(started.url, options.paths, options.connections, 1, options.loadgenCpus);
    const ours: { rps: number; p50: number; loadgenCpu: number; meanMs: number }[] = [];
    const wrk: { rps: number; p50: number }[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? ['ours', 'wrk'] : ['wrk', 'ours'];
      for (const tool of order) {
        if (tool === 'ours') {
          const sample = await generator.run(job(options.durationSec * 1000));
          const t = summarizeTrial({ sample, serverCpuMs: null, timeWait: 0 });
          ours.push({ rps: t.rps, p50: t.latencyMs.p50, loadgenCpu: t.loadgenCpu, meanMs: meanMs(mergeHistograms(sample.endpoints.map((e) => e.histogram))) });
        } else {
          const w = await runWrk(started.url, options.paths, options.connections, options.durationSec, options.loadgenCpus);
          wrk.push({ rps: w.rps, p50: w.p50Ms });
        }
      }
    }
    return {
      ours,
      wrk,
      // Ratios of back-to-back pairs cancel the drift of a noisy machine better than whole-run medians.
      rpsRatio: median(ours.map((o, i) => o.rps / wrk[i].rps)),
      p50Ratio: median(ours.map((o, i) => o.p50 / wrk[i].p50)),
    };
  } finally {
    await generator.close();
    await started.proc.stop();
  }
}

/** What the load generator and the server each counted over one run. */
export interface ServedCount {
  /** 2xx responses the load generator recorded. */
  readonly ours: number;
  /** 2xx responses the server logged over the same run. */
  readonly server: number;
  readonly errors: number;
  readonly connections: number;
  /** Generator processes the sample says ran the job. */
  readonly generators: number;
}

/**
 * Runs the load generator once against gunicorn (with `args`) and counts the 2xx responses the
 * server wrote to its access log over the run: an exact check that does not depend on the
 * machine's speed. The server may have answered up to one request per connection that the load
 * generator dropped when its time was up.
 */
export async function countServed(
  args: readonly string[],
  options: { connections: number; durationMs: number; paths: readonly string[]; serverCpus?: string; loadgenCpus?: string; generators?: number },
): Promise<ServedCount> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flask-perf-count-'));
  const log = path.join(dir, 'access.log');
  const started = await startGunicorn([...args, '--access-logfile', log, '--access-logformat', "'%(s)s %(U)s'"], {}, options.serverCpus);
  const generator = openLoadGenerator({ cpus: Array.from({ length: options.generators ?? 1 }, () => options.loadgenCpus) });
  const lines = (): string[] => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  try {
    const before = lines().length;
    const sample = await generator.run(
      closedJob({
        url: started.url,
        connections: options.connections,
        durationMs: options.durationMs,
        timeoutMs: 10_000,
        endpoints: options.paths.map((p) => ({ method: 'GET' as const, path: p, headers: {}, body: '', weight: 1 })),
        localAddresses: loopbackSources(8),
      }),
    );
    // The server logs after it answers: wait until the log stops growing (bounded).
    let count = lines().length;
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = lines().length;
      if (now === count && i >= 2) break;
      count = now;
    }
    // Health probes are logged after they are answered, so one may land after `before`: skip them.
    const server = lines()
      .slice(before)
      .filter((l) => l.startsWith('2') && !l.endsWith(' /healthz')).length;
    const ours = sample.endpoints.reduce((n, e) => n + Object.entries(e.statuses).reduce((m, [s, c]) => (s.startsWith('2') ? m + c : m), 0), 0);
    return { ours, server, errors: sample.errors, connections: options.connections, generators: sample.generators ?? 1 };
  } finally {
    await generator.close();
    await started.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
