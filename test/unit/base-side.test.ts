/** compare: base — the base's config, pointed at its worktree, and the interpreter it runs on. */
import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/load.js';
import { configForBase } from '../../src/pipeline/pipeline.js';
import { baseInterpreter } from '../../src/run/build.js';

const head = configFromObject(
  { app: { workdir: 'api', python: '.venv/bin/python', start: '{python} app.py {port}' }, topologies: [{ name: 'f', kind: 'flask' }] },
  '/repo/.github/flask-perf.yml',
  '/repo',
);
const base = configForBase(head, '/repo', '/tmp/wt');

describe('the base side of compare: base', () => {
  it('runs in the worktree, on the worktree’s interpreter when it has one', () => {
    expect(base.app.workdir).toBe('/tmp/wt/api');
    expect(base.app.python).toBe('/tmp/wt/api/.venv/bin/python');
    const own = baseInterpreter(base, head, () => true);
    expect(own).toEqual({ config: base, note: null });
  });
  it('runs on the head’s interpreter when the worktree has none (an untracked virtualenv, no build made one), and says so', () => {
    const found = baseInterpreter(base, head, (p) => p === '/repo/api/.venv/bin/python');
    expect(found.config.app.python).toBe('/repo/api/.venv/bin/python');
    expect(found.config.app.workdir).toBe('/tmp/wt/api');
    expect(found.note).toBe(
      "base: /tmp/wt/api/.venv/bin/python is not in the base's worktree (not committed, and app.build did not make it): the base runs on /repo/api/.venv/bin/python",
    );
    // Neither side has it: the base fails as the head does, with the shell's own message.
    expect(baseInterpreter(base, head, () => false).config).toBe(base);
    // An interpreter on PATH is the same for both.
    const onPath = { ...head, app: { ...head.app, python: 'python3' } };
    expect(baseInterpreter(configForBase(onPath, '/repo', '/tmp/wt'), onPath, () => false).note).toBeNull();
  });
});
