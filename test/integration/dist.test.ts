import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/fixture.js';

describe('dist/', () => {
  it('matches a fresh bundle of src/', () => {
    // Throws with the stale files named when it does not.
    const out = execFileSync(process.execPath, ['scripts/check-dist.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('dist/ matches src/');
  });
});
