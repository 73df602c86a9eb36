/** Entry of the GitHub Action (dist/index.js). */
import { run } from './action/main.js';

await run();
