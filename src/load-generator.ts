/**
 * Entry of the load generator process (dist/load-generator.js). It stays up for a whole cell, so the
 * warm-up also warms its JIT: jobs come in over IPC, one sample goes back per job.
 */
import { runJob } from './load/engine.js';
import type { LoadJob } from './load/types.js';

let queue = Promise.resolve();
process.on('message', (job: LoadJob) => {
  queue = queue.then(() =>
    runJob(job).then(
      (sample) => void process.send?.({ type: 'sample', sample }),
      (error: Error) => void process.send?.({ type: 'error', message: error.message }),
    ),
  );
});
// Without a parent there is nothing to do.
process.on('disconnect', () => process.exit(0));
