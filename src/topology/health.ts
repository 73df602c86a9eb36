import http from 'node:http';
import type { ExitInfo } from './process.js';

/** One GET; resolves with the status code, or 0 when nothing answered. */
export function probe(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export type HealthOutcome =
  | { readonly ok: true; readonly afterMs: number }
  | { readonly ok: false; readonly reason: 'timeout'; readonly lastStatus: number }
  | { readonly ok: false; readonly reason: 'exited'; readonly exit: ExitInfo };

/**
 * Polls `url` until it answers 2xx, the server exits, or `timeoutMs` passes.
 * @param exited settles when the server process ends
 */
export async function waitHealthy(url: string, timeoutMs: number, exited: Promise<ExitInfo>): Promise<HealthOutcome> {
  const start = Date.now();
  let exit: ExitInfo | undefined;
  void exited.then((info) => {
    exit = info;
  });
  let lastStatus = 0;
  let delay = 25;
  while (Date.now() - start < timeoutMs) {
    if (exit) return { ok: false, reason: 'exited', exit };
    lastStatus = await probe(url, Math.min(1000, timeoutMs));
    if (lastStatus >= 200 && lastStatus < 300) return { ok: true, afterMs: Date.now() - start };
    if (exit) return { ok: false, reason: 'exited', exit };
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(200, delay * 2);
  }
  return { ok: false, reason: 'timeout', lastStatus };
}
