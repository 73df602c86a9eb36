import { tempDir } from './tmp.js';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURE_DIR, FIXTURE_PYTHON } from './fixture.js';

/**
 * A user's repository: the fixture app in app/, a config that compares with the PR base.
 * The base commit is the fixture as shipped; the head commit changes the app's code (when
 * `slowHead`) so every request burns 4 ms more CPU: 5–9× the fixture's CPU per request, far past
 * any noise. Both sides use the fixture's venv.
 */
export function repository(slowHead: boolean, configExtra = ''): { dir: string; base: string; head: string } {
  const dir = tempDir('ab');
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  mkdirSync(path.join(dir, 'app'));
  mkdirSync(path.join(dir, '.github'));
  for (const f of ['app.py', 'build.py', 'requirements.txt']) copyFileSync(path.join(FIXTURE_DIR, f), path.join(dir, 'app', f));
  writeFileSync(path.join(dir, '.gitignore'), '__pycache__/\n*.sqlite3\nflask-perf-results/\n');
  writeFileSync(
    path.join(dir, '.github/flask-perf.yml'),
    [
      'app:',
      '  workdir: app',
      `  python: ${FIXTURE_PYTHON}`,
      '  build: python3 -c "import build; build.create_table()"',
      '  start: "{python} app.py {port}"',
      '  health: /healthz',
      'load: {connections: 8, requests: [{path: /}, {path: /cpu-bound}]}',
      'compare: {mode: base, rounds: 3, max-rounds: 4, duration: 1s, warmup: 300ms}',
      'topologies:',
      '  - {name: gunicorn-2, kind: gunicorn, workers: 2}',
      '  - {name: single, kind: flask}',
      configExtra,
      '',
    ].join('\n'),
  );
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 't');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  const base = git('rev-parse', 'HEAD');
  if (slowHead) {
    const app = path.join(dir, 'app/app.py');
    writeFileSync(app, readFileSync(app, 'utf8').replace('os.environ.get("FIXTURE_EXTRA_CPU_US", "0")', 'os.environ.get("FIXTURE_EXTRA_CPU_US", "4000")'));
  }
  git('commit', '-q', '-a', '--allow-empty', '-m', 'head');
  return { dir, base, head: git('rev-parse', 'HEAD') };
}
