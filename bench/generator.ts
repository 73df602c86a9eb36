/**
 * bench:generator — how many requests per second the load generator drives per core, against wrk
 * (one thread) on the same core, on a server that costs almost nothing: nginx `return 200`, with
 * keep-alive and with every connection closed after its response. Server on cpu 1, generators on
 * cpu 0, interleaved back-to-back pairs; prints medians of the pairs with their spread.
 *
 *   npm run bench:generator -- [--rounds 5] [--duration 3] [--connections 64]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closedJob, openLoadGenerator } from '../src/load/generator.js';
import { loopbackSources } from '../src/load/loopback.js';
import { summarizeTrial } from '../src/results/aggregate.js';
import { median } from '../src/stats/describe.js';
import { startFixtureServer } from '../test/support/fixture.js';
import { runWrk } from '../test/support/wrk.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, duration: { type: 'string', default: '3' }, connections: { type: 'string', default: '64' } },
});
const rounds = Math.max(3, Number(values.rounds));
const durationSec = Number(values.duration);
const connections = Number(values.connections);
const dir = mkdtempSync(path.join(os.tmpdir(), 'flask-perf-bench-nginx-'));

function nginxConf(keepAlive: boolean): string {
  return [
    'worker_processes 1; pid nginx.pid; error_log stderr error; daemon off;',
    'events { worker_connections 4096; }',
    'http { access_log off; client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp; scgi_temp_path tmp;',
    `  keepalive_timeout ${keepAlive ? '65s' : '0'}; keepalive_requests 1000000;`,
    '  server { listen 127.0.0.1:PORT; location / { return 200 "ok\\n"; } } }',
    '',
  ].join('\n');
}

function spread(values: readonly number[], digits = 3): string {
  const s = [...values].sort((a, b) => a - b);
  return `${median(s).toFixed(digits)} (range ${s[0].toFixed(digits)}–${s[s.length - 1].toFixed(digits)}, n=${s.length})`;
}

console.log(`bench:generator — ${rounds} interleaved pairs of ${durationSec} s, ${connections} connections; nginx return 200 on cpu 1, generators on cpu 0`);
console.log(
  `load: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (1, 5, 15 min) — run on an otherwise idle machine\n`,
);
console.log('| workload | ours req/s | wrk req/s | ratio ours/wrk (median of pairs) | our CPU (busiest process, share of its core) |');
console.log('| --- | --: | --: | --- | --: |');
try {
  for (const keepAlive of [true, false]) {
    const name = keepAlive ? 'keep-alive' : 'connection-close';
    const sub = path.join(dir, name);
    mkdirSafe(sub);
    writeFileSync(path.join(sub, 'nginx.tmpl'), nginxConf(keepAlive));
    const server = await startFixtureServer(`sed s/PORT/{port}/ ${sub}/nginx.tmpl > ${sub}/nginx.conf && exec nginx -p ${sub} -c ${sub}/nginx.conf`, {}, '1');
    // One process on cpu 0; where the machine has a third core, two processes on cpus 0 and 2 (wrk: two threads there).
    const variants = [{ processes: 1, cpus: '0' }, ...(os.availableParallelism() >= 3 ? [{ processes: 2, cpus: '0,2' }] : [])];
    try {
      for (const v of variants) await measureVariant(name, server.url, v.processes, v.cpus);
    } finally {
      await server.proc.stop();
    }
  }
  if (os.availableParallelism() < 3) console.log('\n2 generator processes: not measured here (it needs 3 cores: the server on cpu 1, generators on 0 and 2).');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function measureVariant(name: string, url: string, processes: number, cpus: string): Promise<void> {
  const generator = openLoadGenerator({ cpus: cpus.split(',').slice(0, processes) });
  try {
    const job = (ms: number) =>
      closedJob({
        url,
        connections,
        durationMs: ms,
        timeoutMs: 10_000,
        endpoints: [{ method: 'GET', path: '/', headers: {}, body: '', weight: 1 }],
        localAddresses: loopbackSources(8),
      });
    await generator.run(job(2000));
    await runWrk(url, ['/'], connections, 1, cpus, processes);
    const ours: { rps: number; cpu: number }[] = [];
    const wrk: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const tool of r % 2 === 0 ? ['ours', 'wrk'] : ['wrk', 'ours']) {
        if (tool === 'ours') {
          const t = summarizeTrial({ sample: await generator.run(job(durationSec * 1000)), serverCpuMs: null, timeWait: 0 });
          ours.push({ rps: t.rps, cpu: t.loadgenCpu });
        } else {
          wrk.push((await runWrk(url, ['/'], connections, durationSec, cpus, processes)).rps);
        }
      }
    }
    const ratios = ours.map((o, i) => o.rps / wrk[i]);
    console.log(
      `| ${name}, ${processes} process${processes > 1 ? 'es' : ''} (cpu ${cpus}) | ${median(ours.map((o) => o.rps)).toFixed(0)} | ${median(wrk).toFixed(0)} | ${spread(ratios)} | ${median(ours.map((o) => o.cpu)).toFixed(2)} |`,
    );
  } finally {
    await generator.close();
  }
}

function mkdirSafe(p: string): void {
  rmSync(p, { recursive: true, force: true });
  mkdirSync(p, { recursive: true });
}
