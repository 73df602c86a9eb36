/**
 * How much measurements move on a machine of this kind when nothing changed, on the log scale,
 * fitted on the A/A corpus in bench/corpus/ (recorded and described there; `npm run bench:detect
 * -- --replay` checks the verdicts it gives). Each figure has the degrees of freedom it is worth.
 */
export const MACHINE_NOISE = {
  // Fitted on 5 stored-baseline runs (5 cells, 3 × 15 s trials after a 5 s warm-up, 2026-12-02,
  // 2 vCPUs "AMD EPYC"): pooled within-run sd of trials, and the sd of the difference of two runs'
  // means less the trials' part. The corpus gives 50 and 20 degrees of freedom; a prior counts 30:
  // other machines differ.
  /** One trial around its run's mean (stored baseline, uncalibrated). */
  trial: { rps: { sd: 0.14, df: 30 }, cpu: { sd: 0.14, df: 30 }, p99: { sd: 0.191, df: 30 } },
  /** Two runs' means apart beyond what their trials' spread explains (separate processes, minutes apart). */
  runs: { rps: { sd: 0.221, df: 20 }, cpu: { sd: 0.224, df: 20 }, p99: { sd: 0.256, df: 20 } },
  /**
   * Calibrated after each cell (the previous design, still read from older baselines): fitted on
   * 12 runs of 2026-11-28; CPU floored at 0.04, as no machine is that steady.
   */
  calibratedRuns: { rps: { sd: 0.06, df: 30 }, cpu: { sd: 0.04, df: 30 } },
  /**
   * Calibrated by turns (the reference app beside the app, 1 s slices in every trial), same 5 runs:
   * the log of app / reference per trial around its run's mean, and two runs' means of it apart
   * beyond that (0.036 req/s, 0.042 CPU: app and reference run means correlate 0.89–0.99). Topologies
   * differ: per cell the trial sd ran 0.03–0.06, and 0.14 under gunicorn-2x (low outliers), pooled
   * 0.078. So the prior is that of an unknown topology: 0.08 worth 5 df (from how far the cells'
   * variances spread: ν = 4 + 2/CV²), which a cell's own trials soon outweigh. Replayed, this keeps 1
   * and 3 trials at no false alarm where 30 df did not (4.9% with 1 trial).
   */
  interleaved: { trial: { rps: { sd: 0.08, df: 5 }, cpu: { sd: 0.08, df: 5 } }, runs: { rps: { sd: 0.036, df: 20 }, cpu: { sd: 0.042, df: 20 } } },
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
 * or fail. Assumed at 8% (worth 4 df). `npm run bench:capacity -- --repeat 2` (2026-12-02, five
 * fixture topologies, uncalibrated, searches minutes apart) read 0.175 (5 df): that includes the
 * drift between runs, and matches what the stored path adds for it — √(2 · 0.08² + 0.221²) ≈ 0.25
 * for a difference, against 0.175 · √2 ≈ 0.25 measured. Searches by turns (compare: base) see no
 * drift; their own spread is still to be measured.
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
