import type { TopologyKind } from '../config/types.js';
import type { LatencySummary } from '../stats/percentiles.js';

/** Version of the results document; the baseline file is the same document. */
export const SCHEMA_VERSION = 1;

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
}

/** One endpoint of the traffic mix, over all trials of a topology. */
export interface EndpointResult {
  readonly method: string;
  readonly path: string;
  readonly weight: number;
  readonly totalRequests: number;
  readonly rps: number;
  /** Non-2xx responses per second (errors without a response cannot be told apart by endpoint). */
  readonly failuresPerSec: number;
  readonly latencyMs: LatencySummary;
  readonly bytesPerSec: number;
  readonly statuses: Readonly<Record<string, number>>;
}

/** Something that distorts numbers and that the reader should know about. */
export interface CellWarning {
  readonly code: 'ephemeral-ports' | 'loadgen-saturated' | 'connection-errors';
  readonly message: string;
}

/** The reference app measured under the same topology: how fast this machine is for it. */
export interface CalibrationResult {
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
}

/** Where the numbers were taken. */
export interface Fingerprint {
  readonly cpuModel: string;
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
  };
}

/** The results document written by `flask-perf run` and the action. */
export interface Results {
  readonly schemaVersion: typeof SCHEMA_VERSION;
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
}

/** What `mode: run` records for `mode: report` next to the results (meta.json). */
export interface RunMeta {
  readonly configPath: string;
  readonly eventName: string;
  readonly prNumber: number | null;
  readonly headSha: string | null;
  readonly baseSha: string | null;
}
