import path from 'node:path';
import { parsePercent } from '../config/percent.js';
import { Inputs } from './constants.js';

/** The action's inputs, read once, checked, typed. */
export interface ActionInputs {
  /** Config file, absolute. */
  readonly configPath: string;
  /** Config file as given, relative to the workspace (shown, and keys the PR comment). */
  readonly configLabel: string;
  /** Baseline file, absolute. */
  readonly baselinePath: string;
  /** Baseline file, normalised POSIX path relative to the workspace (read at the PR's base commit). */
  readonly baselineLabel: string;
  /** Largest allowed req/s drop, as a share (0.1 for 10%); undefined: the config's thresholds.rps, else its default. */
  readonly threshold: number | undefined;
  /** Fail the step on a regressed or failed cell. */
  readonly failOnRegression: boolean;
  /** Post or update the PR comment. */
  readonly comment: boolean;
  /** Write the baseline file from this run (ignored on pull requests). */
  readonly updateBaseline: boolean;
  /** `run` measures; `report` publishes a results directory made by an earlier `run`. */
  readonly mode: 'run' | 'report';
  /** Where `run` writes results.json, report.md and meta.json, and `report` reads them; absolute. */
  readonly resultsDir: string;
  /** Token for comments and statuses; empty means publish nothing. */
  readonly token: string;
  /** `baseline` (stored file) or `base` (measure the PR's base in this job); null: from the config. */
  readonly compare: 'baseline' | 'base' | null;
  /** Repository root: where relative paths start. */
  readonly workspace: string;
}

/** An input the user must fix; names the input, the rule and the value. */
export class InputError extends Error {
  override name = 'InputError';
}

type GetInput = (name: string) => string;

function bool(getInput: GetInput, name: string, problems: string[]): boolean {
  const raw = getInput(name).trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(raw)) return true;
  if (['false', 'no', '0', 'off'].includes(raw)) return false;
  problems.push(`input ${name} must be true or false; got ${JSON.stringify(getInput(name))}`);
  return false;
}

/**
 * Reads every input (the only place that does), checking all of them at once.
 * @param getInput returns an input's value with its action.yml default applied
 */
export function getInputs(getInput: GetInput, workspace: string): ActionInputs {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = getInput(name).trim();
    if (!value) problems.push(`input ${name} is required and must not be empty`);
    return value;
  };
  const configLabel = required(Inputs.Config);
  const baselineInput = required(Inputs.Baseline);
  // ".github//x.json" and "./x.json" name the same file git knows as ".github/x.json".
  const baselineLabel = path.posix.normalize(baselineInput.replace(/\\/g, '/'));
  if (baselineInput && (path.isAbsolute(baselineInput) || baselineLabel === '..' || baselineLabel.startsWith('../'))) {
    problems.push(`input ${Inputs.Baseline} must be a path inside the repository, relative to its root; got ${JSON.stringify(baselineInput)}`);
  }
  const thresholdText = getInput(Inputs.Threshold).trim();
  const threshold = thresholdText ? parsePercent(thresholdText) : undefined;
  if (thresholdText && (threshold === undefined || threshold <= 0 || threshold >= 1)) {
    problems.push(`input ${Inputs.Threshold} must be a percentage above 0% and below 100%, such as "10%", or empty; got ${JSON.stringify(thresholdText)}`);
  }
  const mode = getInput(Inputs.Mode).trim() || 'run';
  if (mode !== 'run' && mode !== 'report') problems.push(`input ${Inputs.Mode} must be "run" or "report"; got ${JSON.stringify(mode)}`);
  const resultsDir = required(Inputs.ResultsDir);
  const compare = getInput(Inputs.Compare).trim();
  if (compare && compare !== 'baseline' && compare !== 'base')
    problems.push(`input ${Inputs.Compare} must be "baseline", "base" or empty; got ${JSON.stringify(compare)}`);
  const inputs: ActionInputs = {
    configPath: path.resolve(workspace, configLabel),
    configLabel,
    baselinePath: path.resolve(workspace, baselineLabel),
    baselineLabel,
    threshold,
    failOnRegression: bool(getInput, Inputs.FailOnRegression, problems),
    comment: bool(getInput, Inputs.Comment, problems),
    updateBaseline: bool(getInput, Inputs.UpdateBaseline, problems),
    mode: mode as 'run' | 'report',
    resultsDir: path.resolve(workspace, resultsDir),
    token: getInput(Inputs.GithubToken).trim(),
    compare: compare === 'baseline' || compare === 'base' ? compare : null,
    workspace,
  };
  if (problems.length) throw new InputError(problems.join('\n'));
  return inputs;
}
