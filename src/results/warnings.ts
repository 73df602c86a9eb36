/**
 * Warnings a user can act on, read from a cell's numbers (pure): endpoints that fail, a server
 * that falls behind during a trial, a trial cut short, and numbers the load generator or the
 * loopback may have distorted.
 */
import { median } from '../stats/describe.js';
import type { ForeignLoad } from '../topology/procfs.js';
import type { CapacityResult, CellWarning, EndpointResult, TrialResult } from './types.js';

/** Share of non-2xx responses of an endpoint above which it is named. */
export const NON_2XX_WARN_SHARE = 0.01;
/** p50 of a trial's last third against its first third at which latency "climbs"... */
export const LATENCY_CLIMB_RATIO = 2;
/** ...by at least this many ms (a few ms more is not a server falling behind). */
export const LATENCY_CLIMB_MS = 20;
/** Mean req/s of a trial's second half against its first half at which req/s "collapses". */
export const RPS_COLLAPSE_RATIO = 0.5;
/** Consecutive seconds of a saturated load generator that are worth a warning though trial means are not. */
export const SATURATED_SECONDS = 3;
/** Share of the generator's or the servers' CPU time that others may take before a trial is named. */
export const FOREIGN_WARN_SHARE = 0.05;
/** Seconds without any response at the end of a trial that make it "cut short". */
export const CUT_SHORT_SECONDS = 2;

const percent = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
const isSuccess = (status: string): boolean => status.startsWith('2');

/** Endpoints that never succeed, or fail more than 1% of the time: non-2xx answers, and requests with no answer within the timeout. */
export function endpointWarnings(endpoints: readonly EndpointResult[]): CellWarning[] {
  const warnings: CellWarning[] = [];
  for (const e of endpoints) {
    const entries = Object.entries(e.statuses).sort((a, b) => b[1] - a[1]);
    const timeouts = e.timeouts ?? 0;
    const total = entries.reduce((n, [, c]) => n + c, 0) + timeouts;
    const bad = entries.filter(([s]) => !isSuccess(s));
    if (timeouts) bad.push(['timeout', timeouts]);
    const badCount = bad.reduce((n, [, c]) => n + c, 0);
    const name = `${e.method} ${e.path}`;
    if (total === 0 && e.latencyMs.p50 > 0) {
      // Sent in the window, answered after it: a request longer than a window (a 1 s slice).
      warnings.push({
        code: 'endpoint-late',
        message: `${name}: every answer came after its measuring window had ended (p50 ${e.latencyMs.p50.toLocaleString('en-US')} ms): its latency is counted, its req/s cannot be`,
      });
      continue;
    }
    if (total === 0 || badCount === 0) continue;
    const statuses = bad.map(([s, c]) => `${s} × ${c.toLocaleString('en-US')}`).join(', ');
    if (badCount === total) {
      const [top] = bad[0];
      const hint =
        top === 'timeout'
          ? 'no answer within load.timeout: the server does not answer it in time'
          : top === '404' || top === '405'
            ? 'check the path and the method'
            : top.startsWith('5')
              ? 'the server fails it'
              : 'check the request';
      warnings.push({ code: 'endpoint-fails', message: `${name}: ${bad.length === 1 ? top : statuses} on every request — ${hint}` });
    } else if (badCount / total > NON_2XX_WARN_SHARE) {
      const what = timeouts ? 'of requests failed' : 'of responses were not 2xx';
      warnings.push({ code: 'endpoint-non-2xx', message: `${name}: ${percent(badCount / total)} ${what} (${statuses})` });
    }
  }
  return warnings;
}

/** A trial during which the server fell behind, collapsed or stopped answering. */
export function trialWarnings(trials: readonly TrialResult[]): CellWarning[] {
  const warnings: CellWarning[] = [];
  trials.forEach((t, index) => {
    const s = t.series;
    if (!s) return;
    const label = trials.length > 1 ? `trial ${index + 1}` : 'the trial';
    const n = s.requests.length;
    const lastActive = s.requests.reduce((last, r, i) => (r > 0 ? i : last), -1);
    if (lastActive >= 0 && n - 1 - lastActive >= CUT_SHORT_SECONDS) {
      warnings.push({
        code: 'trial-cut-short',
        message: `${label} was cut short: no responses in its last ${n - 1 - lastActive} s (the server stopped answering)`,
      });
      return;
    }
    if (n >= 4) {
      const half = Math.floor(n / 2);
      const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
      const first = mean(s.requests.slice(0, half));
      const second = mean(s.requests.slice(half));
      if (first > 0 && second < RPS_COLLAPSE_RATIO * first) {
        warnings.push({ code: 'rps-collapses', message: `req/s collapsed in the second half of ${label}: ${Math.round(first)} → ${Math.round(second)} req/s` });
      }
    }
    if (n >= 6) {
      // The first second holds the connections' start-up: left out.
      const third = Math.floor((n - 1) / 3);
      const p50 = s.p50.slice(1).filter((v): v is number => v !== null);
      const early = median(p50.slice(0, third));
      const late = median(p50.slice(-third));
      if (early > 0 && late >= LATENCY_CLIMB_RATIO * early && late - early >= LATENCY_CLIMB_MS) {
        warnings.push({
          code: 'latency-climbs',
          message: `latency climbed through ${label}: p50 ${Math.round(early)} ms in its first third → ${Math.round(late)} ms in its last (the server is not keeping up)`,
        });
      }
    }
  });
  return warnings;
}

/** Share of the intended rate below which an open-model trial (or a capacity step) "did not keep its schedule". */
export const RATE_KEPT_SHARE = 0.97;
/** p99 of the load generator's own lateness above which its sends were late, ms: the generator, not the server, fell behind. */
export const GENERATOR_LATE_WARN_MS = 20;

/**
 * Open-model trials that did not send at their rate, and why (pure): the load generator fell
 * behind (not the server's fault), or every connection it may open was waiting for the server.
 */
export function rateWarnings(trials: readonly TrialResult[], maxConnections: number): CellWarning[] {
  const warnings: CellWarning[] = [];
  trials.forEach((t, index) => {
    if (!t.rate) return;
    const label = trials.length > 1 ? `trial ${index + 1}` : 'the trial';
    const late = t.rate.lateMsP99 > GENERATOR_LATE_WARN_MS;
    if (t.rate.sent < RATE_KEPT_SHARE * t.rate.intended) {
      warnings.push({
        code: 'rate-not-kept',
        message: late
          ? `${label} sent ${Math.round(t.rate.sent)} of ${Math.round(t.rate.intended)} req/s: the load generator fell behind its schedule (p99 ${Math.round(t.rate.lateMsP99)} ms late), not the server`
          : `${label} sent ${Math.round(t.rate.sent)} of ${Math.round(t.rate.intended)} req/s: all ${maxConnections} connections were waiting for the server (load.max-connections); latency counts the wait`,
      });
    } else if (late) {
      warnings.push({
        code: 'generator-late',
        message: `in ${label} the load generator sent requests up to ${Math.round(t.rate.lateMsP99)} ms late (p99): latency includes its delay, not only the server's`,
      });
    }
  });
  return warnings;
}

/** A capacity search that ended on a limit, not a bracket: what its number means then (pure). */
export function capacityWarnings(c: CapacityResult | undefined): CellWarning[] {
  if (!c) return [];
  const rate = (r: number): string => `${Math.round(r).toLocaleString('en-US')} req/s`;
  switch (c.end) {
    case 'bracketed':
      return [];
    case 'budget':
      return [
        {
          code: 'capacity-open',
          message: `the capacity search ran out of its ${c.budgetSec} s budget: capacity ${c.missedAt === null ? `at least ${rate(c.rate)}` : `between ${rate(c.rate)} and ${rate(c.missedAt)}`} (load.capacity.budget)`,
        },
      ];
    case 'at-maximum':
      return [{ code: 'capacity-open', message: `every rate tried met the goal, up to ${rate(c.rate)}: capacity is at least that` }];
    case 'generator-limit':
      return [
        {
          code: 'capacity-open',
          message: `the load generator could not keep a schedule above ${rate(c.missedAt ?? c.rate)}: capacity is at least ${rate(c.rate)}; more generators (load.generators) would tell`,
        },
      ];
    case 'below-minimum':
      return [{ code: 'capacity-open', message: 'no rate met the goal, down to 1 req/s: check the goal (load.capacity.p99) and the failures' }];
  }
}

/**
 * The longest stretch of consecutive seconds, over the cell's trials laid end to end, in which the
 * load generator used at least `share` of its core (pure): a trial's mean can hide a generator that
 * was the bottleneck for part of the cell. Seconds count from 1; null when no stretch is that long.
 */
export function saturatedStretch(trials: readonly TrialResult[], share: number): { from: number; seconds: number } | null {
  const cpu = trials.flatMap((t) => t.series?.loadgenCpu ?? []);
  let best: { from: number; seconds: number } | null = null;
  let start = -1;
  cpu.forEach((v, i) => {
    if (v !== null && v >= share) {
      if (start < 0) start = i;
      const seconds = i - start + 1;
      if (seconds >= SATURATED_SECONDS && (!best || seconds > best.seconds)) best = { from: start + 1, seconds };
    } else start = -1;
  });
  return best;
}

/**
 * Trials during which another process, or the hypervisor (steal time), took more than a few
 * percent of the generator's or the servers' CPUs (pure): one warning per kind, naming the worst
 * trial. The numbers of such a trial may be low for reasons that are not the app's.
 */
export function foreignWarnings(
  trials: readonly { readonly foreign?: { readonly loadgen: ForeignLoad | null; readonly server: ForeignLoad | null } }[],
): CellWarning[] {
  const warnings: CellWarning[] = [];
  const label = (i: number): string => (trials.length > 1 ? `trial ${i + 1}` : 'the trial');
  const worst = (pick: (f: ForeignLoad) => number, side: 'loadgen' | 'server'): { share: number; index: number } | null => {
    let best: { share: number; index: number } | null = null;
    trials.forEach((t, index) => {
      const f = t.foreign?.[side];
      if (!f || !(f.roomMs > 0)) return;
      const share = pick(f) / f.roomMs;
      if (share > FOREIGN_WARN_SHARE && (!best || share > best.share)) best = { share, index };
    });
    return best;
  };
  const where = { loadgen: "the load generator's core", server: "the servers' cores" } as const;
  const effect = { loadgen: 'req/s may be low (the generator was slowed)', server: 'req/s may be low and latency high (the servers were slowed)' } as const;
  for (const side of ['loadgen', 'server'] as const) {
    const others = worst((f) => f.othersMs, side);
    if (others) {
      warnings.push({
        code: 'foreign-load',
        message: `another process used ${percent(others.share)} of ${where[side]} during ${label(others.index)}: ${effect[side]}`,
      });
    }
    const steal = worst((f) => f.stealMs, side);
    if (steal) {
      warnings.push({
        code: 'foreign-load',
        message: `the hypervisor took ${percent(steal.share)} of ${where[side]} during ${label(steal.index)} (steal time): ${effect[side]}`,
      });
    }
  }
  return warnings;
}
