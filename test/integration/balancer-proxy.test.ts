/**
 * The built-in balancer's lean proxy path, as a real process in front of real HTTP servers on
 * loopback whose behaviour each test chooses: bodies both ways, framings, keep-alive and not,
 * pipelining, HEAD, 100-continue, an instance that dies mid-answer, and the status route.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distScript } from '../../src/paths.js';
import { waitHealthy } from '../../src/topology/health.js';
import { freePort } from '../../src/topology/ports.js';
import { spawnGroup, type GroupProcess } from '../../src/topology/process.js';

/** 4 MB whose bytes differ by position: a chunk sent twice or overwritten shows. */
const BIG = Buffer.from(Array.from({ length: 4 << 20 }, (_, i) => (i * 7 + (i >> 12)) % 251));

/** An instance: answers by path; counts the connections and requests it saw. */
function instance(): Promise<{ server: http.Server; port: number; connections: number; requests: number }> {
  const state = { server: null as unknown as http.Server, port: 0, connections: 0, requests: 0 };
  state.server = http.createServer((req, res) => {
    state.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      switch (req.url ?? '') {
        case '/echo':
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-method': req.method ?? '', 'x-te': req.headers['transfer-encoding'] ?? '' });
          res.end(body);
          return;
        case '/chunked':
          // No length: Node sends it chunked.
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('part one, ');
          setTimeout(() => res.end('part two'), 20);
          return;
        case '/big':
          res.writeHead(200, { 'content-length': 4 << 20 });
          res.end(BIG);
          return;
        case '/die':
          res.writeHead(200, { 'content-length': 1000 });
          res.write('only a little');
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        case '/close':
          res.writeHead(200, { connection: 'close', 'content-length': 2 });
          res.end('ok');
          return;
        default:
          res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
          res.end(JSON.stringify({ port: state.port, url: req.url, method: req.method }));
      }
    });
  });
  state.server.keepAliveTimeout = 30_000;
  state.server.on('connection', () => state.connections++);
  return new Promise((resolve) =>
    state.server.listen(0, '127.0.0.1', () => {
      state.port = (state.server.address() as net.AddressInfo).port;
      resolve(state);
    }),
  );
}

let instances: Awaited<ReturnType<typeof instance>>[] = [];
let proc: GroupProcess;
let port = 0;

beforeAll(async () => {
  instances = await Promise.all([instance(), instance()]);
  port = await freePort();
  proc = spawnGroup(
    `${process.execPath} ${distScript('balancer.js')} --port ${port} --strategy round-robin ${instances.map((i) => `--upstream 127.0.0.1:${i.port}`).join(' ')}`,
    { label: 'balancer', cwd: process.cwd(), env: process.env },
  );
  const health = await waitHealthy(`http://127.0.0.1:${port}/__balancer`, 10_000, proc.exited);
  if (!health.ok) throw new Error(`balancer did not start: ${proc.lastOutput()}`);
});

afterAll(async () => {
  await proc?.stop();
  await Promise.all(instances.map((i) => new Promise((r) => i.server.close(r))));
  for (const i of instances) i.server.closeAllConnections();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  raw: string[];
  body: Buffer;
}

function request(options: http.RequestOptions & { body?: Buffer | string; chunks?: string[] }, agent?: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent: agent ?? false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.chunks) for (const c of options.chunks) req.write(c);
    req.end(options.body);
  });
}

/** Writes raw bytes on one connection; resolves with everything read until the balancer closes it or `ms` pass. */
function raw(bytes: string, ms = 1500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(text);
    }, ms);
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('the built-in balancer’s proxy path', () => {
  it('many requests on one keep-alive connection, spread round-robin, instance connections reused', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = instances.map((i) => ({ c: i.connections, r: i.requests }));
    const answers = [];
    for (let k = 0; k < 20; k++) answers.push(await request({ path: `/n${k}` }, agent));
    agent.destroy();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const ports = answers.map((a) => JSON.parse(a.body.toString()).port as number);
    expect(new Set(ports).size).toBe(2);
    expect(ports.filter((p) => p === instances[0].port)).toHaveLength(10);
    // Two Set-Cookie headers stay two.
    expect(answers[0].headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const requests = instances.reduce((n, i, k) => n + i.requests - before[k].r, 0);
    const connections = instances.reduce((n, i, k) => n + i.connections - before[k].c, 0);
    expect(requests).toBe(20);
    expect(connections).toBeLessThanOrEqual(4);
  });

  it('a POST body of known length and a chunked one reach the instance whole', async () => {
    const body = Buffer.from('x'.repeat(100_000) + 'end');
    const a = await request({ method: 'POST', path: '/echo', body, headers: { 'content-length': body.length } });
    expect(a.status).toBe(200);
    expect(a.body.equals(body)).toBe(true);
    const c = await request({ method: 'PUT', path: '/echo', chunks: ['first,', 'second,', 'third'], headers: { 'transfer-encoding': 'chunked' } });
    expect(c.body.toString()).toBe('first,second,third');
    expect(c.headers['x-te']).toBe('chunked');
    expect(c.headers['x-method']).toBe('PUT');
  });

  it('an answer without a length reaches an HTTP/1.1 client chunked, and an HTTP/1.0 client until the close', async () => {
    expect((await request({ path: '/chunked' })).body.toString()).toBe('part one, part two');
    const text = await raw('GET /chunked HTTP/1.0\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('Connection: close');
    expect(text.endsWith('\r\n\r\npart one, part two')).toBe(true);
  });

  it('HEAD gets the head only; 4 MB stream through whole', async () => {
    const h = await request({ method: 'HEAD', path: '/big' });
    expect(h.status).toBe(200);
    expect(h.headers['content-length']).toBe(String(4 << 20));
    expect(h.body.length).toBe(0);
    // Two at once, byte for byte: a chunk lost, sent twice or crossed between the two shows.
    const [big, other] = await Promise.all([request({ path: '/big' }), request({ path: '/big' })]);
    expect(big.body.length).toBe(4 << 20);
    expect(big.body.equals(BIG)).toBe(true);
    expect(other.body.equals(BIG)).toBe(true);
  });

  it('pipelined requests are answered in order on one connection', async () => {
    const text = await raw('GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\nGET /p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const urls = [...text.matchAll(/"url":"(\/p\d)"/g)].map((m) => m[1]);
    expect(urls).toEqual(['/p1', '/p2', '/p3']);
  });

  it('Expect: 100-continue is answered before the body is sent', async () => {
    const text = await raw('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhello');
    expect(text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
    // The instance gave no length: the answer comes chunked.
    expect(text.endsWith('\r\n\r\n5\r\nhello\r\n0\r\n\r\n')).toBe(true);
  });

  it('an instance that closes after its answer is fine; one that dies mid-answer breaks the client’s connection', async () => {
    for (let k = 0; k < 4; k++) expect((await request({ path: '/close' })).body.toString()).toBe('ok');
    await expect(request({ path: '/die' })).rejects.toThrow();
    // The balancer is still there.
    expect((await request({ path: '/after' })).status).toBe(200);
  });

  it('a malformed request is answered 400 and the connection closed', async () => {
    const text = await raw('GET / HTTP/1.1\r\nBad Header: x\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toContain('Connection: close');
  });

  it('the status route is express’s, with the count served by each instance', async () => {
    const s = await request({ path: '/__balancer' });
    const status = JSON.parse(s.body.toString()) as { strategy: string; served: number[]; up: boolean[] };
    expect(status.strategy).toBe('round-robin');
    expect(status.served).toHaveLength(2);
    expect(status.served.every((n) => n > 10)).toBe(true);
    expect(status.up).toEqual([true, true]);
  });
});
