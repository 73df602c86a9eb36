import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config, TopologyConfig } from '../config/types.js';
import { jobDurationMs, type LoadGenerator } from '../load/generator.js';
import { jobOf, loadModel, stagesFor, trialMs, type LoadModel } from '../load/model.js';
import type { LoadJob, LoadSample, LoadStage } from '../load/types.js';
import { ephemeralPortCount, loopbackReusesTimeWait, loopbackSources, timeWaitSockets } from '../load/loopback.js';
import { aggregateCell, combineTrials, type MeasuredTrial } from '../results/aggregate.js';
import { trialSeries, type ServerSecond } from '../results/series.js';
import type { TopologyResult } from '../results/types.js';
import { waitHealthy } from '../topology/health.js';
import { planTopology, placeholders, portsNeeded, render, type ProcessSpec } from '../topology/plan.js';
import { LOOPBACK } from '../topology/shell.js';
import { grownPlacement, type Placement } from '../topology/placement.js';
import { freePorts, releasePorts } from '../topology/ports.js';
import { onCleanup } from '../topology/cleanup.js';
import { childEnv } from '../topology/env.js';
import { findBinary } from '../topology/balancer/engines.js';
import { describeExit, spawnGroup, type GroupProcess } from '../topology/process.js';
import { capText } from '../report/escape.js';
import {
  foreignLoad,
  groupUsage,
  kernelMsOn,
  kernelTimes,
  parseCpuList,
  perCpuTimes,
  repinGroups,
  type KernelTimes,
  type PerCpuTimes,
} from '../topology/procfs.js';
import type { Progress } from './progress.js';

/** Loopback source addresses the load generator spreads its connections over. */
export const SOURCE_ADDRESSES = 8;

/** What a cell needs from outside; injected so tests can substitute parts. */
export interface CellDeps {
  readonly openLoadGenerator: (options: { cpus?: string | readonly (string | undefined)[] }) => LoadGenerator;
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

async function startHealthy(spec: ProcessSpec, config: Config, cwd: string, env: NodeJS.ProcessEnv, started: GroupProcess[]): Promise<GroupProcess> {
  const proc = spawnGroup(spec.command, { label: spec.label, cwd, env });
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
export interface Deployment {
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
  /** Moves its processes to other CPUs (the load generator took some). */
  repin(cpus: string): void;
}

/**
 * Starts a topology's processes, in a folder of its own, and waits for them to be healthy. On a
 * failure it stops what it started and throws a CellFailure; `facts` learns what is known.
 */
export async function deploy(
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
    const context = {
      app: config.app,
      serverCores: placement.serverCores,
      ports,
      dir,
      node: deps.node,
      balancerScript: deps.balancerScript,
      binary: findBinary,
    };
    const plan = planTopology(topology, context);
    facts.workers = plan.workers ?? null;
    facts.instances = plan.instances.length || null;
    // Instances start together: their start-ups overlap, which matters when A/B restarts them often.
    await Promise.all(plan.instances.map((spec) => startHealthy(spec, config, config.app.workdir, env, started)));
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
    for (const file of plan.files ?? []) writeFileSync(path.join(dir, file.name), file.text);
    await startHealthy(plan.front, config, config.app.workdir, env, started);
    const groups = new Set(started.map((p) => p.pid));
    // Started on every core, which halves a start-up's wait (A/B restarts every round), then
    // moved to the servers' before any load.
    if (placement.serverCpus && !repinGroups(groups, placement.serverCpus))
      throw new CellFailure(`${topology.name}: its processes kept forking onto other CPUs than the servers' (${placement.serverCpus}) while being moved there`);
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
      repin: (cpus) => void repinGroups(groups, cpus),
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// Read once: whether the kernel reuses TIME_WAIT ports decides both the sources and the room.
const reusesTimeWait = loopbackReusesTimeWait();
const sources = loopbackSources(SOURCE_ADDRESSES, process.platform, reusesTimeWait);

/** The load generator's job of `stages` against a deployment. */
export function jobAt(d: Deployment, config: Config, stages: readonly LoadStage[]): LoadJob {
  return jobOf(config, d.url, stages, sources);
}

/** The load generator's job of `model` against a deployment, for `durationMs`. */
function jobFor(d: Deployment, config: Config, model: LoadModel, durationMs: number): LoadJob {
  return jobOf(config, d.url, stagesFor(model, config, durationMs), sources);
}

/**
 * Loads a deployment for `durationMs` and measures it: the sample, its CPU, its TIME_WAIT sockets,
 * and second by second the server's CPU and memory beside what the load generator saw.
 */
export async function measure(
  d: Deployment,
  generator: LoadGenerator,
  job: LoadJob,
  placement: Placement,
  /** Count the TIME_WAIT sockets after it (a tenth of a second with thousands of them): not after a slice a later one of the trial outnumbers. */
  countTimeWait = true,
): Promise<MeasuredTrial> {
  const durationMs = jobDurationMs(job);
  await d.checkAlive();
  // Per-CPU times around the trial, for what others took from the pinned CPUs (foreign load).
  const pinned = placement.pinned && placement.loadgenCpus && placement.serverCpus;
  const readings = (): Readings => ({
    serverMs: d.usage().cpuMs,
    generatorMs: generator.cpuMs(),
    cpus: pinned ? perCpuTimes() : undefined,
    kernel: pinned ? kernelTimes() : undefined,
    runner: process.cpuUsage(),
    at: performance.now(),
  });
  const before = readings();
  const server: ServerSecond[] = [];
  let last = before.serverMs;
  let lastAt = before.at;
  const read = (): void => {
    const u = d.usage();
    const at = performance.now();
    server.push({ cpuMs: u.cpuMs - last, rssBytes: u.rssBytes, ms: at - lastAt });
    last = u.cpuMs;
    lastAt = at;
  };
  const sampler = setInterval(read, 1000);
  // The window ends when the job's time is up. Answers still in flight are awaited after it (the
  // load generator's drain): what the servers spend on them is in no one's window, and not in the
  // next slice of the other side either.
  let end: Readings | undefined;
  const endTimer = setTimeout(() => {
    clearInterval(sampler);
    end = readings();
    // The last, partial second (or a tick the timer missed).
    while (server.length < Math.ceil(durationMs / 1000 - 1e-9)) read();
  }, durationMs);
  let sample;
  try {
    sample = await generator.run(job);
  } finally {
    clearInterval(sampler);
    clearTimeout(endTimer);
  }
  end ??= readings();
  while (server.length < sample.seconds.length) read();
  const foreign = before.cpus && end.cpus ? foreignBetween(before, end, placement) : undefined;
  await d.checkAlive();
  return {
    sample,
    serverCpuMs: end.serverMs - before.serverMs,
    timeWait: countTimeWait ? timeWaitSockets(d.frontPort) : 0,
    series: trialSeries(sample, server, placement.serverCores),
    ...(foreign ? { foreign } : {}),
  };
}

/** What measure() reads at a window's start and end. */
interface Readings {
  readonly serverMs: number;
  readonly generatorMs: number;
  readonly cpus: PerCpuTimes | undefined;
  readonly kernel: KernelTimes | undefined;
  readonly runner: NodeJS.CpuUsage;
  readonly at: number;
}

/**
 * What others took from the generator's and the servers' CPUs between two readings: their busy
 * time less the run's own processes there. The runner itself is not pinned: its CPU is counted as
 * its own on both sides, which errs towards fewer warnings.
 */
function foreignBetween(before: Readings, after: Readings, placement: Placement): MeasuredTrial['foreign'] {
  const runnerMs = (after.runner.user - before.runner.user + after.runner.system - before.runner.system) / 1000;
  const elapsed = after.at - before.at;
  const loadgen = parseCpuList(placement.loadgenCpus!);
  const server = parseCpuList(placement.serverCpus!);
  const kernel = (cpus: number[]): number => (before.kernel && after.kernel ? kernelMsOn(before.kernel, after.kernel, cpus) : 0);
  return {
    loadgen: foreignLoad(before.cpus!, after.cpus!, loadgen, after.generatorMs - before.generatorMs + runnerMs + kernel(loadgen), elapsed),
    server: foreignLoad(before.cpus!, after.cpus!, server, after.serverMs - before.serverMs + runnerMs + kernel(server), elapsed),
  };
}

/**
 * Gives the load generator more cores when the warm-up just run showed it saturated
 * (placement.ts grownPlacement): the servers move to the cores left, the generator starts a
 * process on each new one. Returns the placement the trials run with.
 */
export function growIfSaturated(
  placement: Placement,
  warm: readonly LoadSample[],
  generator: LoadGenerator,
  deployments: readonly Deployment[],
  deps: CellDeps,
  label: string,
): Placement {
  const busiest = Math.max(0, ...warm.map((w) => (w.elapsedMs > 0 ? w.loadgenCpuMs / w.elapsedMs : 0)));
  const grown = grownPlacement(placement, busiest);
  if (!grown) return placement;
  for (const d of deployments) d.repin(grown.serverCpus!);
  for (const cpus of grown.generators.slice(generator.processes)) generator.add(cpus);
  deps.progress.note(`${label}: ${grown.reason}`);
  return grown;
}

/** What a cell records of its placement: only when it differs from the run's (the generator grew). */
export function cellPlacement(used: Placement, run: Placement): Pick<TopologyResult, 'placement'> {
  if (used === run) return {};
  return {
    placement: {
      loadgenCpus: used.loadgenCpus ?? null,
      serverCpus: used.serverCpus ?? null,
      serverCores: used.serverCores,
      generators: used.generators.length,
      reason: used.reason,
    },
  };
}

export function cellResult(
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
    maxConnections: config.load.maxConnections,
  });
}

export const errorText = (e: unknown): string => capText(e instanceof CellFailure ? e.message : `${(e as Error).message}`, MAX_ERROR_CHARS);

/**
 * Runs one topology: start, wait for health, warm up, measure the trials, stop.
 * Never throws for a server's fault: a failed cell is a result with `ok: false`.
 */
export async function runCell(
  topology: TopologyConfig,
  config: Config,
  placement: Placement,
  deps: CellDeps,
  /** Which trial of how many this deployment's one trial is, for progress (each trial deployed afresh). */
  position?: TrialPosition,
): Promise<TopologyResult> {
  const trials: MeasuredTrial[] = [];
  const facts = { workers: null as number | null, instances: null as number | null };
  const label = topology.name;
  let generator: LoadGenerator | undefined;
  let deployment: Deployment | undefined;
  let error: string | null = null;
  let used = placement;
  try {
    deps.progress.phase(label, 'starting');
    // Node's start-up overlaps the server's.
    generator = deps.openLoadGenerator({ cpus: placement.generators });
    deployment = await deploy(topology, config, placement, deps, facts);
    const model = loadModel(config, topology);
    if (config.load.warmupMs > 0) {
      deps.progress.phase(label, 'warming up', config.load.warmupMs);
      const warm = await generator.run(jobFor(deployment, config, model, config.load.warmupMs));
      used = growIfSaturated(placement, [warm], generator, [deployment], deps, label);
    }
    const ms = trialMs(model, config);
    for (let t = 0; t < config.load.trials; t++) {
      deps.progress.phase(label, `trial ${(position?.index ?? t) + 1}/${position?.of ?? config.load.trials}`, ms);
      trials.push(await measure(deployment, generator, jobFor(deployment, config, model, ms), used));
    }
  } catch (e) {
    error = errorText(e);
  } finally {
    deps.progress.phase(label, 'stopping');
    await generator?.close();
    await deployment?.stop();
  }
  return { ...cellResult(topology, config, trials, error, facts, deployment?.peakRss() ?? 0), ...cellPlacement(used, placement) };
}

/** Which trial of a cell's trials a deployment measures, when each has its own. */
export interface TrialPosition {
  readonly index: number;
  readonly of: number;
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
  /** For progress: which of the cell's trials this deployment measures. */
  readonly position?: TrialPosition;
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
  const models = {} as Record<S, LoadModel>;
  let generator: LoadGenerator | undefined;
  let used = placement;
  try {
    deps.progress.phase(topology.name, 'starting both sides');
    generator = deps.openLoadGenerator({ cpus: placement.generators });
    // A side's config may list its own shape of the topology (the reference app's stdlib server).
    const shape = (side: S): TopologyConfig => sides[side].topologies.find((t) => t.name === topology.name) ?? topology;
    const started = await Promise.allSettled(order.map((side) => deploy(shape(side), sides[side], placement, deps, facts[side])));
    for (const side of names) models[side] = loadModel(sides[side], shape(side));
    started.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') up[order[i]] = outcome.value;
      else errors[order[i]] = errorText(outcome.reason);
    });
    const live = order.filter((side) => up[side]);
    const warmup = live.reduce((ms, side) => ms + plan.warmupMs[side], 0);
    if (warmup > 0) {
      deps.progress.phase(topology.name, 'warming up', warmup);
      const warm: LoadSample[] = [];
      for (const side of live) if (plan.warmupMs[side] > 0) warm.push(await generator.run(jobFor(up[side]!, sides[side], models[side], plan.warmupMs[side])));
      used = growIfSaturated(
        placement,
        warm,
        generator,
        live.map((side) => up[side]!),
        deps,
        topology.name,
      );
    }
    const sliceMs = Math.max(100, Math.round(plan.durationMs / plan.slices));
    for (let t = 0; t < plan.trials; t++) {
      deps.progress.phase(
        topology.name,
        plan.trials > 1 || plan.position
          ? `trial ${(plan.position?.index ?? t) + 1}/${plan.position?.of ?? plan.trials}, ${plan.slices} slices a side`
          : `${plan.slices} slices a side`,
        plan.durationMs * live.length,
      );
      const slices = Object.fromEntries(names.map((n) => [n, [] as MeasuredTrial[]])) as Record<S, MeasuredTrial[]>;
      for (let k = 0; k < plan.slices; k++) {
        // Alternate which side goes first, so neither always follows the other.
        for (const side of k % 2 === 0 ? live : [...live].reverse()) {
          if (errors[side] !== null) continue;
          try {
            // Sockets wait a minute in TIME_WAIT, longer than a trial: the count peaks after its last slice.
            slices[side].push(await measure(up[side]!, generator, jobFor(up[side]!, sides[side], models[side], sliceMs), used, k === plan.slices - 1));
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
    names.map((side) => [
      side,
      { ...cellResult(topology, sides[side], trials[side], errors[side], facts[side], up[side]?.peakRss() ?? 0), ...cellPlacement(used, placement) },
    ]),
  ) as Record<S, TopologyResult>;
}
