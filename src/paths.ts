import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this package: the nearest folder above this file that holds package.json. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (let i = 0; i < 10; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`flask-perf: cannot find the package root above ${from}`);
}

/** Absolute path of a bundled helper process (dist/load-generator.js, dist/balancer.js). */
export function distScript(name: 'load-generator.js' | 'balancer.js'): string {
  const script = path.join(packageRoot(), 'dist', name);
  if (!existsSync(script)) throw new Error(`flask-perf: ${script} is missing; run "npm run bundle"`);
  return script;
}
