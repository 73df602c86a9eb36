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
   * on a fresh deployment (10 runs, bench/corpus/stored.json: 5 of 2026-12-02, 5 of 2026-12-06):
   * the log of app / reference per trial around its run's mean, 0.065 req/s and CPU (100 df), per
   * cell 0.041–0.088. Two runs' means of it apart beyond that: 0.086 and 0.088 (45 pairs of runs a
   * cell), from a heavy tail — gunicorn with 2 × the workers read 0.42 in one run and 0.66 in the
   * one before (−36%, all three fresh trials each), where the dev server moved by a few percent.
   * Whole runs move, not only deployments, and the machine's speed did not explain it (bench:detect
   * --fit). Counted as 0.10 worth 10 df: with the fit's 0.086, replayed A/A runs raised 0.9–1.1%
   * false alarms; with 4 df the tail was covered, but a halved `command` cell then passed in 42% of
   * runs (Holm's first step asks for p < 0.1%, and a t with 4 df puts that 7.2 standard errors out).
   */
  interleaved: { trial: { rps: { sd: 0.065, df: 10 }, cpu: { sd: 0.065, df: 10 } }, runs: { rps: { sd: 0.1, df: 10 }, cpu: { sd: 0.1, df: 10 } } },
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
 * A `command` topology's reference app has not its shape, nor has async gunicorn workers' (compare/calibration.ts genericReference):
 * it divides out the machine's speed of the moment, but how the two move together was measured only
 * for references of the same shape. Assumed: its between-run noise is that figure widened ×1.5 —
 * still a third of the uncalibrated drift — and across hardware it leaves CROSS_HARDWARE.generic.
 * Checked on one quiet host (bench/corpus/stored-commands*.json): the generic reference tracked four
 * fixture servers as well as shaped ones did, which says nothing of the tail: kept.
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
/** Entries of a cell's history before it joins the machine default (noise.ts pooledDrift). */
export const HISTORY_MIN = 5;

/**
 * What this machine kind's drift between runs is worth beside one cell's own history, in degrees
 * of freedom (noise.ts pooledDrift). Normalized by the reference app, cells differ tenfold: per run
 * 0–0.04 for four fixture cells, 0.13 for gunicorn with 2 × the workers; a scaled inverse χ² of the
 * cells' drifts, fitted by marginal likelihood on the corpus (bench:detect --fit), has 1.1 df (req/s)
 * and 1.2 (CPU): the pooled figure is a weak guide to any one cell, so it counts as 1 df, where
 * 10 let it drown a history of 8 (replayed −20% with 3 trials: 27% caught, 92% with 1 df; A/A 0.0%
 * either way). Raw values share the machine's speed, and their drifts are alike (≥ 28 df): there
 * the default keeps its own.
 */
export const DRIFT_PRIOR_DF = { interleaved: 1, none: MACHINE_NOISE.runs.rps.df } as const;

/**
 * A cell busy on its server cores within this share of the reference app counts as CPU-bound
 * (calibration.ts elasticity): the corpus's saturated fixture cells read 0.98–1.01 of it.
 */
export const SATURATED_SHARE = 0.95;
