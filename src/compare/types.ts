import type { GateMetric } from '../config/types.js';
import type { TopologyResult } from '../results/types.js';
import type { Calibration } from './calibration.js';
import type { MetricName } from './metrics.js';
import type { Thresholds } from './thresholds.js';
import type { MetricSamples, MetricVerdict } from './verdict.js';

/** The two ways of comparing: with the stored baseline file, or with the PR's base measured in this job. */
export type CompareMode = 'baseline' | 'base';

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive' | 'new' | 'missing' | 'failed';

/** A metric on the base side and the head side; `change` is head / base − 1 (null when either is missing or 0). */
export interface Delta {
  readonly base: number | null;
  readonly head: number | null;
  readonly change: number | null;
}

export interface EndpointComparison {
  readonly method: string;
  readonly path: string;
  readonly rps: Delta;
  readonly p99: Delta;
  readonly failuresPerSec: Delta;
}

/** One cell (topology) of a comparison: its verdict and why, and every metric base → head. */
export interface CellComparison {
  readonly name: string;
  readonly verdict: Verdict;
  /** Why the verdict, one phrase per rule crossed: "req/s −23.4% [−30.1%, −16.2%]". */
  readonly reasons: readonly string[];
  readonly rps: Delta;
  readonly p50: Delta;
  readonly p99: Delta;
  readonly failuresPerSec: Delta;
  readonly cpuMsPer1kRequests: Delta;
  /** With load.capacity: the highest arrival rate that met the goal, base → head. */
  readonly capacity?: Delta;
  readonly endpoints: readonly EndpointComparison[];
  /** Statistics per metric; empty when there is nothing to compare. */
  readonly metrics: readonly MetricVerdict[];
  /** Samples per side behind the statistics (rounds in base mode, trials against a baseline). */
  readonly samples: number;
  /** The head's error when it failed. */
  readonly error: string | null;
  /** How fast the head's machine ran the reference app against the base's, when both have it. */
  readonly calibration: Calibration | null;
}

/** How verdicts are reached: thresholds, gated metrics and the family-wise false-alarm rate. */
export interface Policy {
  readonly thresholds: Thresholds;
  readonly gate: readonly GateMetric[];
  readonly alpha: number;
  readonly failOnInconclusive: boolean;
}

/** What a comparison of base and head found, cell by cell. */
export interface Comparison {
  readonly mode: CompareMode;
  /** compare: base — each look: after which round, and the α it could spend on regressions (the last: all that was left). */
  readonly looks?: readonly { readonly round: number; readonly alpha: number }[];
  /** There was a base to compare with (false: no baseline recorded yet). */
  readonly hasBase: boolean;
  /** Where the base came from ("the baseline file at 1a2b3c4", "the PR base, measured in this job"); null without one. */
  readonly baseSource: string | null;
  /** Set when base and head come from different hardware: verdicts are "cross-hardware". */
  readonly hardwareNote: string | null;
  readonly policy: Policy;
  readonly cells: readonly CellComparison[];
  /** Gated tests in the Holm family (at the first look). */
  readonly gatedTests: number;
  /** Topologies in the results that the config does not list: shown, never judged. */
  readonly ignored: readonly string[];
  /** Stored baseline: where the noise the verdicts assume comes from. */
  readonly noiseSource?: string | null;
  /**
   * Stored baseline, settled: the cells it left inconclusive, judged on the PR's base measured
   * beside the head in this job (compare/settle.ts), with that run's looks.
   */
  readonly settled?: {
    readonly cells: readonly string[];
    readonly looks: readonly { readonly round: number; readonly alpha: number }[];
    readonly gatedTests: number;
  };
  /** Stored baseline: settling was due but the PR's base could not be fetched or built (why). */
  readonly settleError?: string;
}

/** A cell to judge: its base and head results, and the samples behind each metric. */
export interface CellInput {
  readonly name: string;
  readonly base: TopologyResult | undefined;
  readonly head: TopologyResult | undefined;
  readonly samples: Partial<Record<MetricName, MetricSamples>>;
  readonly sampleCount: number;
  readonly calibration?: Calibration | null;
  /** Why it is missing on the head side, when it is (the config lists it, or the base has it). */
  readonly missingReason?: string;
  /**
   * The base was measured in this job beside the head (compare: base): a base that failed here
   * leaves nothing compared — the base commit broken, or stopped by what the head ran — not a
   * new cell.
   */
  readonly sameJob?: boolean;
}
