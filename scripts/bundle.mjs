// Bundles each entry point into one file under dist/ (committed; the action runs dist/index.js).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = values.outdir;

const entries = {
  index: 'src/index.ts',
  cli: 'src/cli.ts',
  'load-generator': 'src/load-generator.ts',
  balancer: 'src/balancer.ts',
};

await build({
  entryPoints: entries,
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: false,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __flaskPerfCreateRequire } from 'node:module';\nconst require = __flaskPerfCreateRequire(import.meta.url);" },
});

// The load generator must carry the patched autocannon client (patches/), or its numbers are wrong.
if (!readFileSync(path.join(outdir, 'load-generator.js'), 'utf8').includes('this.opts.localAddresses')) {
  console.error('bundle: dist/load-generator.js lacks the autocannon patch; run "npm ci" (patch-package runs on postinstall)');
  process.exit(1);
}
