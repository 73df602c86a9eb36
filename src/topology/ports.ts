import net from 'node:net';

/** A TCP port free on `host` right now, chosen by the kernel (never a fixed one). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Ports handed out and not yet released. A free port is free only until someone binds it: two
 * deployments started together (compare: base, calibration) must never be given the same one.
 */
const held = new Set<number>();

/** `count` distinct free ports, held for this process until `releasePorts`. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 20; attempt++) {
    const port = await freePort(host);
    if (held.has(port)) continue;
    ports.add(port);
    held.add(port);
  }
  if (ports.size < count) {
    releasePorts([...ports]);
    throw new Error(`could not find ${count} free ports on ${host}`);
  }
  return [...ports];
}

/** Gives ports back once their servers have stopped. */
export function releasePorts(ports: readonly number[]): void {
  for (const p of ports) held.delete(p);
}
