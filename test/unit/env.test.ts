import { describe, expect, it } from 'vitest';
import { childEnv, redact, secretValues } from '../../src/topology/env.js';

const runner = {
  PATH: '/usr/bin',
  HOME: '/home/runner',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TMPDIR: '/tmp/x',
  PYTHONPATH: '/p',
  VIRTUAL_ENV: '/v',
  pythonLocation: '/opt/hostedtoolcache/Python/3.12',
  GITHUB_TOKEN: 'ghs_secretvalue',
  'INPUT_GITHUB-TOKEN': 'ghs_inputvalue',
  INPUT_MODE: 'run',
  ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/?t=1',
  GITHUB_EVENT_PATH: '/e.json',
  DATABASE_URL: 'postgres://u:p@h/db',
  AWS_SECRET_ACCESS_KEY: 'awsSecretValue',
};

describe('the environment of the code under test', () => {
  it('is built from the allow-list, never the runner environment', () => {
    expect(childEnv(runner)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/runner',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TMPDIR: '/tmp/x',
      PYTHONPATH: '/p',
      VIRTUAL_ENV: '/v',
      pythonLocation: '/opt/hostedtoolcache/Python/3.12',
    });
  });
  it('passes named variables on, except tokens, inputs and ACTIONS_*', () => {
    const env = childEnv(runner, ['DATABASE_URL', 'GITHUB_TOKEN', 'INPUT_MODE', 'ACTIONS_RUNTIME_TOKEN']);
    expect(env.DATABASE_URL).toBe('postgres://u:p@h/db');
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
    expect(env).not.toHaveProperty('INPUT_MODE');
    expect(env).not.toHaveProperty('ACTIONS_RUNTIME_TOKEN');
  });
  it("adds the config's own app.env last", () => expect(childEnv(runner, [], { PATH: '/mine', X: '1' })).toMatchObject({ PATH: '/mine', X: '1' }));
});

describe('redaction of what the code under test printed', () => {
  const secrets = secretValues(runner);
  it('knows tokens, token inputs, ACTIONS_* tokens and credential-named values', () => {
    expect(secrets).toEqual(expect.arrayContaining(['ghs_secretvalue', 'ghs_inputvalue', 'runtime-secret', 'awsSecretValue']));
    expect(secrets).not.toContain('/usr/bin');
    expect(secrets).not.toContain('run');
  });
  it('replaces every occurrence', () => expect(redact('a ghs_secretvalue b ghs_secretvalue awsSecretValue', secrets)).toBe('a *** b *** ***'));
});
