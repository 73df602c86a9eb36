/**
 * How much measurements move on a machine of this kind when nothing changed, on the log scale,
 * fitted on the A/A corpus in bench/corpus/ (recorded and described there; `npm run bench:detect
 * -- --replay` checks the verdicts it gives). Each figure has the degrees of freedom it is worth.
 */
export const MACHINE_NOISE = {
  // Two corpora of 5 stored-baseline runs each (5 cells, 3 trials, 2026-12-02, 2 vCPUs "AMD EPYC"):
  // trials sharing one deployment (15 s), and each trial on a fresh deployment (10 s, the design
  // now). Pooled within-run sd of trials: 0.14 and 0.162 (50 df each); the sd of two runs' means
  // apart less the trials' part: 0.221 and 0.073. The host's speed swings over minutes to hours,
  // so the larger of each is kept; a prior counts 30 and 20 df: other machines differ.
  /** One trial around its run's mean (stored baseline, uncalibrated). */
  trial: { rps: { sd: 0.162, df: 30 }, cpu: { sd: 0.164, df: 30 }, p99: { sd: 0.233, df: 30 } },
  /** Two runs' means apart beyond what their trials' spread explains (separate processes, minutes apart). */
  runs: { rps: { sd: 0.221, df: 20 }, cpu: { sd: 0.224, df: 20 }, p99: { sd: 0.256, df: 20 } },
  /**
   * Calibrated after each cell (the previous design, still read from older baselines): fitted on
   * 12 runs of 2026-11-28; CPU floored at 0.04, as no machine is that steady.
   */
  calibratedRuns: { rps: { sd: 0.06, df: 30 }, cpu: { sd: 0.04, df: 30 } },
  /**
   * Calibrated by turns (the reference app beside the app, 1 s slices in every trial), each trial
   * on a fresh deployment (5 runs, bench/corpus/stored.json): the log of app / reference per trial
   * around its run's mean, 0.056 req/s and 0.057 CPU (50 df), per cell 0.037–0.068 — fresh
   * deployments made the cells alike (ν = 4 + 2/CV² ≈ 16 from how far their variances spread;
   * trials sharing a deployment had spread 0.03–0.14, ν ≈ 5). Two runs' means of it apart beyond
   * that: 0.067 and 0.069 (app and reference run means correlate 0.85–1.0; gunicorn with 4 workers
   * read 0.45 against 0.53–0.59 in all three fresh trials of one run: whole runs move, not only
   * deployments). Prior: 0.06 worth 10 df.
   */
  interleaved: { trial: { rps: { sd: 0.06, df: 10 }, cpu: { sd: 0.06, df: 10 } }, runs: { rps: { sd: 0.067, df: 6 }, cpu: { sd: 0.069, df: 6 } } },
  /**
   * One paired round's log ratio head/base (compare: base; 4 A/A runs × 8 rounds × 5 cells, 3 slices
   * of 1 s a side with the drain; 160 df, counted as 12: other machines differ. Replayed, 20 df
   * reached 1.0% false alarms, 12 none in 500 runs).
   */
  round: { rps: { sd: 0.071, df: 12 }, cpu: { sd: 0.07, df: 12 }, p99: { sd: 0.248, df: 12 } },
} as const;

/**
 * How far two capacity searches of the same deployment land apart (log sd of one search's
 * result): the bracket's 5% resolution, and the p99 of a few seconds near the knee deciding pass
 * or fail. Measured by turns (`npm run bench:capacity -- --ab --repeat 3`, 2026-12-02: three
 * compare: base A/A runs of the five fixture topologies, 15 log ratios head / base): 0.164 for a
 * ratio, 0.116 for one search, heavy-tailed (balancer-random once 0.66×; without it 0.058). Counted
 * as 10 df, which keeps the tails in: other machines differ. Searches in separate runs add the
 * drift between runs (`--repeat 2` without --ab read 0.175 per search, uncalibrated), which the
 * stored path adds on its own.
 */
export const CAPACITY_NOISE = { sd: 0.116, df: 10 } as const;

/**
 * Across machines, what a calibration cell cannot divide out (the app and the reference app
 * gaining differently from a faster CPU), and how far machines of one runner label differ when
 * nothing divides anything out. Not measurable on one machine: assumed, and stated as such.
 * Uncalibrated, a drop of 50% still stands past it (z ≈ 4).
 */
export const CROSS_HARDWARE = { calibrated: 0.05, generic: 0.1, uncalibrated: 0.15, df: 10 } as const;

/**
 * A `command` topology's reference app has not its shape (compare/calibration.ts genericReference):
 * it divides out the machine's speed of the moment, but how the two move together was measured only
 * for references of the same shape. Assumed: its between-run noise is that figure widened ×1.5 —
 * still a third of the uncalibrated drift — and across hardware it leaves CROSS_HARDWARE.generic.
 */
export const GENERIC_REFERENCE_WIDENING = 1.5;

/**
 * Trial length, s, from which trial noise no longer narrows: calibrated trials of 5 s (archive,
 * 0.081) and of 15 s (0.078) spread alike, as most of it is the deployment's and the moment's,
 * not the averaging's. A shorter trial averages fewer seconds: its noise is scaled by
 * √(this / trial length).
 */
export const CORPUS_TRIAL_SEC = 5;

/** An older baseline (no noise record) is judged with this much more between-run noise. */
export const OLD_BASELINE_WIDENING = 1.5;

/** Consecutive baselines kept in a baseline's history. */
export const HISTORY_LENGTH = 20;
/** Entries of history before it replaces the machine default. */
export const HISTORY_MIN = 5;
