import { distScript } from '../paths.js';
import { childEnv } from '../topology/env.js';
import { describeExit, spawnGroup } from '../topology/process.js';
import { groupUsage } from '../topology/procfs.js';
import { mergeSamples, splitJob } from './split.js';
import type { LoadJob, LoadSample } from './types.js';

export interface GeneratorOptions {
  /** taskset CPU list of each generator process (one process per entry); undefined entries are not pinned. */
  readonly cpus?: string | readonly (string | undefined)[];
}

/** The load generator: one process, or several that share each job and add their samples up. */
export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadSample>;
  /** CPU time all its processes have used so far, ms (0 where /proc is not there). */
  cpuMs(): number;
  /** Its processes now. */
  readonly processes: number;
  /** Starts one more process, pinned to `cpus`: the next jobs are shared with it. */
  add(cpus: string | undefined): void;
  /** Ends every process; never throws. */
  close(): Promise<void>;
}

type Message = { type: 'sample'; sample: LoadSample } | { type: 'error'; message: string };

/** What a closed-model job needs: `connections` for `durationMs`. */
export interface ClosedLoad {
  readonly url: string;
  readonly connections: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly endpoints: LoadJob['endpoints'];
  readonly localAddresses: readonly string[];
}

/** A job of one closed-model stage. */
export function closedJob(load: ClosedLoad): LoadJob {
  const { connections, durationMs, ...rest } = load;
  return { ...rest, stages: [{ durationMs, connections }], maxConnections: connections };
}

/** How long a job's stages take, in ms. */
export function jobDurationMs(job: LoadJob): number {
  return job.stages.reduce((ms, s) => ms + s.durationMs, 0);
}

/** One generator process: its handle and what it ran. */
interface GeneratorProcess {
  run(job: LoadJob): Promise<LoadSample>;
  readonly pid: number;
  close(): Promise<void>;
}

function spawnGenerator(cpus: string | undefined): GeneratorProcess {
  const proc = spawnGroup(`${process.execPath} ${distScript('load-generator.js')}`, {
    label: 'load generator',
    cwd: process.cwd(),
    env: childEnv(process.env),
    cpus,
    ipc: true,
    serialization: 'advanced',
  });
  return {
    pid: proc.pid,
    async run(job) {
      const limitMs = jobDurationMs(job) + job.timeoutMs + 30_000;
      const message = await new Promise<Message>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`load generator gave no result within ${limitMs} ms`)), limitMs);
        const onExit = (): void => {
          clearTimeout(timer);
          const info = proc.exitInfo();
          reject(new Error(`load generator ended with ${info ? describeExit(info) : 'no exit status'}: ${proc.lastOutput(5)}`));
        };
        proc.child.once('exit', onExit);
        proc.child.once('message', (m: Message) => {
          clearTimeout(timer);
          proc.child.off('exit', onExit);
          resolve(m);
        });
        proc.child.send(job);
      });
      if (message.type === 'error') throw new Error(`load generator failed: ${message.message}`);
      return message.sample;
    },
    close: () => proc.stop(1000),
  };
}

/**
 * Starts the load generator: a Node process of its own (its own CPU, its own process group) per
 * entry of `cpus`. Several processes take equal shares of every job's connections or rate, and
 * their samples are added up exactly (split.ts).
 */
export function openLoadGenerator(options: GeneratorOptions = {}): LoadGenerator {
  const sets = typeof options.cpus === 'string' || options.cpus === undefined ? [options.cpus] : options.cpus.length ? options.cpus : [undefined];
  const procs = sets.map(spawnGenerator);
  return {
    get processes() {
      return procs.length;
    },
    add(cpus) {
      procs.push(spawnGenerator(cpus));
    },
    async run(job) {
      const jobs = splitJob(job, procs.length);
      return mergeSamples(await Promise.all(jobs.map((j, i) => procs[i].run(j))));
    },
    cpuMs: () => groupUsage(new Set(procs.map((p) => p.pid))).cpuMs,
    close: async () => {
      await Promise.all(procs.map((p) => p.close()));
    },
  };
}
