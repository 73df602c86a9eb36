import http from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { distScript } from '../../src/paths.js';
import { waitHealthy } from '../../src/topology/health.js';
import { freePorts } from '../../src/topology/ports.js';
import { spawnGroup, type GroupProcess } from '../../src/topology/process.js';
import { ensureFixtureBuilt, FIXTURE_DIR, FIXTURE_PYTHON } from '../support/fixture.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

let started: GroupProcess[] = [];

async function start(command: string, port: number): Promise<GroupProcess> {
  const proc = spawnGroup(command, { label: `p${port}`, cwd: FIXTURE_DIR, env: process.env });
  started.push(proc);
  const health = await waitHealthy(`http://127.0.0.1:${port}/healthz`, 20_000, proc.exited);
  if (!health.ok) throw new Error(`not healthy: ${proc.lastOutput()}`);
  return proc;
}

/** Three real Flask instances behind the real balancer; returns the balancer URL and instances. */
async function balancer(strategy: string): Promise<{ url: string; instances: GroupProcess[] }> {
  const [front, ...ports] = await freePorts(4);
  const instances = await Promise.all(ports.map((p) => start(`${FIXTURE_PYTHON} app.py ${p}`, p)));
  await start(
    `${process.execPath} ${distScript('balancer.js')} --port ${front} --strategy ${strategy} ${ports.map((p) => `--upstream 127.0.0.1:${p}`).join(' ')}`,
    front,
  );
  return { url: `http://127.0.0.1:${front}`, instances };
}

async function pidsOf(url: string, n: number): Promise<number[]> {
  const pids: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await get(`${url}/`);
    expect(r.status).toBe(200);
    pids.push(JSON.parse(r.body).pid as number);
  }
  return pids;
}

function tally(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of pids) m.set(p, (m.get(p) ?? 0) + 1);
  return m;
}

beforeAll(() => ensureFixtureBuilt());
afterEach(async () => {
  await Promise.all(started.map((p) => p.stop()));
  started = [];
});

describe('balancer (real express balancer, real Flask instances)', () => {
  it('round-robin spreads requests evenly over the instances', async () => {
    const { url, instances } = await balancer('round-robin');
    const counts = tally(await pidsOf(url, 30));
    expect(counts.size).toBe(3);
    expect([...counts.values()]).toEqual([10, 10, 10]);
    // Every answer came from one of our instances (the shell may sit between, so compare via tally size).
    expect(instances).toHaveLength(3);
  });

  it('random reaches every instance', async () => {
    const { url } = await balancer('random');
    const counts = tally(await pidsOf(url, 60));
    expect(counts.size).toBe(3);
    for (const n of counts.values()) expect(n).toBeGreaterThan(5);
  });

  it('least-connections reaches every instance', async () => {
    const { url } = await balancer('least-connections');
    expect(tally(await pidsOf(url, 30)).size).toBe(3);
  });

  it('routes around a dead instance', async () => {
    const { url, instances } = await balancer('round-robin');
    const before = tally(await pidsOf(url, 9));
    await instances[1].stop();
    const after = await pidsOf(url, 30); // each answer is asserted 200 inside
    const alive = tally(after);
    expect(alive.size).toBe(2);
    for (const pid of alive.keys()) expect(before.has(pid)).toBe(true);
  });

  it('answers 502 when every instance is down', async () => {
    const { url, instances } = await balancer('round-robin');
    await Promise.all(instances.map((i) => i.stop()));
    const r = await get(`${url}/`);
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body).error).toMatch(/no upstream|upstream failed/);
  });
});
