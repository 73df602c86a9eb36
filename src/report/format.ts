import type { Comparison } from '../compare/types.js';
import type { Fingerprint } from '../results/types.js';

/** A figure with `digits` decimals and thousands separators; "—" when there is none (pure). */
export function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '—'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * What a comparison table's change columns set side by side, for their headers (pure): the raw
 * values are shown, and where a reference app divided the machine's speed out the change is the
 * calibrated one, which can differ from the raw values' ratio.
 */
export function sidesLabel(comparison: Comparison): string {
  if (comparison.mode === 'base') return 'base → head';
  return comparison.cells.some((c) => c.calibration) ? 'baseline → now; % calibrated' : 'baseline → now';
}

/** The Python packages the environment found, with their versions: ["Python 3.11.7", "gunicorn 26.2.0"]; what was not found is left out (an app need not use Flask; pure). */
export function softwareVersions(env: Pick<Fingerprint, 'python' | 'flask' | 'gunicorn'>): string[] {
  const found: [string, string | null | undefined][] = [
    ['Python', env.python],
    ['Flask', env.flask],
    ['gunicorn', env.gunicorn],
  ];
  return found.flatMap(([name, version]) => (version ? [`${name} ${version}`] : []));
}
