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
  const settled = comparison.settled?.cells.length ? '; settled cells: base → head' : '';
  return `${comparison.cells.some((c) => c.calibration) ? 'baseline → now; % calibrated' : 'baseline → now'}${settled}`;
}

/** The cell was judged beside the PR's base after the baseline left it inconclusive (compare.settle; pure). */
export function isSettled(comparison: Comparison, name: string): boolean {
  return comparison.settled?.cells.includes(name) ?? false;
}

/**
 * What settling did, or why it could not: a label and one sentence of plain text (escape it for
 * where it goes; `warn`: it could not); null when nothing was due (pure).
 */
export function settledNote(comparison: Comparison): { readonly label: string; readonly text: string; readonly warn: boolean } | null {
  if (comparison.settleError) {
    const why = comparison.settleError.split('\n')[0].slice(0, 300);
    return {
      label: 'Not settled',
      text: `the PR's base could not be measured beside the head (${why}); the inconclusive cells keep the baseline's verdict`,
      warn: true,
    };
  }
  const settled = comparison.settled;
  if (!settled?.cells.length) return null;
  const one = settled.cells.length === 1;
  const rounds = settled.looks.map((l) => l.round);
  const looks = rounds.length ? `, judged after round${rounds.length > 1 ? 's' : ''} ${rounds.join(', ')}` : '';
  const text =
    `${settled.cells.join(', ')} ${one ? 'was' : 'were'} inconclusive against the baseline, so the PR's base was measured in this job beside the head, by turns${looks}; ` +
    `${one ? 'its verdict is' : 'their verdicts are'} from that measurement, as compare: base judges, free of the drift between runs and machines`;
  return { label: 'Settled beside the base', text, warn: false };
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
