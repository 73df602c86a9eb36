// Bundles each entry point into one file under dist/ (committed; the action runs dist/index.js).
import { build } from 'esbuild';
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
