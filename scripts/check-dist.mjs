// Exits 1 when dist/ differs from a fresh bundle of src/ (run by the tests and by CI).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const fresh = mkdtempSync(path.join(os.tmpdir(), 'flask-perf-dist-'));
try {
  execFileSync(process.execPath, ['scripts/bundle.mjs', '--outdir', fresh], { stdio: 'inherit' });
  const stale = [];
  const names = new Set([...readdirSync('dist'), ...readdirSync(fresh)]);
  for (const name of names) {
    let a = '';
    let b = '';
    try {
      a = readFileSync(path.join('dist', name), 'utf8');
    } catch {
      /* only in the fresh bundle */
    }
    try {
      b = readFileSync(path.join(fresh, name), 'utf8');
    } catch {
      /* only in dist */
    }
    if (a !== b) stale.push(name);
  }
  if (stale.length) {
    console.error(`dist/ is stale (${stale.join(', ')}): run "npm run bundle" and commit dist/`);
    // exitCode, not exit(): exit() would skip the finally that removes the fresh bundle.
    process.exitCode = 1;
  } else {
    console.log('dist/ matches src/');
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
