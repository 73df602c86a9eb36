/**
 * The fronts a `kind: balancer` topology can put before its instances: the built-in balancer
 * (`node`), nginx or haproxy. For the last two the tool writes the proxy's config itself, in the
 * cell's folder, and starts the proxy in the foreground (pure: the binary's path is given).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { BalancerEngine, BalancerStrategy } from '../../config/types.js';
import { LOOPBACK, shellQuote } from '../shell.js';

/** A front to start: its command, and the files it needs in the cell's folder first. */
export interface FrontPlan {
  readonly label: string;
  readonly command: string;
  readonly files: readonly { readonly name: string; readonly text: string }[];
}

/** What a front needs to know. */
export interface FrontContext {
  readonly port: number;
  readonly upstreamPorts: readonly number[];
  readonly strategy: BalancerStrategy;
  /** The cell's scratch folder (absolute). */
  readonly dir: string;
  /** Absolute paths of Node and of the bundled balancer script (engine node). */
  readonly node: string;
  readonly balancerScript: string;
  /** Absolute path of the proxy's binary (engines nginx, haproxy). */
  readonly binary: string;
}

/** Binary each engine runs; none for the built-in one. */
export const ENGINE_BINARY: Readonly<Record<BalancerEngine, string | null>> = { node: null, nginx: 'nginx', haproxy: 'haproxy' };

/** Debian's package of each binary, named in the error when it is missing. */
export const ENGINE_PACKAGE: Readonly<Record<string, string>> = { nginx: 'nginx-light', haproxy: 'haproxy' };

// An instance that refuses connections is skipped for a second, as the built-in balancer does.
const NGINX_STRATEGY: Record<BalancerStrategy, string> = { 'round-robin': '', random: 'random;', 'least-connections': 'least_conn;' };
const HAPROXY_STRATEGY: Record<BalancerStrategy, string> = { 'round-robin': 'roundrobin', random: 'random', 'least-connections': 'leastconn' };

/** nginx.conf for a front on `port` before the instances: one worker, upstream keep-alive, nothing written outside `dir`. */
export function nginxConfig(ctx: Omit<FrontContext, 'node' | 'balancerScript' | 'binary'>): string {
  const servers = ctx.upstreamPorts.map((p) => `    server ${LOOPBACK}:${p} max_fails=1 fail_timeout=1s;`);
  const strategy = NGINX_STRATEGY[ctx.strategy];
  return [
    '# Written by flask-perf for a kind: balancer topology with engine: nginx.',
    'worker_processes 1;',
    'daemon off;',
    `pid ${ctx.dir}/nginx.pid;`,
    'error_log stderr warn;',
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${ctx.dir}/${t};`),
    '  upstream app {',
    ...(strategy ? [`    ${strategy}`] : []),
    ...servers,
    '    keepalive 64;',
    '  }',
    '  server {',
    `    listen ${LOOPBACK}:${ctx.port};`,
    '    location / {',
    '      proxy_pass http://app;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header Host $http_host;',
    '      proxy_next_upstream error timeout;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** haproxy.cfg for a front on `port` before the instances: one thread, idle upstream connections reused. */
export function haproxyConfig(ctx: Omit<FrontContext, 'node' | 'balancerScript' | 'binary' | 'dir'>): string {
  return [
    '# Written by flask-perf for a kind: balancer topology with engine: haproxy.',
    'global',
    '  maxconn 4096',
    '  nbthread 1',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  http-reuse always',
    '  retries 2',
    '  option redispatch',
    'frontend front',
    `  bind ${LOOPBACK}:${ctx.port}`,
    '  default_backend app',
    'backend app',
    `  balance ${HAPROXY_STRATEGY[ctx.strategy]}`,
    ...ctx.upstreamPorts.map((p, i) => `  server s${i} ${LOOPBACK}:${p}`),
    '',
  ].join('\n');
}

/** The front of a balancer topology (pure). */
export function frontPlan(engine: BalancerEngine, ctx: FrontContext): FrontPlan {
  switch (engine) {
    case 'node':
      return {
        label: 'balancer',
        command: [
          shellQuote(ctx.node),
          shellQuote(ctx.balancerScript),
          `--port ${ctx.port}`,
          `--strategy ${ctx.strategy}`,
          ...ctx.upstreamPorts.map((p) => `--upstream ${LOOPBACK}:${p}`),
        ].join(' '),
        files: [],
      };
    case 'nginx':
      return {
        label: 'nginx',
        command: `${shellQuote(ctx.binary)} -e stderr -p ${shellQuote(ctx.dir)} -c ${shellQuote(path.join(ctx.dir, 'nginx.conf'))}`,
        files: [{ name: 'nginx.conf', text: nginxConfig(ctx) }],
      };
    case 'haproxy':
      // -db: stay in the foreground, so the process group is the proxy's.
      return {
        label: 'haproxy',
        command: `${shellQuote(ctx.binary)} -db -f ${shellQuote(path.join(ctx.dir, 'haproxy.cfg'))}`,
        files: [{ name: 'haproxy.cfg', text: haproxyConfig(ctx) }],
      };
  }
}

/** Folders searched for a proxy's binary besides PATH: Debian installs both in /usr/sbin. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The folders searched for a binary, in order. */
export function searchPath(envPath: string | undefined = process.env.PATH): string[] {
  return [...new Set([...(envPath ?? '').split(path.delimiter).filter(Boolean), ...SBIN])];
}

/** Absolute path of an executable named `name` in `dirs`; null when none is there. */
export function findBinary(name: string, dirs: readonly string[] = searchPath()): string | null {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * What is missing to run a config's balancer engines (pure but for the lookup): one message per
 * topology whose engine's binary cannot be found, naming the field, the binary and the fix.
 */
export function engineProblems(
  topologies: readonly { readonly name: string; readonly kind: string; readonly engine?: BalancerEngine }[],
  find: (name: string) => string | null = (name) => findBinary(name),
): string[] {
  const problems: string[] = [];
  topologies.forEach((t, i) => {
    const binary = t.kind === 'balancer' && t.engine ? ENGINE_BINARY[t.engine] : null;
    if (!binary || find(binary)) return;
    problems.push(
      `topologies[${i}].engine is "${t.engine}", but no ${binary} binary was found on PATH or in ${SBIN.join(', ')}; install it (Debian: apt-get install ${ENGINE_PACKAGE[binary]}) or use engine: node`,
    );
  });
  return problems;
}
