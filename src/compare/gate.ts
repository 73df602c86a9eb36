import { cellsWith } from './cells.js';
import type { Comparison } from './types.js';

/**
 * The message that fails the step (action) or the command (CLI), naming each regressed, failed
 * or — when so configured — inconclusive topology; null when nothing should fail.
 */
export function failureMessage(comparison: Comparison): string | null {
  const named = (cells: readonly { name: string; reasons: readonly string[] }[]): string => cells.map((c) => `${c.name} (${c.reasons.join('; ')})`).join(', ');
  // A hardware difference is stated in the report, never a reason to let a regression pass.
  const regressed = cellsWith(comparison, 'regressed');
  const failed = cellsWith(comparison, 'failed');
  const missing = cellsWith(comparison, 'missing');
  const inconclusive = comparison.policy.failOnInconclusive ? cellsWith(comparison, 'inconclusive') : [];
  const parts: string[] = [];
  if (regressed.length) parts.push(`regressed: ${named(regressed)}`);
  if (failed.length) parts.push(`could not run: ${named(failed)}`);
  if (missing.length) parts.push(`missing: ${named(missing)}`);
  if (inconclusive.length) parts.push(`inconclusive: ${named(inconclusive)}`);
  return parts.length ? `flask-perf: ${parts.join('; ')}` : null;
}
