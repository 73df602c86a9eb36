import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live processes whose environment holds `NAME=value` (how tests find what a run left). */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // zombie: already ended
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) out.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return out;
}

/** A marker unique to one test, put in the environment of what it starts. */
export function newMarker(): string {
  return `t${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
}

/** Waits until `check` is true or `ms` passes (bounded polling). */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
