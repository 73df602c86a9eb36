/** Names of the action's inputs, as in action.yml. */
export const Inputs = {
  Config: 'config',
  Baseline: 'baseline',
  Threshold: 'threshold',
  FailOnRegression: 'fail-on-regression',
  Comment: 'comment',
  UpdateBaseline: 'update-baseline',
  Mode: 'mode',
  ResultsDir: 'results-dir',
  GithubToken: 'github-token',
  Compare: 'compare',
} as const;

/** Names of the action's outputs, as in action.yml. */
export const Outputs = {
  Results: 'results',
  Report: 'report',
  Regressed: 'regressed',
  Summary: 'summary',
} as const;

/** Context of the commit status that `mode: report` sets on the PR's head commit. */
export const STATUS_CONTEXT = 'flask-perf';

/** Defaults of the inputs, as in action.yml (a test keeps the two in step). */
export const InputDefaults: Readonly<Record<string, string>> = {
  [Inputs.Config]: '.github/flask-perf.yml',
  [Inputs.Baseline]: '.github/flask-perf-baseline.json',
  [Inputs.Threshold]: '',
  [Inputs.FailOnRegression]: 'true',
  [Inputs.Comment]: 'true',
  [Inputs.UpdateBaseline]: 'false',
  [Inputs.Mode]: 'run',
  [Inputs.ResultsDir]: 'flask-perf-results',
  [Inputs.GithubToken]: '${{ github.token }}',
  [Inputs.Compare]: '',
};
