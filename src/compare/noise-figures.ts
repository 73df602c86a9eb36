/**
 * How much measurements move on a machine of this kind when nothing changed, on the log scale,
 * fitted on the A/A corpus in bench/corpus/ (recorded and described there; `npm run bench:detect
 * -- --replay` checks the verdicts it gives). Each figure has the degrees of freedom it is worth.
 */
export const MACHINE_NOISE = {
  // Fitted on 12 stored-baseline runs (5 cells, 3 trials, 2026-11-28, 2 vCPUs "AMD EPYC"): pooled
  // within-run sd of trials, and the sd of the difference of two runs' means less the trials' part.
  // The corpus gives 120 and 55 degrees of freedom; a prior counts 30: other machines differ.
  /** One trial around its run's mean (stored baseline; 5 s trials after a 2 s warm-up). */
  trial: { rps: { sd: 0.106, df: 30 }, cpu: { sd: 0.105, df: 30 }, p99: { sd: 0.56, df: 30 } },
  /** Two runs' means apart beyond what their trials' spread explains (separate processes, minutes apart). */
  runs: { rps: { sd: 0.169, df: 30 }, cpu: { sd: 0.158, df: 30 }, p99: { sd: 0.2, df: 30 } },
  /**
   * The same, each cell divided by its calibration cell (the reference app, same topology, same
   * run): the machine's speed moves both (their run means correlate 0.65–0.89), so most of the
   * drift divides out. Fitted 0.060 and 0.008; CPU floored at 0.04, as no machine is that steady.
   */
  calibratedRuns: { rps: { sd: 0.06, df: 30 }, cpu: { sd: 0.04, df: 30 } },
  /**
   * Calibrated by turns (the reference app beside the app, 1 s slices in every trial), fitted on
   * 12 runs (2026-12-02, same machine): the log of app / reference per trial around its run's
   * mean (0.081 req/s, 0.075 CPU), and two runs' means of it apart beyond that (fitted 0.000 and
   * 0.012: app and reference run means correlate 0.97–0.99). Floored at 0.02: one hour of one
   * machine is not every machine.
   */
  interleaved: { trial: { rps: { sd: 0.081, df: 30 }, cpu: { sd: 0.075, df: 30 } }, runs: { rps: { sd: 0.02, df: 30 }, cpu: { sd: 0.02, df: 30 } } },
  /** One paired round's log ratio head/base (compare: base; 5 A/A runs × 8 rounds × 5 cells, 0.5 s slices). */
  round: { rps: { sd: 0.089, df: 8 }, cpu: { sd: 0.078, df: 8 }, p99: { sd: 0.19, df: 8 } },
} as const;

/**
 * How far two capacity searches of the same deployment land apart (log sd of one search's
 * result): the bracket's 5% resolution, and the p99 of a few seconds near the knee deciding pass
 * or fail. Assumed at 8% (worth 4 df) until measured: `npm run bench:capacity -- --repeat 2`
 * prints the spread of repeated searches.
 */
export const CAPACITY_NOISE = { sd: 0.08, df: 4 } as const;

/**
 * Across machines, what a calibration cell cannot divide out (the app and the reference app
 * gaining differently from a faster CPU), and how far machines of one runner label differ when
 * nothing divides anything out. Not measurable on one machine: assumed, and stated as such.
 * Uncalibrated, a drop of 50% still stands past it (z ≈ 4).
 */
export const CROSS_HARDWARE = { calibrated: 0.05, uncalibrated: 0.15, df: 10 } as const;

/**
 * Length of the corpus's trials, s. A shorter trial averages fewer seconds, so its spread is wider:
 * trial noise is scaled by √(this / trial length) below it (never narrowed above it).
 */
export const CORPUS_TRIAL_SEC = 5;

/** An older baseline (no noise record) is judged with this much more between-run noise. */
export const OLD_BASELINE_WIDENING = 1.5;

/** Consecutive baselines kept in a baseline's history. */
export const HISTORY_LENGTH = 20;
/** Entries of history before it replaces the machine default. */
export const HISTORY_MIN = 5;
