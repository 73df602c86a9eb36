import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings, TopologySettings } from '../config/types.js';
import type { LoadGenerator } from '../load/generator.js';
import type { LoadJob } from '../load/types.js';
import { ephemeralPortCount, loopbackSources, timeWaitSockets } from '../load/loopback.js';
import { aggregateCell, type MeasuredTrial } from '../results/aggregate.js';
import type { TopologyResult } from '../results/types.js';
import { waitHealthy } from '../topology/health.js';
import { planTopology, placeholders, portsNeeded, render, LOOPBACK, type ProcessSpec } from '../topology/plan.js';
import type { Placement } from '../topology/placement.js';
import { freePorts } from '../topology/ports.js';
import { onCleanup } from '../topology/cleanup.js';
import { childEnv } from '../topology/env.js';
import { describeExit, spawnGroup, type GroupProcess } from '../topology/process.js';
import { capText } from '../report/escape.js';
import { groupUsage } from '../topology/procfs.js';
import type { Progress } from './progress.js';

/** Loopback source addresses the load generator spreads its connections over. */
export const SOURCE_ADDRESSES = 8;

/** What a cell needs from outside; injected so tests can substitute parts. */
export interface CellDeps {
  readonly openLoadGenerator: (options: { cpus?: string }) => LoadGenerator;
  readonly node: string;
  readonly balancerScript: string;
  readonly progress: Progress;
}

/** A cell that could not run; the message names the process, how it ended and its last output. */
class CellFailure extends Error {}

/** Longest cell error kept (results documents refuse longer ones). */
export const MAX_ERROR_CHARS = 2000;

function failureText(proc: GroupProcess, what: string): string {
  const output = proc.lastOutput(15).trim();
  return capText(`${proc.label} ${what}${output ? `; last output:\n${output}` : ''}`, MAX_ERROR_CHARS);
}

async function startHealthy(spec: ProcessSpec, settings: Settings, placement: Placement, cwd: string, env: NodeJS.ProcessEnv, started: GroupProcess[]): Promise<GroupProcess> {
  const proc = spawnGroup(spec.command, { label: spec.label, cwd, env, cpus: placement.serverCpus });
  started.push(proc);
  const outcome = await waitHealthy(`http://${LOOPBACK}:${spec.port}${settings.app.health}`, settings.app.healthTimeoutMs, proc.exited);
  if (outcome.ok) return proc;
  if (outcome.reason === 'exited') throw new CellFailure(failureText(proc, `exited with ${describeExit(outcome.exit)} before becoming healthy`));
  const status = outcome.lastStatus ? `last status ${outcome.lastStatus}` : 'no answer';
  throw new CellFailure(failureText(proc, `did not answer 2xx on ${settings.app.health} within ${settings.app.healthTimeoutMs / 1000}s (${status})`));
}

function renderTemplates(templates: readonly string[], workdir: string, dir: string, values: Record<string, string>): void {
  for (const template of templates) {
    const source = path.resolve(workdir, template);
    let text: string;
    try {
      text = readFileSync(source, 'utf8');
    } catch (error) {
      throw new CellFailure(`template ${template} cannot be read: ${(error as Error).message}`);
    }
    writeFileSync(path.join(dir, path.basename(template).replace(/\.tmpl$/, '')), render(text, values));
  }
}

function deadProcess(procs: readonly GroupProcess[]): GroupProcess | undefined {
  return procs.find((p) => p.exitInfo() !== undefined);
}

/**
 * Runs one topology: start, wait for health, warm up, measure the trials, stop.
 * Never throws for a server's fault: a failed cell is a result with `ok: false`.
 */
export async function runCell(topology: TopologySettings, settings: Settings, placement: Placement, deps: CellDeps): Promise<TopologyResult> {
  const started: GroupProcess[] = [];
  const trials: MeasuredTrial[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), `flask-perf-${topology.name}-`));
  const forgetDir = onCleanup({ phase: 'folder', label: dir, now: () => rmSync(dir, { recursive: true, force: true }) });
  const env = childEnv(process.env, settings.app.passEnv, settings.app.env);
  const sources = loopbackSources(SOURCE_ADDRESSES);
  let peakRss = 0;
  let sampler: NodeJS.Timeout | undefined;
  let generator: LoadGenerator | undefined;
  let error: string | null = null;
  let workers: number | null = null;
  let instances: number | null = null;
  const label = topology.name;
  try {
    const ports = await freePorts(portsNeeded(topology));
    const plan = planTopology(topology, {
      app: settings.app,
      serverCores: placement.serverCores,
      ports,
      dir,
      node: deps.node,
      balancerScript: deps.balancerScript,
    });
    workers = plan.workers ?? null;
    instances = plan.instances.length || null;
    deps.progress.phase(label, 'starting');
    // Node's start-up overlaps the server's.
    generator = deps.openLoadGenerator({ cpus: placement.loadgenCpus });
    // Instances start together: their start-ups overlap, which matters when A/B restarts them often.
    await Promise.all(plan.instances.map((spec) => startHealthy(spec, settings, placement, settings.app.workdir, env, started)));
    renderTemplates(plan.templates, settings.app.workdir, dir, placeholders({ app: settings.app, serverCores: placement.serverCores, ports, dir, node: deps.node, balancerScript: deps.balancerScript }, plan.front.port, plan.instances.map((i) => i.port)));
    await startHealthy(plan.front, settings, placement, settings.app.workdir, env, started);

    const groups = new Set(started.map((p) => p.pid));
    sampler = setInterval(() => {
      peakRss = Math.max(peakRss, groupUsage(groups).rssBytes);
    }, 250);
    const job = (durationMs: number): LoadJob => ({
      url: `http://${LOOPBACK}:${plan.front.port}`,
      connections: settings.load.connections,
      durationMs,
      timeoutMs: settings.load.timeoutMs,
      endpoints: settings.load.requests,
      localAddresses: sources,
    });
    if (settings.load.warmupMs > 0) {
      deps.progress.phase(label, 'warming up', settings.load.warmupMs);
      await generator.run(job(settings.load.warmupMs));
    }
    for (let t = 0; t < settings.load.trials; t++) {
      const dead = deadProcess(started);
      if (dead) throw new CellFailure(failureText(dead, `died mid-run with ${describeExit(dead.exitInfo()!)}`));
      deps.progress.phase(label, `trial ${t + 1}/${settings.load.trials}`, settings.load.durationMs);
      const before = groupUsage(groups).cpuMs;
      const sample = await generator.run(job(settings.load.durationMs));
      const cpu = groupUsage(groups).cpuMs - before;
      const deadAfter = deadProcess(started);
      if (deadAfter) throw new CellFailure(failureText(deadAfter, `died mid-run with ${describeExit(deadAfter.exitInfo()!)}`));
      trials.push({ sample, serverCpuMs: cpu, timeWait: timeWaitSockets(plan.front.port) });
    }
  } catch (e) {
    error = capText(e instanceof CellFailure ? e.message : `${(e as Error).message}`, MAX_ERROR_CHARS);
  } finally {
    if (sampler) clearInterval(sampler);
    deps.progress.phase(label, 'stopping');
    await generator?.close();
    // Front first, so it stops sending to instances that are going away.
    await Promise.all([...started].reverse().map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
    forgetDir();
  }
  return aggregateCell(error === null ? trials : [], {
    name: topology.name,
    kind: topology.kind,
    endpoints: settings.load.requests,
    error,
    peakRssBytes: peakRss > 0 ? peakRss : null,
    workers,
    instances,
    ephemeralPorts: ephemeralPortCount() * Math.max(1, sources.length),
    sourceAddresses: Math.max(1, sources.length),
  });
}
