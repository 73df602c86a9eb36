import type { CellComparison, Comparison } from '../compare/types.js';
import type { Fingerprint, Results } from '../results/types.js';

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

/** "n=5 · CV 3.1% · MDE 10%": samples, observed noise of req/s, smallest detectable change (pure). */
export function noiseText(c: CellComparison): string {
  const rps = c.metrics.find((m) => m.metric === 'rps');
  if (!rps) return '—';
  const mde = Number.isFinite(rps.minDetectable) ? `${Math.round(rps.minDetectable * 100)}%` : '∞';
  return `n=${c.samples} · CV ${(rps.cv * 100).toFixed(1)}% · MDE ${mde}`;
}

/** One note of a report: a label and one sentence of plain text, no final stop; `warn`: the reader should look twice. */
export interface Note {
  readonly label: string;
  readonly text: string;
  readonly warn: boolean;
}

/** How far a cell's req/s follows the machine's speed, base and head (calibration.ts elasticity): "26%" or "19–24%". */
function speedShare(e: { base: number; head: number }): string {
  const [low, high] = [Math.min(e.base, e.head), Math.max(e.base, e.head)].map((x) => Math.round(x * 100));
  return low === high ? `${low}%` : `${low}–${high}%`;
}

/**
 * What a reader must know to trust a comparison's verdicts, in the order both reports give it:
 * settling, calibration, what was not calibrated or judged, other hardware (plain text: escape it
 * for where it goes; pure).
 */
export function comparisonNotes(comparison: Comparison, results: Results): Note[] {
  const notes: Note[] = [];
  const settled = settledNote(comparison);
  if (settled) notes.push(settled);
  const calibrated = comparison.cells.filter((c) => c.calibration);
  if (calibrated.length) {
    const factor = (c: CellComparison): string => {
      const k = c.calibration!;
      const range = k.rpsInterval ? ` [${k.rpsInterval.low.toFixed(2)}, ${k.rpsInterval.high.toFixed(2)}]` : '';
      return `×${k.rps.toFixed(2)}${range} req/s under ${c.name}`;
    };
    const byTurns = calibrated.every((c) => c.calibration!.byTurns);
    notes.push({
      label: 'Calibration',
      text:
        `this run ran the reference app at ${calibrated.map(factor).join(', ')} of the baseline's; ` +
        (byTurns
          ? "each trial's req/s and CPU per request are divided by the reference app's beside it (the two take turns in 1 s slices), on both sides, so the machine's speed of that moment divides out (it drifts between runs, and differs between machines)"
          : "those cells' req/s and CPU per request are divided by it before comparing (the machine's speed drifts between runs, and differs between machines), and its uncertainty is added to theirs"),
      warn: false,
    });
    const scheduled = calibrated.filter((c) => c.calibration!.scheduled);
    if (scheduled.length)
      notes.push({
        label: 'At a set rate',
        text: `${scheduled.map((c) => c.name).join(', ')} answered at their arrival rate on both sides: their req/s is the schedule's, not the machine's, and is compared as measured`,
        warn: false,
      });
    const waiting = calibrated.filter((c) => !c.calibration!.scheduled && Math.min(c.calibration!.elasticity.base, c.calibration!.elasticity.head) < 1);
    if (waiting.length)
      notes.push({
        label: 'Partly CPU-bound',
        text: `${waiting.map((c) => `${c.name} (${speedShare(c.calibration!.elasticity)})`).join(', ')} kept the server CPU only that busy against the reference app: a cell that waits gains less from a faster machine, so its req/s follows the reference's speed only that far; its CPU per request is taken to follow it halfway between that and whole, the rest counted as noise`,
        warn: false,
      });
    const generic = calibrated.filter((c) => c.calibration!.generic);
    if (generic.length) {
      const why = (c: CellComparison): string =>
        `${c.name} (${results.topologies.find((t) => t.name === c.name)?.kind === 'command' ? 'its own command' : 'gunicorn workers of an async class'})`;
      const one = generic.length === 1;
      notes.push({
        label: 'Generic reference',
        text: `${generic.map(why).join(', ')}: ${one ? 'its' : 'their'} reference app is pre-forked stdlib workers, which gauge the machine's speed but not ${one ? 'its' : 'their'} shape, so ${one ? 'its' : 'their'} noise is widened for that`,
        warn: false,
      });
    }
  }
  const uncalibrated = comparison.cells.filter((c) => !c.calibration && c.metrics.length > 0);
  if (comparison.hardwareNote && uncalibrated.length)
    notes.push({
      label: 'Not calibrated',
      text: `${uncalibrated.map((c) => c.name).join(', ')} (no reference app ran beside them): the spread between machines is part of their noise, so only a flagrant change decides`,
      warn: false,
    });
  if (comparison.hardwareNote)
    notes.push({ label: 'cross-hardware', text: `${comparison.hardwareNote}; part of a difference may come from the machine, not the code`, warn: true });
  if (comparison.ignored.length) notes.push({ label: 'Not judged', text: `${comparison.ignored.join(', ')} (in the results, not in the config)`, warn: false });
  return notes;
}
