import type { Thresholds } from './thresholds.js';

/** Metrics the statistics look at: req/s, server CPU per request, p99 latency; capacity (load.capacity). */
export type MetricName = 'rps' | 'cpu' | 'p99' | 'capacity';

/** The metrics a trial has a value of. */
export type TrialMetric = Exclude<MetricName, 'capacity'>;

/** The metrics a calibration (the reference app) speaks for. */
export type Gauged = 'rps' | 'cpu';

/** A measurement: a trial, or a calibration trial (which has no latency). */
export interface Measured {
  readonly rps: number;
  readonly cpuMsPer1kRequests: number | null;
  readonly latencyMs?: { readonly p99: number };
}

/** What the comparison needs to know of a metric. */
export interface Metric {
  readonly name: MetricName;
  /** As written in verdicts: "req/s −12.3%". */
  readonly label: string;
  readonly higherIsBetter: boolean;
  /** A trial's value; null when unknown (capacity is a cell's, not a trial's). */
  readonly value: (t: Measured) => number | null;
  /** Largest tolerated change for the worse, as a share. */
  readonly threshold: (t: Thresholds) => number;
}

/** Every metric, in the order reports list them. */
export const METRICS: readonly Metric[] = [
  { name: 'rps', label: 'req/s', higherIsBetter: true, value: (t) => t.rps, threshold: (t) => t.rpsDrop },
  { name: 'cpu', label: 'CPU/req', higherIsBetter: false, value: (t) => t.cpuMsPer1kRequests, threshold: (t) => t.cpuRise },
  { name: 'p99', label: 'p99', higherIsBetter: false, value: (t) => t.latencyMs?.p99 ?? null, threshold: (t) => t.p99Rise },
  { name: 'capacity', label: 'capacity', higherIsBetter: true, value: () => null, threshold: (t) => t.capacityDrop },
];

/** The metrics compared trial by trial (every one but capacity). */
export const TRIAL_METRICS: readonly (Metric & { readonly name: TrialMetric })[] = METRICS.filter(
  (m): m is Metric & { name: TrialMetric } => m.name !== 'capacity',
);

/** The metric of a name. */
export function metricOf(name: MetricName): Metric {
  return METRICS.find((m) => m.name === name)!;
}

/** A trial's value of a metric when it is a positive number (the statistics work on logs); else null. */
export function positiveValue(t: Measured, name: MetricName): number | null {
  const v = metricOf(name).value(t);
  return typeof v === 'number' && v > 0 ? v : null;
}

/** The positive values of a metric over trials, in order. */
export function trialValues(trials: readonly Measured[], name: MetricName): number[] {
  return trials.map((t) => positiveValue(t, name)).filter((v): v is number => v !== null);
}
