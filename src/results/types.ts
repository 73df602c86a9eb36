import type { TopologyKind } from '../config/types.js';
import type { LatencySummary } from '../stats/percentiles.js';
import type { TrialSeries } from './series.js';

/**
 * Version of the results document; the baseline file is the same document. 2 added latency
 * histograms, the noise record, steal time and clock speed; 3 the time series of every trial, the
 * percentile table and the calibration by turns. Documents of versions 1 and 2 are still read.
 */
export const SCHEMA_VERSION = 3;

/** One measured trial of a topology. */
export interface TrialResult {
  readonly durationSec: number;
  readonly requests: number;
  readonly rps: number;
  /** Errors + timeouts + non-2xx responses. */
  readonly failures: number;
  readonly failuresPerSec: number;
  readonly latencyMs: LatencySummary;
  readonly bytesPerSec: number;
  /** Server CPU (whole process tree) per 1,000 responses; null when unknown. */
  readonly cpuMsPer1kRequests: number | null;
  /** Load generator CPU as a share of one core, 0–1. */
  readonly loadgenCpu: number;
  /** Latency of every response of the trial, an encoded HDR histogram (absent in older documents). */
  readonly latencyHistogram?: string;
  /** The trial second by second (absent in older documents). */
  readonly series?: TrialSeries;
  /**
   * Share of the load generator's and of the servers' CPUs that other processes and the
   * hypervisor took during the trial (pinned runs; absent elsewhere and in older documents).
   */
  readonly foreign?: { readonly loadgen: number | null; readonly server: number | null };
  /**
   * Open model: the arrival rate the schedule meant (requests per second), the rate requests went
   * out at, and the p99 of how late the load generator itself sent them (ms).
   */
  readonly rate?: { readonly intended: number; readonly sent: number; readonly lateMsP99: number };
}

/** One rate a capacity search tried. */
export interface CapacityStep {
  /** Intended arrival rate, requests per second. */
  readonly rate: number;
  /** Requests sent per second (the schedule kept, or not). */
  readonly sentRate: number;
  /** Responses per second. */
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Failed requests over requests sent. */
  readonly errorShare: number;
  /** p99 of how late the load generator itself sent requests, ms. */
  readonly lateMsP99: number;
  readonly pass: boolean;
  /** Why it failed: "p99 180 ms > 100 ms", "errors 3.2% > 1%", "sent 88% of the rate"; empty when it passed. */
  readonly reason: string;
}

/** What a capacity search (load.capacity) found for a topology. */
export interface CapacityResult {
  readonly goal: { readonly p99Ms: number; readonly errorShare: number };
  /** The highest arrival rate that met the goal, requests per second; 0 when none did. */
  readonly rate: number;
  /** The lowest rate above it that missed the goal; null when none did. */
  readonly missedAt: number | null;
  /** How the search ended: bracketed within 5%, ran out of budget, or hit a limit. */
  readonly end: 'bracketed' | 'budget' | 'below-minimum' | 'at-maximum' | 'generator-limit';
  readonly budgetSec: number;
  readonly spentSec: number;
  /** Every rate tried, in order: the latency-vs-rate curve. */
  readonly steps: readonly CapacityStep[];
  /** With calibration: the reference app's req/s measured by turns after each step (closed loop). */
  readonly reference?: readonly number[];
}

/** One endpoint of the traffic mix, over all trials of a topology. */
export interface EndpointResult {
  readonly method: string;
  readonly path: string;
  readonly weight: number;
  readonly totalRequests: number;
  readonly rps: number;
  /** Non-2xx responses and timeouts per second (other errors without a response cannot be told apart by endpoint). */
  readonly failuresPerSec: number;
  readonly latencyMs: LatencySummary;
  readonly bytesPerSec: number;
  readonly statuses: Readonly<Record<string, number>>;
  /** Requests with no answer within load.timeout (absent when none). */
  readonly timeouts?: number;
  /** Latency of every response to this endpoint over the trials, an encoded HDR histogram. */
  readonly latencyHistogram?: string;
  /** Latency at each of PERCENTILES (50 … 100), ms (absent in older documents). */
  readonly percentilesMs?: readonly number[];
}

/** Something that distorts numbers and that the reader should know about. */
export interface CellWarning {
  readonly code:
    | 'ephemeral-ports'
    | 'loadgen-saturated'
    | 'foreign-load'
    | 'connection-errors'
    | 'endpoint-fails'
    | 'endpoint-non-2xx'
    | 'endpoint-late'
    | 'trial-cut-short'
    | 'rps-collapses'
    | 'latency-climbs'
    | 'rate-not-kept'
    | 'generator-late'
    | 'capacity-open';
  readonly message: string;
}

/** The reference app measured under the same topology: how fast this machine is for it. */
export interface CalibrationResult {
  /**
   * Measured by turns with the app, trial i beside the app's trial i (the same moments of the
   * machine); absent in older documents, whose calibration ran after the cell.
   */
  readonly interleaved?: boolean;
  /** The reference app has not the topology's shape (calibration/plan.ts referenceShaped); a `command`'s never has. */
  readonly generic?: boolean;
  readonly rps: number;
  readonly cpuMsPer1kRequests: number | null;
  readonly trials: readonly { readonly rps: number; readonly cpuMsPer1kRequests: number | null }[];
}

/** One cell of the matrix: a topology under load. */
export interface TopologyResult {
  readonly name: string;
  readonly kind: TopologyKind;
  readonly ok: boolean;
  /** Why the cell failed (exit code and last output lines); null when ok. */
  readonly error: string | null;
  readonly totalRequests: number;
  readonly rps: number;
  readonly failuresPerSec: number;
  readonly latencyMs: LatencySummary;
  /** Latency at each of PERCENTILES (50 … 100) over every response, ms (absent in older documents). */
  readonly percentilesMs?: readonly number[];
  readonly bytesPerSec: number;
  readonly cpuMsPer1kRequests: number | null;
  readonly peakRssMb: number | null;
  /** gunicorn worker count, or instance count behind a front; null otherwise. */
  readonly workers: number | null;
  readonly instances: number | null;
  readonly trials: readonly TrialResult[];
  readonly endpoints: readonly EndpointResult[];
  readonly warnings: readonly CellWarning[];
  /** Most sockets seen in TIME_WAIT on the server's port after a trial. */
  readonly peakTimeWait: number;
  /** With `compare.calibrate`: the reference app under this topology; absent otherwise. */
  readonly calibration?: CalibrationResult | null;
  /** Where this cell ran, when not where the run's environment says: its warm-up gave the load generator more cores. */
  readonly placement?: CellPlacement;
  /** With load.capacity: the search and what it found (the cell's numbers are those of the highest rate that met the goal). */
  readonly capacity?: CapacityResult;
}

/** A cell's own placement (load.generators: auto grew the generator). */
export interface CellPlacement {
  readonly loadgenCpus: string | null;
  readonly serverCpus: string | null;
  readonly serverCores: number;
  readonly generators: number;
  readonly reason: string;
}

/** Where the numbers were taken. */
export interface Fingerprint {
  /** The CPU model string as the kernel gives it. */
  readonly cpuModel: string;
  /** The CPU's generation (fingerprint.ts cpuIdentity); absent in older documents, null where unknown. */
  readonly cpuId?: string | null;
  /** Clock speed the kernel shows for the first CPU, in MHz; null where it shows none. */
  readonly cpuMhz?: number | null;
  /** Share of CPU time the hypervisor gave to other guests during the run, in percent. */
  readonly stealPercent?: number | null;
  readonly cores: number;
  readonly os: string;
  readonly node: string;
  readonly python: string | null;
  readonly flask: string | null;
  readonly gunicorn: string | null;
  readonly placement: {
    readonly pinned: boolean;
    readonly loadgenCpus: string | null;
    readonly serverCpus: string | null;
    readonly serverCores: number;
    readonly reason: string;
    /** Load generator processes (absent in older documents: one). */
    readonly generators?: number;
  };
}

/** How two consecutive baselines of the default branch differed: per cell, log ratios of run means. */
export interface NoiseHistoryEntry {
  readonly at: string;
  /** Per cell; `normalized`: ratios of values divided by the reference app beside them (calibrated by turns). */
  readonly cells: Readonly<Record<string, { readonly rps: number | null; readonly cpu: number | null; readonly normalized?: boolean }>>;
}

/** How much this run moved, kept with it so that a baseline brings its own noise to a comparison. */
export interface NoiseRecord {
  /** sd of the log of trial values around their cell's mean, pooled over cells; null with one trial. */
  readonly trialSpread: { readonly rps: number | null; readonly cpu: number | null; readonly df: number };
  /** Consecutive baselines of this config (written by update-baseline), oldest first, at most 20. */
  readonly history: readonly NoiseHistoryEntry[];
}

/** The results document written by `flask-perf run` and the action. */
export interface Results {
  readonly schemaVersion: 1 | 2 | typeof SCHEMA_VERSION;
  readonly tool: { readonly name: 'flask-perf'; readonly version: string };
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly load: {
    readonly connections: number;
    readonly warmupSec: number;
    readonly durationSec: number;
    readonly trials: number;
    readonly timeoutSec: number;
  };
  readonly environment: Fingerprint;
  readonly topologies: readonly TopologyResult[];
  /** Absent in documents of version 1. */
  readonly noise?: NoiseRecord;
}

/** What `mode: run` records for `mode: report` next to the results (meta.json). */
/** Both sides of a settling run (compare.settle): the head and the PR's base, measured by turns in one job. */
export interface SettleResults {
  readonly head: Results;
  readonly base: Results;
}

export interface RunMeta {
  readonly configPath: string;
  readonly eventName: string;
  readonly prNumber: number | null;
  readonly headSha: string | null;
  readonly baseSha: string | null;
}
