/**
 * The project's own load balancer: express in front of N instances of the app,
 * spreading requests by strategy and routing around instances that refuse connections.
 * Run as `node dist/balancer.js --port P --strategy S --upstream host:port ...`.
 */
import express from 'express';
import http from 'node:http';
import type { BalancerStrategy } from '../../config/types.js';
import { createPicker } from './strategies.js';

const DOWN_FOR_MS = 1000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export interface BalancerOptions {
  readonly port: number;
  readonly host: string;
  readonly strategy: BalancerStrategy;
  readonly upstreams: readonly { host: string; port: number }[];
}

/** Parses the balancer's command line; throws with the flag at fault. */
export function parseBalancerArgs(argv: readonly string[]): BalancerOptions {
  let port = NaN;
  let strategy = 'round-robin';
  const upstreams: { host: string; port: number }[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--port') port = Number(value);
    else if (flag === '--strategy') strategy = value;
    else if (flag === '--upstream') {
      const at = value.lastIndexOf(':');
      upstreams.push({ host: value.slice(0, at), port: Number(value.slice(at + 1)) });
    } else throw new Error(`unknown flag ${flag}`);
  }
  if (!Number.isInteger(port) || port <= 0) throw new Error(`--port must be a port number; got ${port}`);
  if (!['random', 'round-robin', 'least-connections'].includes(strategy))
    throw new Error(`--strategy must be random, round-robin or least-connections; got ${strategy}`);
  if (upstreams.length === 0 || upstreams.some((u) => !u.host || !Number.isInteger(u.port)))
    throw new Error('--upstream host:port is required, once per instance');
  return { port, host: '127.0.0.1', strategy: strategy as BalancerStrategy, upstreams };
}

/** Starts the balancer; resolves with the listening server. */
export function startBalancer(options: BalancerOptions): Promise<http.Server> {
  const pick = createPicker(options.strategy);
  const n = options.upstreams.length;
  const downUntil = new Array<number>(n).fill(0);
  const active = new Array<number>(n).fill(0);
  const served = new Array<number>(n).fill(0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // The body is buffered so a request can be retried on another instance.
  app.use(express.raw({ type: () => true, limit: '16mb' }));
  app.get('/__balancer', (_req, res) => {
    res.json({ strategy: options.strategy, served, up: downUntil.map((t) => t <= Date.now()) });
  });
  app.use((req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const tried = new Set<number>();
    const attempt = (): void => {
      const now = Date.now();
      const up = downUntil.map((t, i) => t <= now && !tried.has(i));
      const i = pick({ up, active });
      if (i < 0) {
        res.status(502).json({ error: 'no upstream instance is reachable' });
        return;
      }
      tried.add(i);
      active[i]++;
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
      headers['content-length'] = String(body.length);
      const upstream = http.request(
        { host: options.upstreams[i].host, port: options.upstreams[i].port, method: req.method, path: req.originalUrl, headers, agent },
        (upRes) => {
          served[i]++;
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
          res.writeHead(upRes.statusCode ?? 502, out);
          upRes.pipe(res);
          upRes.on('end', () => active[i]--);
          upRes.on('error', () => {
            active[i]--;
            res.destroy();
          });
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        active[i]--;
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // A refused or reset connection: the instance is down for a moment; try another.
        downUntil[i] = Date.now() + DOWN_FOR_MS;
        if (tried.size < n) attempt();
        else res.status(502).json({ error: `upstream failed: ${error.code ?? error.message}` });
      });
      upstream.end(body);
    };
    attempt();
  });
  return new Promise((resolve, reject) => {
    const server = app.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve(server)));
    server.keepAliveTimeout = 65_000;
  });
}
