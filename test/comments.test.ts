import { describe, expect, it } from 'vitest';
import { upsertComment, type CommentsApi } from '../src/github/comments.js';

const MARKER = '<!-- flask-perf-action config=c.yml -->';

function api(comments: { id: number; body: string; author: string | null }[], me: string | null) {
  const calls: string[] = [];
  const fake: CommentsApi = {
    list: async () => comments,
    create: async () => (calls.push('create'), { id: 99 }),
    update: async (id) => (calls.push(`update ${id}`), { id }),
    identity: async () => me,
  };
  return { fake, calls };
}

describe('upsertComment edits only our own comment', () => {
  const cases = [
    { what: 'none yet: creates', comments: [], me: 'bot', calls: ['create'] },
    { what: 'ours: edits it', comments: [{ id: 5, body: `${MARKER}\nold`, author: 'bot' }], me: 'bot', calls: ['update 5'] },
    { what: "someone else's with the marker: creates, never edits theirs", comments: [{ id: 5, body: `${MARKER}\nfake`, author: 'mallory' }], me: 'bot', calls: ['create'] },
    { what: 'ours quoting the marker mid-body does not count', comments: [{ id: 5, body: `see ${MARKER}`, author: 'bot' }], me: 'bot', calls: ['create'] },
    { what: 'two of ours (a race): the oldest', comments: [{ id: 9, body: MARKER, author: 'bot' }, { id: 4, body: MARKER, author: 'bot' }], me: 'bot', calls: ['update 4'] },
    { what: 'identity unknown: creates, edits nothing', comments: [{ id: 5, body: MARKER, author: 'bot' }], me: null, calls: ['create'] },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const { fake, calls } = api(c.comments, c.me);
      await upsertComment(fake, 7, MARKER, 'new');
      expect(calls).toEqual(c.calls);
    });
  }
});
