/** Entry of the bundled balancer process (dist/balancer.js). */
import { parseBalancerArgs, startBalancer } from './topology/balancer/server.js';

try {
  await startBalancer(parseBalancerArgs(process.argv.slice(2)));
  // Connections in flight end with the process: the run stops the balancer only when it is done with it.
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
} catch (error) {
  console.error(`balancer: ${(error as Error).message}`);
  process.exit(2);
}
