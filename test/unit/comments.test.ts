/**
 * The sticky comment, through the real Octokit client against the local stand-in for GitHub's
 * REST API (no process is started): only our own comment holding the marker is ever edited.
 */
import { describe, expect, it } from 'vitest';
import { upsertComment } from '../../src/github/comments.js';
import { octokitRepoApi } from '../../src/github/octokit.js';
import { useGithubMock } from '../support/github-mock.js';

const MARKER = '<!-- flask-perf-action config=c.yml -->';
const OURS = 'github-actions[bot]';
const mock = useGithubMock();

describe('upsertComment edits only our own comment', () => {
  const cases = [
    { what: 'none yet: creates', seed: [], calls: ['POST'] },
    { what: 'ours: edits it', seed: [{ author: OURS, body: `${MARKER}\nold` }], calls: ['PATCH 0'] },
    { what: "someone else's with the marker: creates, never edits theirs", seed: [{ author: 'mallory', body: `${MARKER}\nfake` }], calls: ['POST'] },
    { what: 'ours quoting the marker mid-body does not count', seed: [{ author: OURS, body: `see ${MARKER}` }], calls: ['POST'] },
    {
      what: 'two of ours (a race): the oldest',
      seed: [
        { author: OURS, body: MARKER },
        { author: OURS, body: MARKER },
      ],
      calls: ['PATCH 0'],
    },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const seeded = c.seed.map((s) => mock.api.seedComment(7, s.author, s.body));
      const outcome = await upsertComment(octokitRepoApi('test-token', 'octo', 'app', mock.url), 7, MARKER, `${MARKER}\nnew`);
      const writes = mock.api.calls.filter((x) => (x.method === 'POST' && x.path.endsWith('/comments')) || x.method === 'PATCH');
      expect(writes.map((w) => (w.method === 'PATCH' ? `PATCH ${seeded.findIndex((s) => w.path.endsWith(`/${s.id}`))}` : 'POST'))).toEqual(c.calls);
      expect(outcome.identity).toBe(OURS);
      // Nobody else's comment changed.
      for (const s of seeded.filter((x) => x.author !== OURS)) expect(mock.api.allComments().find((x) => x.id === s.id)?.body).toBe(s.body);
    });
  }

  it('identity unknown: creates, edits nothing', async () => {
    mock.api.hideIdentity = true;
    mock.api.seedComment(7, OURS, MARKER);
    const outcome = await upsertComment(octokitRepoApi('test-token', 'octo', 'app', mock.url), 7, MARKER, `${MARKER}\nnew`);
    expect(outcome.identity).toBeNull();
    expect(mock.api.calls.filter((x) => x.method === 'PATCH')).toEqual([]);
    expect(mock.api.allComments()).toHaveLength(2);
  });
});
