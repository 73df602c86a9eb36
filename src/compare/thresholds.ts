import type { ThresholdConfig } from '../config/types.js';

/** When a cell counts as regressed. Shares are fractions: 0.1 for 10%. */
export interface Thresholds {
  /** Largest allowed drop of req/s, as a share of the baseline. */
  readonly rpsDrop: number;
  /** Largest allowed rise of server CPU per request, as a share of the baseline. */
  readonly cpuRise: number;
  /** Largest allowed rise of p99 latency, as a share of the baseline. */
  readonly p99Rise: number;
  /** Largest allowed rise of failures/sec, absolute. */
  readonly failuresPerSecRise: number;
  /** Largest allowed drop of capacity (load.capacity), as a share of the base's. */
  readonly capacityDrop: number;
}

// CPU time per request is several times steadier than req/s on shared runners, so it can gate
// on a smaller change.
export const DEFAULT_THRESHOLDS: Thresholds = { rpsDrop: 0.1, cpuRise: 0.05, p99Rise: 0.25, failuresPerSecRise: 1, capacityDrop: 0.1 };

/** The thresholds in force: the `threshold` input when given, then the config file, then the defaults. */
export function resolveThresholds(fromConfig: ThresholdConfig, rpsInput: number | undefined): Thresholds {
  return {
    rpsDrop: rpsInput ?? fromConfig.rpsDrop ?? DEFAULT_THRESHOLDS.rpsDrop,
    cpuRise: fromConfig.cpuRise ?? DEFAULT_THRESHOLDS.cpuRise,
    p99Rise: fromConfig.p99Rise ?? DEFAULT_THRESHOLDS.p99Rise,
    failuresPerSecRise: fromConfig.failuresPerSecRise ?? DEFAULT_THRESHOLDS.failuresPerSecRise,
    capacityDrop: fromConfig.capacityDrop ?? DEFAULT_THRESHOLDS.capacityDrop,
  };
}
