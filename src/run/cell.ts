import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config, TopologyConfig } from '../config/types.js';
import { closedJob, type LoadGenerator } from '../load/generator.js';
import type { LoadJob } from '../load/types.js';
import { ephemeralPortCount, loopbackReusesTimeWait, loopbackSources, timeWaitSockets } from '../load/loopback.js';
import { aggregateCell, combineTrials, type MeasuredTrial } from '../results/aggregate.js';
import { trialSeries, type ServerSecond } from '../results/series.js';
import type { TopologyResult } from '../results/types.js';
import { waitHealthy } from '../topology/health.js';
import { planTopology, placeholders, portsNeeded, render, LOOPBACK, type ProcessSpec } from '../topology/plan.js';
import type { Placement } from '../topology/placement.js';
import { freePorts, releasePorts } from '../topology/ports.js';
import { onCleanup } from '../topology/cleanup.js';
import { childEnv } from '../topology/env.js';
import { describeExit, spawnGroup, type GroupProcess } from '../topology/process.js';
import { capText } from '../report/escape.js';
import { foreignLoad, groupUsage, parseCpuList, perCpuTimes, type PerCpuTimes } from '../topology/procfs.js';
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

async function startHealthy(
  spec: ProcessSpec,
  config: Config,
  placement: Placement,
  cwd: string,
  env: NodeJS.ProcessEnv,
  started: GroupProcess[],
): Promise<GroupProcess> {
  const proc = spawnGroup(spec.command, { label: spec.label, cwd, env, cpus: placement.serverCpus });
  started.push(proc);
  const outcome = await waitHealthy(`http://${LOOPBACK}:${spec.port}${config.app.health}`, config.app.healthTimeoutMs, proc.exited);
  if (outcome.ok) return proc;
  if (outcome.reason === 'exited') {
    await proc.outputRead();
    throw new CellFailure(failureText(proc, `exited with ${describeExit(outcome.exit)} before becoming healthy`));
  }
  const status = outcome.lastStatus ? `last status ${outcome.lastStatus}` : 'no answer';
  throw new CellFailure(failureText(proc, `did not answer 2xx on ${config.app.health} within ${config.app.healthTimeoutMs / 1000}s (${status})`));
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

/** A topology's processes, up and healthy: what measuring it needs. */
interface Deployment {
  readonly url: string;
  readonly frontPort: number;
  readonly workers: number | null;
  readonly instances: number | null;
  /** Peak resident memory of its process groups so far. */
  peakRss(): number;
  /** Stops its processes (front first) and removes its folder; never throws. */
  stop(): Promise<void>;
  /** Throws a CellFailure naming a process that has died, with its last output. */
  checkAlive(): Promise<void>;
  /** CPU of its process groups so far (ms) and their resident memory now (bytes). */
  usage(): { readonly cpuMs: number; readonly rssBytes: number };
}

/**
 * Starts a topology's processes, in a folder of its own, and waits for them to be healthy. On a
 * failure it stops what it started and throws a CellFailure; `facts` learns what is known.
 */
async function deploy(
  topology: TopologyConfig,
  config: Config,
  placement: Placement,
  deps: CellDeps,
  facts: { workers: number | null; instances: number | null },
): Promise<Deployment> {
  const started: GroupProcess[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), `flask-perf-${topology.name}-`));
  const forgetDir = onCleanup({ phase: 'folder', label: dir, now: () => rmSync(dir, { recursive: true, force: true }) });
  const env = childEnv(process.env, config.app.passEnv, config.app.env);
  let sampler: NodeJS.Timeout | undefined;
  let peakRss = 0;
  let ports: number[] = [];
  const stop = async (): Promise<void> => {
    if (sampler) clearInterval(sampler);
    // Front first, so it stops sending to instances that are going away.
    await Promise.all([...started].reverse().map((p) => p.stop()));
    releasePorts(ports);
    rmSync(dir, { recursive: true, force: true });
    forgetDir();
  };
  try {
    ports = await freePorts(portsNeeded(topology));
    const context = { app: config.app, serverCores: placement.serverCores, ports, dir, node: deps.node, balancerScript: deps.balancerScript };
    const plan = planTopology(topology, context);
    facts.workers = plan.workers ?? null;
    facts.instances = plan.instances.length || null;
    // Instances start together: their start-ups overlap, which matters when A/B restarts them often.
    await Promise.all(plan.instances.map((spec) => startHealthy(spec, config, placement, config.app.workdir, env, started)));
    renderTemplates(
      plan.templates,
      config.app.workdir,
      dir,
      placeholders(
        context,
        plan.front.port,
        plan.instances.map((i) => i.port),
      ),
    );
    await startHealthy(plan.front, config, placement, config.app.workdir, env, started);
    const groups = new Set(started.map((p) => p.pid));
    sampler = setInterval(() => {
      peakRss = Math.max(peakRss, groupUsage(groups).rssBytes);
    }, 250);
    return {
      url: `http://${LOOPBACK}:${plan.front.port}`,
      frontPort: plan.front.port,
      workers: facts.workers,
      instances: facts.instances,
      peakRss: () => peakRss,
      stop,
      checkAlive: async () => {
        const dead = deadProcess(started);
        if (!dead) return;
        await dead.outputRead();
        throw new CellFailure(failureText(dead, `died mid-run with ${describeExit(dead.exitInfo()!)}`));
      },
      usage: () => groupUsage(groups),
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// Read once: whether the kernel reuses TIME_WAIT ports decides both the sources and the room.
const reusesTimeWait = loopbackReusesTimeWait();
const sources = loopbackSources(SOURCE_ADDRESSES, process.platform, reusesTimeWait);

/** One load job of the config's traffic against a deployment. */
function jobFor(d: Deployment, config: Config, durationMs: number): LoadJob {
  return closedJob({
    url: d.url,
    connections: config.load.connections,
    durationMs,
    timeoutMs: config.load.timeoutMs,
    endpoints: config.load.requests,
    localAddresses: sources,
  });
}

/**
 * Loads a deployment for `durationMs` and measures it: the sample, its CPU, its TIME_WAIT sockets,
 * and second by second the server's CPU and memory beside what the load generator saw.
 */
async function measure(d: Deployment, generator: LoadGenerator, config: Config, durationMs: number, placement: Placement): Promise<MeasuredTrial> {
  await d.checkAlive();
  // Per-CPU times around the trial, for what others took from the pinned CPUs (foreign load).
  const cpus = placement.pinned && placement.loadgenCpus && placement.serverCpus ? perCpuTimes() : undefined;
  const runnerBefore = process.cpuUsage();
  const generatorBefore = generator.cpuMs();
  const startedAt = performance.now();
  const before = d.usage().cpuMs;
  const server: ServerSecond[] = [];
  let last = before;
  let lastAt = performance.now();
  const read = (): void => {
    const u = d.usage();
    const at = performance.now();
    server.push({ cpuMs: u.cpuMs - last, rssBytes: u.rssBytes, ms: at - lastAt });
    last = u.cpuMs;
    lastAt = at;
  };
  const sampler = setInterval(read, 1000);
  let sample;
  try {
    sample = await generator.run(jobFor(d, config, durationMs));
  } finally {
    clearInterval(sampler);
  }
  const after = d.usage().cpuMs;
  const foreign = cpus
    ? foreignAround(cpus, placement, { generator: generator.cpuMs() - generatorBefore, server: after - before, runnerBefore, startedAt })
    : undefined;
  // The last, partial second (or a tick the timer missed).
  while (server.length < sample.seconds.length) read();
  await d.checkAlive();
  return {
    sample,
    serverCpuMs: after - before,
    timeWait: timeWaitSockets(d.frontPort),
    series: trialSeries(sample, server, placement.serverCores),
    ...(foreign ? { foreign } : {}),
  };
}

/**
 * What others took from the generator's and the servers' CPUs since `before`: their busy time less
 * the run's own processes there. The runner itself is not pinned: its CPU is counted as its own on
 * both sides, which errs towards fewer warnings.
 */
function foreignAround(
  before: PerCpuTimes,
  placement: Placement,
  own: { generator: number; server: number; runnerBefore: NodeJS.CpuUsage; startedAt: number },
): MeasuredTrial['foreign'] | undefined {
  const after = perCpuTimes();
  if (!after) return undefined;
  const runner = process.cpuUsage(own.runnerBefore);
  const runnerMs = (runner.user + runner.system) / 1000;
  const elapsed = performance.now() - own.startedAt;
  return {
    loadgen: foreignLoad(before, after, parseCpuList(placement.loadgenCpus!), own.generator + runnerMs, elapsed),
    server: foreignLoad(before, after, parseCpuList(placement.serverCpus!), own.server + runnerMs, elapsed),
  };
}

function cellResult(
  topology: TopologyConfig,
  config: Config,
  trials: readonly MeasuredTrial[],
  error: string | null,
  facts: { workers: number | null; instances: number | null },
  peakRss: number,
): TopologyResult {
  return aggregateCell(error === null ? trials : [], {
    name: topology.name,
    kind: topology.kind,
    endpoints: config.load.requests,
    error,
    peakRssBytes: peakRss > 0 ? peakRss : null,
    workers: facts.workers,
    instances: facts.instances,
    // With TIME_WAIT reuse on loopback, waiting sockets take no port from new connections.
    ephemeralPorts: reusesTimeWait ? Infinity : ephemeralPortCount() * Math.max(1, sources.length),
    sourceAddresses: Math.max(1, sources.length),
  });
}

const errorText = (e: unknown): string => capText(e instanceof CellFailure ? e.message : `${(e as Error).message}`, MAX_ERROR_CHARS);

/**
 * Runs one topology: start, wait for health, warm up, measure the trials, stop.
 * Never throws for a server's fault: a failed cell is a result with `ok: false`.
 */
export async function runCell(topology: TopologyConfig, config: Config, placement: Placement, deps: CellDeps): Promise<TopologyResult> {
  const trials: MeasuredTrial[] = [];
  const facts = { workers: null as number | null, instances: null as number | null };
  const label = topology.name;
  let generator: LoadGenerator | undefined;
  let deployment: Deployment | undefined;
  let error: string | null = null;
  try {
    deps.progress.phase(label, 'starting');
    // Node's start-up overlaps the server's.
    generator = deps.openLoadGenerator({ cpus: placement.loadgenCpus });
    deployment = await deploy(topology, config, placement, deps, facts);
    if (config.load.warmupMs > 0) {
      deps.progress.phase(label, 'warming up', config.load.warmupMs);
      await generator.run(jobFor(deployment, config, config.load.warmupMs));
    }
    for (let t = 0; t < config.load.trials; t++) {
      deps.progress.phase(label, `trial ${t + 1}/${config.load.trials}`, config.load.durationMs);
      trials.push(await measure(deployment, generator, config, config.load.durationMs, placement));
    }
  } catch (e) {
    error = errorText(e);
  } finally {
    deps.progress.phase(label, 'stopping');
    await generator?.close();
    await deployment?.stop();
  }
  return cellResult(topology, config, trials, error, facts, deployment?.peakRss() ?? 0);
}

/** Which side of an A/B comparison. */
export type PairSide = 'base' | 'head';

/**
 * How two deployments are measured side by side: after a warm-up of each, `trials` trials a side,
 * each made of `slices` alternating slices (first side given), adding up to `durationMs` a side.
 */
export interface InterleavePlan<S extends string> {
  readonly warmupMs: Readonly<Record<NoInfer<S>, number>>;
  readonly durationMs: number;
  readonly trials: number;
  readonly slices: number;
  readonly first: NoInfer<S>;
}

/**
 * Two deployments of one topology, up together, measured by turns: their processes start together
 * and stay up, and the load alternates between them in short slices, so both sample the same
 * moments of a machine whose speed moves within seconds. Used by `compare: base` (base and head,
 * one trial a round) and by calibration (the app and the reference app, every trial). Trial i of
 * one side is paired with trial i of the other. A side that cannot start fails alone; the other is
 * measured.
 */
export async function runInterleaved<S extends string>(
  topology: TopologyConfig,
  sides: Readonly<Record<S, Config>>,
  placement: Placement,
  deps: CellDeps,
  plan: InterleavePlan<S>,
): Promise<Record<S, TopologyResult>> {
  const names = Object.keys(sides) as S[];
  const order: S[] = [plan.first, ...names.filter((n) => n !== plan.first)];
  const facts = Object.fromEntries(names.map((n) => [n, { workers: null as number | null, instances: null as number | null }])) as Record<
    S,
    { workers: number | null; instances: number | null }
  >;
  const trials = Object.fromEntries(names.map((n) => [n, [] as MeasuredTrial[]])) as Record<S, MeasuredTrial[]>;
  const errors = Object.fromEntries(names.map((n) => [n, null])) as Record<S, string | null>;
  const up: Partial<Record<S, Deployment>> = {};
  let generator: LoadGenerator | undefined;
  try {
    deps.progress.phase(topology.name, 'starting both sides');
    generator = deps.openLoadGenerator({ cpus: placement.loadgenCpus });
    const started = await Promise.allSettled(order.map((side) => deploy(topology, sides[side], placement, deps, facts[side])));
    started.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') up[order[i]] = outcome.value;
      else errors[order[i]] = errorText(outcome.reason);
    });
    const live = order.filter((side) => up[side]);
    const warmup = live.reduce((ms, side) => ms + plan.warmupMs[side], 0);
    if (warmup > 0) {
      deps.progress.phase(topology.name, 'warming up', warmup);
      for (const side of live) if (plan.warmupMs[side] > 0) await generator.run(jobFor(up[side]!, sides[side], plan.warmupMs[side]));
    }
    const sliceMs = Math.max(100, Math.round(plan.durationMs / plan.slices));
    for (let t = 0; t < plan.trials; t++) {
      deps.progress.phase(
        topology.name,
        plan.trials > 1 ? `trial ${t + 1}/${plan.trials}, ${plan.slices} slices a side` : `${plan.slices} slices a side`,
        plan.durationMs * live.length,
      );
      const slices = Object.fromEntries(names.map((n) => [n, [] as MeasuredTrial[]])) as Record<S, MeasuredTrial[]>;
      for (let k = 0; k < plan.slices; k++) {
        // Alternate which side goes first, so neither always follows the other.
        for (const side of k % 2 === 0 ? live : [...live].reverse()) {
          if (errors[side] !== null) continue;
          try {
            slices[side].push(await measure(up[side]!, generator, sides[side], sliceMs, placement));
          } catch (e) {
            errors[side] = errorText(e);
          }
        }
      }
      for (const side of live) if (errors[side] === null && slices[side].length) trials[side].push(combineTrials(slices[side]));
    }
  } catch (e) {
    for (const side of order) errors[side] ??= errorText(e);
  } finally {
    deps.progress.phase(topology.name, 'stopping');
    await generator?.close();
    await Promise.all(order.map((side) => up[side]?.stop() ?? Promise.resolve()));
  }
  return Object.fromEntries(
    names.map((side) => [side, cellResult(topology, sides[side], trials[side], errors[side], facts[side], up[side]?.peakRss() ?? 0)]),
  ) as Record<S, TopologyResult>;
}
