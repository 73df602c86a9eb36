import { metricOf } from './metrics.js';
import type { MetricVerdict } from './verdict.js';

/** "−12.3%" / "+4.0%" with a real minus sign. */
export function signedPercent(change: number): string {
  const text = `${Math.abs(change * 100).toFixed(1)}%`;
  return change < 0 ? `−${text}` : `+${text}`;
}

/** "req/s −23.4% [−30.1%, −16.2%]": a metric's estimate and interval, as verdicts state it. */
export function describeMetric(m: MetricVerdict): string {
  const i = m.interval;
  const range = Number.isFinite(i.high) && i.low > 0 ? ` [${signedPercent(i.low - 1)}, ${signedPercent(i.high - 1)}]` : '';
  return `${metricOf(m.metric).label} ${Number.isFinite(i.ratio) ? signedPercent(i.ratio - 1) : '?'}${range}`;
}
