import { readFileSync } from 'node:fs';

/** TCP state code of TIME_WAIT in /proc/net/tcp. */
const TIME_WAIT = '06';

/** Counts sockets in TIME_WAIT whose local or remote port is `port`, from /proc/net/tcp{,6} text. */
export function countTimeWait(tables: readonly string[], port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== TIME_WAIT) continue;
      if (f[1].endsWith(`:${hexPort}`) || f[2].endsWith(`:${hexPort}`)) count++;
    }
  }
  return count;
}

function readTables(): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      out.push(readFileSync(file, 'utf8'));
    } catch {
      // not Linux, or no IPv6
    }
  }
  return out;
}

/** Sockets in TIME_WAIT on this machine that involve `port`. */
export function timeWaitSockets(port: number): number {
  return countTimeWait(readTables(), port);
}

/** Size of the ephemeral port range (28,232 on Linux's default 32768–60999). */
export function ephemeralPortCount(): number {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return high - low + 1;
  } catch {
    return 28_232;
  }
}

/**
 * Source addresses to spread connections over. On Linux all of 127.0.0.0/8 is loopback, and each
 * source address has its own ephemeral ports, so N addresses give N times the range.
 */
export function loopbackSources(count: number, platform: NodeJS.Platform = process.platform): string[] {
  if (platform !== 'linux') return [];
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 1}`);
}
