// Exploratory: per-trial noise of app / reference by slice length (not committed).
import { calibrationConfig, calibrationDir } from '../../src/calibration/plan.js';
import { readConfig, selectTopologies } from '../../src/config/load.js';
import { runInterleaved } from '../../src/run/cell.js';
import { cellDepsFor, placementHere } from '../../src/run/matrix.js';
import { silentProgress } from '../../src/run/progress.js';
import { FIXTURE_CONFIG, ROOT } from '../../test/support/fixture.js';

const names = (process.argv[2] ?? 'gunicorn-auto,single').split(',');
const slicesList = (process.argv[3] ?? '10,5,2,1').split(',').map(Number);
const reps = Number(process.argv[4] ?? 2);
const fixture = readConfig(FIXTURE_CONFIG, ROOT);
const config = { ...fixture, load: { ...fixture.load, warmupMs: 2000, durationMs: 5000, trials: 6 } };
const { placement } = placementHere(config);
const deps = cellDepsFor(config, silentProgress);
const sd = (v: number[]) => { const m = v.reduce((a, b) => a + b, 0) / v.length; return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)); };
for (let r = 0; r < reps; r++) {
  for (const name of names) {
    const topology = selectTopologies(config, [name]).topologies[0];
    const reference = calibrationConfig(config, topology, calibrationDir())!;
    for (const slices of slicesList) {
      const pair = await runInterleaved(topology, { app: config, reference }, placement, deps, { warmupMs: { app: 2000, reference: 2000 }, durationMs: 5000, trials: 6, slices, first: 'app' });
      const a = pair.app.trials.map((t) => t.rps);
      const b = pair.reference.trials.map((t) => t.rps);
      const lr = a.map((x, i) => Math.log(x / b[i]));
      const ca = pair.app.trials.map((t, i) => Math.log(t.cpuMsPer1kRequests! / pair.reference.trials[i].cpuMsPer1kRequests!));
      console.log(`${name} slices=${slices} (${(5 / slices).toFixed(1)} s): app rps ${a.map(Math.round).join(' ')} | ref ${b.map(Math.round).join(' ')} | sd log(app/ref) rps ${sd(lr).toFixed(3)} cpu ${sd(ca).toFixed(3)} | sd log app ${sd(a.map(Math.log)).toFixed(3)} ref ${sd(b.map(Math.log)).toFixed(3)}`);
    }
  }
}
