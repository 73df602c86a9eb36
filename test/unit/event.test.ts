import { describe, expect, it } from 'vitest';
import { pullRequestOf, workflowRunOf } from '../../src/github/event.js';

describe("GitHub's event payloads, read field by field", () => {
  it('a pull_request event names the PR and both commits', () => {
    const payload = { pull_request: { number: 7, base: { sha: 'b'.repeat(40) }, head: { sha: 'a'.repeat(40) } } };
    expect(pullRequestOf('pull_request', payload)).toEqual({ number: 7, baseSha: 'b'.repeat(40), headSha: 'a'.repeat(40) });
  });
  const loose = [
    { what: 'another event', event: 'push', payload: { pull_request: { number: 7 } }, expected: null },
    { what: 'no pull_request', event: 'pull_request', payload: {}, expected: null },
    { what: 'a number that is a string', event: 'pull_request', payload: { pull_request: { number: '7' } }, expected: null },
    {
      what: 'commits missing or not strings',
      event: 'pull_request',
      payload: { pull_request: { number: 7, base: { sha: 5 }, head: null } },
      expected: { number: 7, baseSha: null, headSha: null },
    },
  ];
  for (const c of loose) it(`pull request: ${c.what}`, () => expect(pullRequestOf(c.event, c.payload)).toEqual(c.expected));

  it('a workflow_run event names the run’s commit, branch, fork owner and listed PRs', () => {
    const payload = {
      workflow_run: {
        head_sha: 'c'.repeat(40),
        head_branch: 'feature',
        head_repository: { owner: { login: 'fork' } },
        pull_requests: [{ number: 3 }, { number: 'x' }, null],
      },
    };
    expect(workflowRunOf('workflow_run', payload)).toEqual({ headSha: 'c'.repeat(40), headBranch: 'feature', headOwner: 'fork', pullRequests: [3] });
  });
  it('a workflow_run with fields missing reads as empty, not a crash', () => {
    expect(workflowRunOf('workflow_run', { workflow_run: {} })).toEqual({ headSha: '', headBranch: '', headOwner: '', pullRequests: [] });
    expect(workflowRunOf('workflow_run', { workflow_run: 'x' })).toBeNull();
    expect(workflowRunOf('push', { workflow_run: {} })).toBeNull();
  });
});
