import { tempDir } from './tmp.js';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { FIXTURE_DIR, FIXTURE_PYTHON, ROOT } from './fixture.js';

/** What a run of dist/index.js left behind. */
export interface ActionRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The log with workflow commands decoded, as GitHub shows it. */
  readonly stdout: string;
  /** The log as written, where the runner looks for `::command::` lines. */
  readonly raw: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** The log with workflow commands' escapes (%25, %0D, %0A) decoded, as GitHub shows it. */
export function decodeCommands(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.startsWith('::') ? line.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%') : line))
    .join('\n');
}

/** Parses a GITHUB_OUTPUT file (name<<delimiter … delimiter). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

/** Topologies of the committed results documents (test/data): report mode's trusted config lists them. */
export const DATA_TOPOLOGIES = ['  - {name: gunicorn-2, kind: gunicorn, workers: 2}', '  - {name: single, kind: flask}'];

/**
 * A small git repository (the user's): the fixture app in app/ (run with the fixture's venv) and a
 * flask-perf config with `topologies` (default: one gunicorn cell) and `configExtra` appended.
 */
export function makeWorkspace(
  configExtra = '',
  topologies: readonly string[] = DATA_TOPOLOGIES.slice(0, 1),
): { dir: string; commit: (message: string) => string } {
  const dir = tempDir('ws');
  mkdirSync(path.join(dir, '.github'), { recursive: true });
  mkdirSync(path.join(dir, 'app'));
  copyFileSync(path.join(FIXTURE_DIR, 'app.py'), path.join(dir, 'app/app.py'));
  writeFileSync(path.join(dir, '.gitignore'), '__pycache__/\nflask-perf-results/\n');
  writeFileSync(
    path.join(dir, '.github/flask-perf.yml'),
    [
      'app:',
      '  workdir: app',
      `  python: ${FIXTURE_PYTHON}`,
      '  start: "{python} app.py {port}"',
      '  health: /healthz',
      'load:',
      '  connections: 8',
      '  warmup: 500ms',
      '  duration: 1500ms',
      '  trials: 2',
      '  requests: [{path: /}, {path: /cpu-bound}]',
      'topologies:',
      ...topologies,
      // The calibration cell doubles a run, and settling measures the PR's base again: only the tests about them want them.
      configExtra.includes('compare:') ? configExtra : `compare: {calibrate: false, settle: false}\n${configExtra}`,
      '',
    ].join('\n'),
  );
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  return {
    dir,
    commit: (message) => {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

export interface ActionOptions {
  readonly workspace: string;
  /** Called with the log so far as it grows, and a function that sends the action a signal. */
  readonly onOutput?: (text: string, signal: (s: NodeJS.Signals) => void) => void;
  readonly apiUrl: string;
  readonly eventName: string;
  readonly payload: unknown;
  readonly inputs?: Record<string, string>;
  readonly env?: Record<string, string>;
}

/** The inputs' defaults as the runner applies them: from action.yml (the token stands in for github.token). */
const DEFAULT_INPUTS: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries((parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }> }).inputs).map(([name, i]) => [
      name,
      i.default,
    ]),
  ),
  'github-token': 'test-token',
};

/** Runs the bundled action the way the runner does: INPUT_* variables, event file, output files. */
export function runAction(options: ActionOptions): Promise<ActionRun> {
  const tmp = tempDir('runner');
  const eventPath = path.join(tmp, 'event.json');
  const outputPath = path.join(tmp, 'output');
  const summaryPath = path.join(tmp, 'summary.md');
  writeFileSync(eventPath, JSON.stringify(options.payload));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const inputs = { ...DEFAULT_INPUTS, ...options.inputs };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_SHA: 'f'.repeat(40),
    RUNNER_TEMP: tmp,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/index.js')], { cwd: options.workspace, env });
    let stdout = '';
    const grow = (c: Buffer): void => {
      stdout += c.toString();
      options.onOutput?.(stdout, (s) => child.kill(s));
    };
    child.stdout.on('data', grow);
    child.stderr.on('data', grow);
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: decodeCommands(stdout),
        raw: stdout,
        outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
        summary: readFileSync(summaryPath, 'utf8'),
      });
    });
  });
}

/** A pull_request payload for PR #7 of octo/app. */
export function prPayload(baseSha: string, headSha = 'a'.repeat(40)): unknown {
  return {
    action: 'synchronize',
    number: 7,
    pull_request: { number: 7, base: { sha: baseSha, ref: 'main' }, head: { sha: headSha, ref: 'feature' } },
    repository: { name: 'app', owner: { login: 'octo' } },
  };
}

/** A push payload to main. */
export function pushPayload(): unknown {
  return { ref: 'refs/heads/main', repository: { name: 'app', owner: { login: 'octo' } } };
}

/** A workflow_run payload: the run of the `perf` workflow for `headSha`, from a fork's branch. */
export function workflowRunPayload(headSha: string, pullRequests: readonly number[]): unknown {
  return {
    workflow_run: {
      head_sha: headSha,
      head_branch: 'feature',
      head_repository: { owner: { login: 'fork-owner' } },
      pull_requests: pullRequests.map((number) => ({ number })),
    },
    repository: { name: 'app', owner: { login: 'octo' } },
  };
}
