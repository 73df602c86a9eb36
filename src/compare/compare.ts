import { formatPercent } from '../config/percent.js';
import type { Fingerprint, Results, TopologyResult } from '../results/types.js';
import type { Thresholds } from './thresholds.js';

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'new' | 'missing' | 'failed';

/** A metric in the baseline and now; `change` is now / baseline − 1 (null when either is missing or 0). */
export interface Delta {
  readonly baseline: number | null;
  readonly now: number | null;
  readonly change: number | null;
}

export interface EndpointComparison {
  readonly method: string;
  readonly path: string;
  readonly rps: Delta;
  readonly p99: Delta;
  readonly failuresPerSec: Delta;
}

export interface CellComparison {
  readonly name: string;
  readonly verdict: Verdict;
  /** Why the verdict, one phrase per rule crossed: "req/s −23.4% (threshold 10%)". */
  readonly reasons: readonly string[];
  readonly rps: Delta;
  readonly p50: Delta;
  readonly p99: Delta;
  readonly failuresPerSec: Delta;
  readonly cpuMsPer1kRequests: Delta;
  readonly endpoints: readonly EndpointComparison[];
  /** The cell's error when it failed now. */
  readonly error: string | null;
}

export interface Comparison {
  readonly baselineFound: boolean;
  /** Where the baseline came from; null without one. */
  readonly baselineSource: string | null;
  /** Set when baseline and run come from different hardware. */
  readonly hardwareNote: string | null;
  readonly thresholds: Thresholds;
  readonly cells: readonly CellComparison[];
}

/** One delta (pure). */
export function delta(baseline: number | null | undefined, now: number | null | undefined): Delta {
  const b = baseline ?? null;
  const n = now ?? null;
  return { baseline: b, now: n, change: b !== null && n !== null && b !== 0 ? n / b - 1 : null };
}

/** "−12.3%" / "+4.0%" with a real minus sign. */
export function signedPercent(change: number): string {
  const text = `${Math.abs(change * 100).toFixed(1)}%`;
  return change < 0 ? `−${text}` : `+${text}`;
}

/** Says when two fingerprints are different hardware; null when the same CPU model and core count. */
export function hardwareDifference(baseline: Fingerprint | undefined, now: Fingerprint): string | null {
  if (!baseline) return 'the baseline records no environment';
  const parts: string[] = [];
  if (baseline.cpuModel !== now.cpuModel) parts.push(`CPU ${baseline.cpuModel} → ${now.cpuModel}`);
  if (baseline.cores !== now.cores) parts.push(`${baseline.cores} → ${now.cores} cores`);
  if (baseline.placement?.pinned !== now.placement.pinned) parts.push(`placement ${baseline.placement?.pinned ? 'pinned' : 'shared'} → ${now.placement.pinned ? 'pinned' : 'shared'}`);
  return parts.length ? `baseline recorded on different hardware: ${parts.join(', ')}` : null;
}

function compareEndpoints(base: TopologyResult | undefined, now: TopologyResult | undefined): EndpointComparison[] {
  const key = (e: { method: string; path: string }): string => `${e.method} ${e.path}`;
  const baseByKey = new Map((base?.endpoints ?? []).map((e) => [key(e), e]));
  const keys = [...new Set([...(now?.endpoints ?? []).map(key), ...baseByKey.keys()])];
  const nowByKey = new Map((now?.endpoints ?? []).map((e) => [key(e), e]));
  return keys.map((k) => {
    const b = baseByKey.get(k);
    const n = nowByKey.get(k);
    const [method, ...rest] = k.split(' ');
    return { method, path: rest.join(' '), rps: delta(b?.rps, n?.rps), p99: delta(b?.latencyMs.p99, n?.latencyMs.p99), failuresPerSec: delta(b?.failuresPerSec, n?.failuresPerSec) };
  });
}

/** The verdict of one cell against the thresholds (pure). */
export function judgeCell(base: TopologyResult | undefined, now: TopologyResult | undefined, t: Thresholds): { verdict: Verdict; reasons: string[] } {
  if (!now) return { verdict: 'missing', reasons: ['in the baseline, not in this run'] };
  if (!now.ok) return { verdict: 'failed', reasons: [(now.error ?? 'failed').split('\n')[0]] };
  if (!base || !base.ok) return { verdict: 'new', reasons: [base ? 'failed in the baseline' : 'not in the baseline'] };
  const reasons: string[] = [];
  const rps = delta(base.rps, now.rps);
  const p99 = delta(base.latencyMs.p99, now.latencyMs.p99);
  const failuresRise = now.failuresPerSec - base.failuresPerSec;
  if (rps.change !== null && rps.change < -t.rpsDrop) reasons.push(`req/s ${signedPercent(rps.change)} (threshold ${formatPercent(t.rpsDrop)})`);
  if (p99.change !== null && p99.change > t.p99Rise) reasons.push(`p99 ${signedPercent(p99.change)} (threshold ${formatPercent(t.p99Rise)})`);
  if (failuresRise > t.failuresPerSecRise) reasons.push(`failures/s +${failuresRise.toFixed(2)} (threshold ${t.failuresPerSecRise})`);
  if (reasons.length) return { verdict: 'regressed', reasons };
  if (rps.change !== null && rps.change > t.rpsDrop) return { verdict: 'improved', reasons: [`req/s ${signedPercent(rps.change)}`] };
  return { verdict: 'unchanged', reasons: [] };
}

/** Compares a run with its baseline (null: no baseline yet), cell by cell (pure). */
export function compareResults(baseline: Results | null, now: Results, thresholds: Thresholds, baselineSource: string | null = null): Comparison {
  const baseByName = new Map((baseline?.topologies ?? []).map((t) => [t.name, t]));
  const nowNames = now.topologies.map((t) => t.name);
  const missing = [...baseByName.keys()].filter((n) => !nowNames.includes(n));
  const cells = [...nowNames, ...(baseline ? missing : [])].map((name): CellComparison => {
    const b = baseByName.get(name);
    const n = now.topologies.find((t) => t.name === name);
    const { verdict, reasons } = baseline ? judgeCell(b, n, thresholds) : n && !n.ok ? judgeCell(undefined, n, thresholds) : { verdict: 'new' as const, reasons: ['no baseline yet'] };
    return {
      name,
      verdict,
      reasons,
      rps: delta(b?.rps, n?.rps),
      p50: delta(b?.latencyMs.p50, n?.latencyMs.p50),
      p99: delta(b?.latencyMs.p99, n?.latencyMs.p99),
      failuresPerSec: delta(b?.failuresPerSec, n?.failuresPerSec),
      cpuMsPer1kRequests: delta(b?.cpuMsPer1kRequests, n?.cpuMsPer1kRequests),
      endpoints: compareEndpoints(b, n),
      error: n?.error ?? null,
    };
  });
  return {
    baselineFound: baseline !== null,
    baselineSource: baseline ? baselineSource : null,
    hardwareNote: baseline ? hardwareDifference(baseline.environment, now.environment) : null,
    thresholds,
    cells,
  };
}

/** Names of the cells with a verdict. */
export function cellsWith(comparison: Comparison, verdict: Verdict): CellComparison[] {
  return comparison.cells.filter((c) => c.verdict === verdict);
}
