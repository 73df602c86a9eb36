/**
 * `mode: run` executes the PR's code: its build and its servers. Nothing of the runner's secrets
 * may reach them, and nothing they print may carry a secret into results, reports or comments.
 */
import { readdirSync, readFileSync, writeFileSync as writeConfig } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, prPayload, runAction, workflowRunPayload } from '../../support/action.js';
import { ensureFixtureBuilt, ROOT } from '../../support/fixture.js';
import { useGithubMock } from '../../support/github-mock.js';

const mock = useGithubMock();
beforeAll(() => ensureFixtureBuilt());

const SECRETS = {
  GITHUB_TOKEN: 'ghs_runnerTokenValue0123456789',
  ACTIONS_RUNTIME_TOKEN: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.cachepoison',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidcRequestTokenValue987654',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/idtoken?secret=oidcUrlSecret42',
  MY_API_KEY: 'apiKeyPassedOnPurpose31337',
};
// The action's own token input reaches the action as INPUT_GITHUB-TOKEN.
const TOKEN_INPUT = 'test-token';

/** Every file the run left in the workspace, as text. */
function filesOf(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.parentPath.includes('.git'))
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

describe('no secrets in the measured code', () => {
  it('a build and a server that print their environment see no token, and no secret reaches any file, comment or output', async () => {
    const faults = path.join(ROOT, 'test/apps/faults.py');
    const ws = makeWorkspace('', [
      `  - {name: prints-env, kind: command, command: "{python} ${faults} {port} --print-env --exit 1"}`,
      `  - {name: passes-key, kind: command, command: "{python} -c 'import os; print(\\"key=\\" + os.environ[\\"MY_API_KEY\\"])'; exit 1 # {port}"}`,
    ]);
    // The build prints its environment too; pass-env hands one variable on, on purpose.
    const config = path.join(ws.dir, '.github/flask-perf.yml');
    writeConfig(
      config,
      readFileSync(config, 'utf8').replace('  health: /healthz', '  health: {path: /healthz, timeout: 5s}\n  build: env\n  pass-env: [MY_API_KEY]'),
    );
    const base = ws.commit('config');
    const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'pull_request', payload: prPayload(base), env: SECRETS });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('build: PATH=');
    const results = JSON.parse(readFileSync(path.join(ws.dir, 'flask-perf-results/results.json'), 'utf8'));
    const printed = results.topologies[0].error as string;
    expect(printed).toMatch(/exited with exit code 1 before becoming healthy; last output:\n/);
    expect(printed).toContain('PATH=');
    for (const name of [
      'GITHUB_TOKEN',
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'INPUT_GITHUB-TOKEN',
      'INPUT_MODE',
      'GITHUB_EVENT_PATH',
    ]) {
      expect(printed).not.toContain(`${name}=`);
      expect(r.stdout).not.toContain(`build: ${name}=`);
    }
    // Passed on purpose, and still redacted from what is stored.
    expect(results.topologies[1].error).toContain('key=***');
    const everything = [r.raw, JSON.stringify(r.outputs), r.summary, filesOf(ws.dir), ...mock.api.allComments().map((c) => c.body)].join('\n');
    for (const value of [...Object.values(SECRETS), 'oidcUrlSecret42']) expect(everything).not.toContain(value);
    expect(everything.split(TOKEN_INPUT).length - 1).toBe(0);
  });

  for (const event of ['pull_request_target', 'workflow_run']) {
    it(`mode: run refuses to start on ${event}, before any build`, async () => {
      const ws = makeWorkspace();
      const config = path.join(ws.dir, '.github/flask-perf.yml');
      writeConfig(config, readFileSync(config, 'utf8').replace('  health: /healthz', '  health: /healthz\n  build: echo BUILD-RAN'));
      const base = ws.commit('config');
      const payload = event === 'workflow_run' ? workflowRunPayload('a'.repeat(40), [7]) : prPayload(base);
      const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: event, payload, env: SECRETS });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        `::error::mode: run refuses to run on ${event}: that event's workflow has a write token and secrets, and run mode executes the pull request's code`,
      );
      expect(r.stdout).not.toContain('BUILD-RAN');
      expect(mock.api.calls).toEqual([]);
    });
  }

  it('a config cannot pass a token on', async () => {
    const ws = makeWorkspace();
    const config = path.join(ws.dir, '.github/flask-perf.yml');
    writeConfig(
      config,
      readFileSync(config, 'utf8').replace('  health: /healthz', '  health: /healthz\n  pass-env: [GITHUB_TOKEN, ACTIONS_RUNTIME_TOKEN, INPUT_GITHUB-TOKEN]'),
    );
    const base = ws.commit('config');
    const r = await runAction({ workspace: ws.dir, apiUrl: mock.url, eventName: 'pull_request', payload: prPayload(base), env: SECRETS });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'app.pass-env[0] must be a variable name other than GITHUB_TOKEN, GH_TOKEN, INPUT_* and ACTIONS_* (those are never passed to the code under test); got "GITHUB_TOKEN"',
    );
    expect(r.stdout).toContain('app.pass-env[1] must be');
    expect(r.stdout).toContain('app.pass-env[2] must be');
  });
});
