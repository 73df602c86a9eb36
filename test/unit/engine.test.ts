/**
 * The load generator's engine against real HTTP servers on loopback, in this process: what it
 * counts is what the servers answered, whatever the connection handling.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runJob } from '../../src/load/engine.js';
import type { LoadJob, LoadStage } from '../../src/load/types.js';
import { decodeHistogram, percentileMs } from '../../src/stats/histogram.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server on a free loopback port that counts what it answered. */
async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; answered: () => number; connections: () => number }> {
  let answered = 0;
  let connections = 0;
  const server = http.createServer((req, res) => {
    res.on('finish', () => answered++);
    handler(req, res);
  });
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answered: () => answered, connections: () => connections };
}

const job = (url: string, stages: LoadStage[], extra: Partial<LoadJob> = {}): LoadJob => ({
  url,
  stages,
  maxConnections: 50,
  timeoutMs: 2000,
  endpoints: [{ method: 'GET', path: '/', headers: {}, body: '', weight: 1 }],
  localAddresses: [],
  ...extra,
});
const total = (s: Awaited<ReturnType<typeof runJob>>): number => s.endpoints.reduce((n, e) => n + e.responses, 0);

describe('closed model', () => {
  it('keep-alive: every response it counts the server sent, and at most one per connection is in flight at the end', async () => {
    const s = await serve((_q, res) => res.end('ok'));
    const sample = await runJob(job(s.url, [{ durationMs: 500, connections: 8 }]));
    expect(total(sample)).toBeGreaterThan(100);
    expect(s.answered() - total(sample)).toBeGreaterThanOrEqual(0);
    expect(s.answered() - total(sample)).toBeLessThanOrEqual(8);
    expect(s.connections()).toBe(8);
    expect(sample).toMatchObject({ errors: 0, timeouts: 0, elapsedMs: 500 });
    expect(sample.endpoints[0].statuses).toEqual({ '200': total(sample) });
  });

  it('connection-close: a fresh connection per request, none lost', async () => {
    const s = await serve((_q, res) => {
      res.setHeader('Connection', 'close');
      res.end('bye');
    });
    const sample = await runJob(job(s.url, [{ durationMs: 500, connections: 4 }]));
    expect(total(sample)).toBeGreaterThan(50);
    expect(s.answered() - total(sample)).toBeLessThanOrEqual(4);
    expect(s.connections()).toBeGreaterThanOrEqual(total(sample));
    expect(sample.errors).toBe(0);
  });

  it('chunked bodies, non-2xx statuses and the traffic mix are counted per endpoint', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/missing') {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.write('part one, ');
      res.end('part two');
    });
    const endpoints = [
      { method: 'GET' as const, path: '/', headers: {}, body: '', weight: 2 },
      { method: 'GET' as const, path: '/missing', headers: {}, body: '', weight: 1 },
    ];
    const sample = await runJob(job(s.url, [{ durationMs: 800, connections: 3 }], { endpoints }));
    const [ok, missing] = sample.endpoints;
    expect(Object.keys(ok.statuses)).toEqual(['200']);
    expect(Object.keys(missing.statuses)).toEqual(['404']);
    // 2:1 over every cycle of the mix, give or take the requests in flight at the end.
    expect(Math.abs(ok.responses - 2 * missing.responses)).toBeLessThanOrEqual(6);
    expect(sample.seconds.reduce((n, x) => n + x.non2xx, 0)).toBe(missing.responses);
  });

  it('a request with no answer times out, counts as an error, and its connection is replaced', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.end('ok');
    });
    const endpoints = [
      { method: 'GET' as const, path: '/', headers: {}, body: '', weight: 1 },
      { method: 'GET' as const, path: '/hang', headers: {}, body: '', weight: 1 },
    ];
    const sample = await runJob(job(s.url, [{ durationMs: 1200, connections: 2 }], { endpoints, timeoutMs: 200 }));
    expect(sample.timeouts).toBeGreaterThanOrEqual(4);
    expect(sample.errors).toBe(sample.timeouts);
    expect(sample.errorCodes).toEqual({ timeout: sample.timeouts });
    expect(sample.endpoints[0].responses).toBeGreaterThanOrEqual(sample.timeouts - 2);
  });

  it('a request sent within the window is awaited: its latency counts though the answer comes after the end, and one past the timeout is a timeout', async () => {
    // Longer than the window (a 1 s slice, here 400 ms): before, such an endpoint read no answer, no latency and no failure.
    const s = await serve((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('ok'), 700);
    });
    const slow = [{ method: 'GET' as const, path: '/slow', headers: {}, body: '', weight: 1 }];
    const late = await runJob(job(s.url, [{ durationMs: 400, connections: 4 }], { endpoints: slow }));
    expect(late.endpoints[0].responses).toBe(0);
    const h = decodeHistogram(late.endpoints[0].histogram);
    expect(h.totalCount).toBe(4);
    expect(percentileMs(h, 50)).toBeGreaterThanOrEqual(690);
    expect(late).toMatchObject({ errors: 0, timeouts: 0 });
    // Past its timeout (300 ms) the same requests are the window's failures, in its last second.
    const timedOut = await runJob(job(s.url, [{ durationMs: 400, connections: 4 }], { endpoints: slow, timeoutMs: 300 }));
    expect(timedOut.timeouts).toBeGreaterThanOrEqual(4);
    expect(timedOut.errors).toBe(timedOut.timeouts);
    expect(timedOut.seconds.reduce((n, x) => n + x.timeouts, 0)).toBe(timedOut.timeouts);
  });

  it('a refused port: errors by code, retried at a bounded pace', async () => {
    const s = await serve((_q, res) => res.end());
    const port = new URL(s.url).port;
    await new Promise((r) => servers.pop()!.close(r));
    const sample = await runJob(job(`http://127.0.0.1:${port}`, [{ durationMs: 500, connections: 2 }]));
    expect(Object.keys(sample.errorCodes)).toEqual(['ECONNREFUSED']);
    // 2 connections retrying every 10 ms for 0.5 s: about 100, never a spin of thousands.
    expect(sample.errors).toBeGreaterThan(10);
    expect(sample.errors).toBeLessThan(200);
    expect(total(sample)).toBe(0);
  });

  it('stages change the number of connections', async () => {
    const open = new Set<unknown>();
    let most = 0;
    const s = await serve((req, res) => {
      // One listener a connection, not one a request (keep-alive carries many).
      if (!open.has(req.socket)) {
        open.add(req.socket);
        req.socket.once('close', () => open.delete(req.socket));
      }
      most = Math.max(most, open.size);
      res.end('ok');
    });
    const sample = await runJob(
      job(s.url, [
        { durationMs: 300, connections: 2 },
        { durationMs: 300, connections: 6 },
      ]),
    );
    expect(most).toBe(6);
    expect(sample.elapsedMs).toBe(600);
  });

  it('second by second: the samples add up to the totals', async () => {
    const s = await serve((_q, res) => res.end('ok'));
    const sample = await runJob(job(s.url, [{ durationMs: 1500, connections: 4 }]));
    expect(sample.seconds).toHaveLength(2);
    expect(sample.seconds.reduce((n, x) => n + x.responses, 0)).toBe(total(sample));
    const counted = sample.seconds.map((x) => (x.histogram ? decodeHistogram(x.histogram).totalCount : 0));
    expect(counted).toEqual(sample.seconds.map((x) => x.responses));
    expect(sample.seconds[0].loadgenCpuMs).toBeGreaterThan(0);
  });
});

describe('open model', () => {
  it('keeps the schedule: requests sent at the rate, whatever the answers take', async () => {
    const s = await serve((_q, res) => setTimeout(() => res.end('ok'), 20));
    const sample = await runJob(job(s.url, [{ durationMs: 1000, rate: 200 }]));
    const sent = sample.seconds.reduce((n, x) => n + x.sent, 0);
    expect(Math.abs(sent - 200)).toBeLessThanOrEqual(4);
    expect(Math.abs(total(sample) - 200)).toBeLessThanOrEqual(10);
    expect(sample.backlog).toBe(0);
  });

  it('measures from the intended send time: a stall counts for every request it delayed', async () => {
    let stalled = false;
    const s = await serve((_q, res) => {
      if (!stalled) {
        stalled = true;
        setTimeout(() => res.end('late'), 500);
        return;
      }
      res.end('ok');
    });
    // One connection: every request queued behind the stall waits for it.
    const sample = await runJob(job(s.url, [{ durationMs: 1000, rate: 100 }], { maxConnections: 1 }));
    const h = decodeHistogram(sample.endpoints[0].histogram);
    // About 50 requests were due during the 500 ms stall; each waited up to 500 ms.
    expect(h.getValueAtPercentile(90) / 1000).toBeGreaterThan(100);
    expect(h.maxValue / 1000).toBeGreaterThan(450);
  });
});
