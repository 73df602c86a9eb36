import type { AppConfig, TopologyConfig } from '../config/types.js';
import { frontPlan } from './balancer/engines.js';
import { LOOPBACK, shellQuote } from './shell.js';
import { resolveWorkers } from './workers.js';

/** One process to start. */
export interface ProcessSpec {
  readonly label: string;
  readonly command: string;
  readonly port: number;
}

/** What to start for a topology: instances first, then the front that takes the load. */
export interface LaunchPlan {
  readonly instances: readonly ProcessSpec[];
  readonly front: ProcessSpec;
  /** Templates to render into `dir` before starting the front. */
  readonly templates: readonly string[];
  /** Files the tool writes into `dir` before starting the front (a proxy's config). */
  readonly files?: readonly { readonly name: string; readonly text: string }[];
  /** Worker count, for gunicorn; recorded in the results. */
  readonly workers?: number;
}

/** Where the plan's helpers live and what they need (injected for tests). */
export interface PlanContext {
  readonly app: AppConfig;
  readonly serverCores: number;
  /** Free ports: the front's first, then one per instance. */
  readonly ports: readonly number[];
  /** Scratch directory of this cell, `{dir}`. */
  readonly dir: string;
  /** Absolute path of Node and of the bundled balancer script. */
  readonly node: string;
  readonly balancerScript: string;
  /** Absolute path of a balancer engine's binary (nginx, haproxy); null when not found. */
  readonly binary?: (name: string) => string | null;
}

/** Values of the placeholders a command or template may use. */
export function placeholders(ctx: PlanContext, port: number, upstreamPorts: readonly number[]): Record<string, string> {
  return {
    port: String(port),
    host: LOOPBACK,
    python: shellQuote(ctx.app.python),
    // "app:create_app()" holds shell syntax.
    wsgi: shellQuote(ctx.app.wsgi),
    dir: shellQuote(ctx.dir),
    upstreams: upstreamPorts.map((p) => `${LOOPBACK}:${p}`).join(','),
    nginx_servers: upstreamPorts.map((p) => `server ${LOOPBACK}:${p};`).join('\n    '),
    haproxy_servers: upstreamPorts.map((p, i) => `server s${i} ${LOOPBACK}:${p}`).join('\n    '),
  };
}

/** Replaces `{name}` for every known placeholder; unknown braces are left alone (nginx blocks). */
export function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

function instanceSpecs(ctx: PlanContext, count: number): ProcessSpec[] {
  return ctx.ports.slice(1, 1 + count).map((port, i) => ({
    label: `instance ${i + 1}`,
    command: render(ctx.app.start, placeholders(ctx, port, [])),
    port,
  }));
}

/** Number of ports a topology needs: the front's and one per instance. */
export function portsNeeded(topology: TopologyConfig): number {
  return topology.kind === 'balancer' || topology.kind === 'command' ? 1 + topology.instances : 1;
}

/** The processes of a topology, as commands with every placeholder filled (pure). */
export function planTopology(topology: TopologyConfig, ctx: PlanContext): LaunchPlan {
  const port = ctx.ports[0];
  switch (topology.kind) {
    case 'flask':
      return { instances: [], templates: [], front: { label: 'server', command: render(ctx.app.start, placeholders(ctx, port, [])), port } };
    case 'gunicorn': {
      const workers = resolveWorkers(topology.workers, ctx.serverCores);
      const args = [
        shellQuote(ctx.app.python),
        '-m gunicorn',
        `--bind ${LOOPBACK}:${port}`,
        `--workers ${workers}`,
        `--worker-class ${shellQuote(topology.workerClass)}`,
        topology.threads > 1 ? `--threads ${topology.threads}` : '',
        '--graceful-timeout 2',
        '--log-level warning',
        shellQuote(ctx.app.wsgi),
      ].filter(Boolean);
      return { instances: [], templates: [], workers, front: { label: 'gunicorn', command: args.join(' '), port } };
    }
    case 'balancer': {
      const instances = instanceSpecs(ctx, topology.instances);
      const front = frontPlan(topology.engine, {
        port,
        upstreamPorts: instances.map((i) => i.port),
        strategy: topology.strategy,
        dir: ctx.dir,
        node: ctx.node,
        balancerScript: ctx.balancerScript,
        binary: topology.engine === 'node' ? '' : (ctx.binary?.(topology.engine) ?? topology.engine),
      });
      return { instances, templates: [], files: front.files, front: { label: front.label, command: front.command, port } };
    }
    case 'command': {
      const instances = instanceSpecs(ctx, topology.instances);
      const values = placeholders(
        ctx,
        port,
        instances.map((i) => i.port),
      );
      return { instances, templates: topology.templates, front: { label: 'server', command: render(topology.command, values), port } };
    }
  }
}
