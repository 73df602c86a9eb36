import { distScript } from '../paths.js';
import { childEnv } from '../topology/env.js';
import { describeExit, spawnGroup } from '../topology/process.js';
import { groupUsage } from '../topology/procfs.js';
import type { LoadJob, LoadSample } from './types.js';

export interface GeneratorOptions {
  /** taskset CPU list for the load generator; undefined for none. */
  readonly cpus?: string;
}

/** A load generator process that runs jobs one after another. */
export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadSample>;
  /** CPU time the generator's process has used so far, ms (0 where /proc is not there). */
  cpuMs(): number;
  /** Ends the process; never throws. */
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

/** Starts the load generator in its own Node process (its own CPU, its own process group). */
export function openLoadGenerator(options: GeneratorOptions = {}): LoadGenerator {
  const proc = spawnGroup(`${process.execPath} ${distScript('load-generator.js')}`, {
    label: 'load generator',
    cwd: process.cwd(),
    env: childEnv(process.env),
    cpus: options.cpus,
    ipc: true,
    serialization: 'advanced',
  });
  return {
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
    cpuMs: () => groupUsage(new Set([proc.pid])).cpuMs,
    close: () => proc.stop(1000),
  };
}
