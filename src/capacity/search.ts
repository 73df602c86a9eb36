/**
 * The capacity search (pure): which arrival rate to try next, and what the steps found. A topology's
 * capacity is the highest rate at which p99 latency — from each request's intended send time, so
 * queueing counts — stays within the goal and failures within the limit. The search brackets it:
 * from a start near the closed-loop throughput it halves until a rate passes or goes up by half
 * until one fails, then bisects (geometrically) until the bracket is within `resolution`, or the
 * time budget cannot pay for another step. A failed rate is tried once more before it bounds the
 * search, and counts as failed only when that try fails too — unless the server plainly could not
 * keep up: one stall of the host (a second of p99 past the goal) would otherwise cap the capacity
 * far below what the server sustains.
 */
import type { CapacityStep } from '../results/types.js';
import { GENERATOR_LATE_WARN_MS, RATE_KEPT_SHARE } from '../results/warnings.js';

/** What the search is after. */
export interface CapacityGoal {
  readonly p99Ms: number;
  /** Largest share of failed requests (errors, timeouts, non-2xx), 0–1. */
  readonly errorShare: number;
}

/** One rate tried, and whether the load generator, not the server, fell behind its schedule. */
export interface StepOutcome extends CapacityStep {
  readonly generatorLimited: boolean;
}

/**
 * A failed step that answered less than this share of its rate was plainly overloaded (a stall of
 * a few hundred ms costs a few percent, then the queue drains): it is not tried again.
 */
export const OVERLOADED_SHARE = 0.8;

/** Rates below this are not tried: "capacity below 1 req/s" is an answer already. */
export const MIN_RATE = 1;

/** A step's outcome from its measurements (pure). */
export function judgeStep(measured: Omit<StepOutcome, 'pass' | 'reason' | 'generatorLimited'>, goal: CapacityGoal): StepOutcome {
  const reasons: string[] = [];
  const generatorLimited = measured.lateMsP99 > GENERATOR_LATE_WARN_MS;
  if (generatorLimited) reasons.push(`the load generator fell behind its schedule (p99 ${fmt(measured.lateMsP99)} ms late)`);
  if (measured.p99Ms > goal.p99Ms) reasons.push(`p99 ${fmt(measured.p99Ms)} ms > ${fmt(goal.p99Ms)} ms`);
  if (measured.errorShare > goal.errorShare) reasons.push(`failures ${pct(measured.errorShare)} > ${pct(goal.errorShare)}`);
  if (measured.sentRate < RATE_KEPT_SHARE * measured.rate) reasons.push(`only ${pct(measured.sentRate / measured.rate)} of the rate was sent`);
  return { ...measured, pass: reasons.length === 0, generatorLimited, reason: reasons.join('; ') };
}

const fmt = (ms: number): string => (ms >= 100 ? String(Math.round(ms)) : ms.toFixed(1));
const pct = (share: number): string => `${Number((share * 100).toFixed(1))}%`;

/** Where the search stands. */
export interface SearchState {
  readonly steps: readonly StepOutcome[];
  /** Highest rate that passed, and lowest that failed above it. */
  readonly low: StepOutcome | null;
  readonly high: StepOutcome | null;
}

/** The state after a step (pure). */
export function record(state: SearchState, step: StepOutcome): SearchState {
  const steps = [...state.steps, step];
  const passed = steps.filter((s) => s.pass);
  const low = passed.length ? passed.reduce((a, b) => (b.rate > a.rate ? b : a)) : null;
  const failedAbove = steps.filter((s) => !s.pass && (low === null || s.rate > low.rate));
  const high = failedAbove.length ? failedAbove.reduce((a, b) => (b.rate < a.rate ? b : a)) : null;
  return { steps, low, high };
}

export const EMPTY_SEARCH: SearchState = { steps: [], low: null, high: null };

/** How the next rate is chosen. */
export interface SearchPlan {
  /** First rate tried. */
  readonly start: number;
  /** Highest rate the search will try (what the load generator and its connections can offer). */
  readonly maxRate: number;
  /** The search ends when the bracket high / low is within 1 + this. */
  readonly resolution: number;
}

/** Why a search ended without running out of time. */
export type SearchEnd = 'bracketed' | 'below-minimum' | 'at-maximum' | 'generator-limit';

/** The next rate to try, or why the search is over (pure). */
export function nextRate(state: SearchState, plan: SearchPlan): { rate: number } | { done: SearchEnd } {
  const { low, high } = state;
  if (state.steps.length === 0) return { rate: Math.min(plan.maxRate, Math.max(MIN_RATE, plan.start)) };
  // Above a rate the generator could not keep, the numbers would be the generator's.
  if (high?.generatorLimited) return { done: 'generator-limit' };
  const last = state.steps[state.steps.length - 1];
  const again = !last.pass && last.achievedRate >= OVERLOADED_SHARE * last.rate && state.steps.filter((s) => s.rate === last.rate).length === 1;
  if (again) return { rate: last.rate };
  if (low && high) {
    if (high.rate / low.rate <= 1 + plan.resolution) return { done: 'bracketed' };
    return { rate: Math.sqrt(low.rate * high.rate) };
  }
  if (!low) {
    // Nothing passed yet: halve below the lowest rate that failed.
    const lowest = Math.min(...state.steps.map((s) => s.rate));
    if (lowest <= MIN_RATE) return { done: 'below-minimum' };
    return { rate: Math.max(MIN_RATE, lowest / 2) };
  }
  // Everything passed so far: go up by half again, to the maximum at most.
  if (low.rate >= plan.maxRate) return { done: 'at-maximum' };
  return { rate: Math.min(plan.maxRate, low.rate * 1.5) };
}
