/** Entry of the bundled balancer process (dist/balancer.js). */
import { parseBalancerArgs, startBalancer } from './topology/balancer/server.js';

try {
  const server = await startBalancer(parseBalancerArgs(process.argv.slice(2)));
  const close = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
} catch (error) {
  console.error(`balancer: ${(error as Error).message}`);
  process.exit(2);
}
