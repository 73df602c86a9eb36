import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What /proc/<pid>/stat says of one process that matters here. */
export interface ProcStat {
  readonly pid: number;
  /** The command name, as the kernel keeps it (15 characters at most). */
  readonly name: string;
  /** One letter: R running, S sleeping, Z zombie (ended, not yet reaped), … */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /** utime + stime + cutime + cstime, in clock ticks: own CPU plus reaped children's. */
  readonly cpuTicks: number;
  readonly rssPages: number;
  /** When it started, in clock ticks after boot: with the pid, it names one process. */
  readonly startTicks: number;
}

/** Parses one /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(line.slice(0, line.indexOf(' ')));
  // Fields after the name start at field 3 (state).
  const f = line.slice(close + 2).split(' ');
  const field = (n: number): number => Number(f[n - 3]);
  return {
    pid,
    name: line.slice(line.indexOf('(') + 1, close),
    state: f[0],
    ppid: field(4),
    pgrp: field(5),
    cpuTicks: field(14) + field(15) + field(16) + field(17),
    rssPages: field(24),
    startTicks: field(22),
  };
}

function readStat(pid: string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // the process ended while we looked
  }
}

/**
 * The environment variable every process a group's leader starts inherits, with a value of that
 * group's own: a server that leaves its group (`setsid`, a daemon's double fork) still carries it,
 * so it is still counted, moved and stopped with its deployment.
 */
export const GROUP_MARK = 'FLASK_PERF_GROUP';

/** The mark of each marked group, by its id. */
const marks = new Map<number, string>();
/** Each process's mark as the last scan read it, by pid, with its start time (a reused pid is another process). */
let markSeen = new Map<number, { readonly startTicks: number; readonly mark: string | null }>();

/** Counts the processes carrying `mark` as members of group `pgid` (until unmarkGroup). */
export function markGroup(pgid: number, mark: string): void {
  marks.set(pgid, mark);
}

export function unmarkGroup(pgid: number): void {
  marks.delete(pgid);
}

/** The value of `name` in an environment block (NUL-separated `NAME=value` entries; pure). */
export function environValue(environ: string, name: string): string | null {
  const key = `${name}=`;
  for (const entry of environ.split('\0')) if (entry.startsWith(key)) return entry.slice(key.length);
  return null;
}

function markOf(stat: ProcStat): string | null {
  const seen = markSeen.get(stat.pid);
  if (seen && seen.startTicks === stat.startTicks) return seen.mark;
  let mark: string | null = null;
  try {
    mark = environValue(readFileSync(`/proc/${stat.pid}/environ`, 'latin1'), GROUP_MARK);
  } catch {
    // another user's process, or one that ended: not ours
  }
  return mark;
}

/**
 * Every process whose process group is one of `groups`, or that carries the mark of one of them
 * (markGroup), zombies (ended, unreaped) excluded.
 */
export function groupMembers(groups: ReadonlySet<number>): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const wanted = new Set([...groups].flatMap((g) => (marks.has(g) ? [marks.get(g)!] : [])));
  const out: ProcStat[] = [];
  const seen = new Map<number, { readonly startTicks: number; readonly mark: string | null }>();
  for (const name of entries) {
    if (!/^[0-9]+$/.test(name)) continue;
    const stat = readStat(name);
    if (!stat || stat.state === 'Z') continue;
    if (groups.has(stat.pgrp)) out.push(stat);
    else if (wanted.size > 0) {
      const mark = markOf(stat);
      seen.set(stat.pid, { startTicks: stat.startTicks, mark });
      if (mark !== null && wanted.has(mark)) out.push(stat);
    }
  }
  // What was read of processes gone since is dropped: the cache holds the living only.
  if (wanted.size > 0) markSeen = seen;
  return out;
}

function getconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

let clockTicks: number | undefined;
let pageSize: number | undefined;

/** CPU milliseconds and resident bytes of process groups, summed over their members. */
export interface GroupUsage {
  readonly cpuMs: number;
  readonly rssBytes: number;
}

/** Sums CPU time (including reaped children) and resident memory over process groups. */
export function groupUsage(groups: ReadonlySet<number>): GroupUsage {
  clockTicks ??= getconf('CLK_TCK', 100);
  pageSize ??= getconf('PAGESIZE', 4096);
  let ticks = 0;
  let pages = 0;
  for (const member of groupMembers(groups)) {
    ticks += member.cpuTicks;
    pages += member.rssPages;
  }
  return { cpuMs: (ticks * 1000) / clockTicks, rssBytes: pages * pageSize };
}

/** The CPU ids a /proc status file (a process's or a thread's) allows; null without the line. */
function statusCpus(path: string): number[] | null {
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync(path, 'utf8'));
  return line ? parseCpuList(line[1].trim()) : null;
}

/** CPU ids this process may run on, from /proc/self/status (all of os.cpus() elsewhere). */
export function allowedCpus(fallbackCount: number): number[] {
  try {
    const cpus = statusCpus('/proc/self/status');
    if (cpus) return cpus;
  } catch {
    // not Linux
  }
  return Array.from({ length: fallbackCount }, (_, i) => i);
}

/** The CPU ids each thread of `pid` may run on, as "0-1" lists ("" when unknown); null when it has ended. */
export function threadCpus(pid: number): string[] | null {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => formatCpuList(statusCpus(`/proc/${pid}/task/${tid}/status`) ?? []));
  } catch {
    return null;
  }
}

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) out.push(c);
  }
  return out;
}

/** [0, 1, 2, 5] → "0-2,5". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...cpus].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Cumulative CPU time of the whole machine, in clock ticks (the `cpu` line of /proc/stat). */
export interface CpuTimes {
  readonly total: number;
  /** Time the hypervisor ran other guests while this one wanted to run. */
  readonly steal: number;
}

/** Parses the aggregate `cpu` line of /proc/stat text; undefined when it is not there. */
export function parseCpuTimes(stat: string): CpuTimes | undefined {
  const line = /^cpu\s+(.+)$/m.exec(stat);
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is inside user.
  const f = line[1].trim().split(/\s+/).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return { total, steal: f[7] ?? 0 };
}

/** The machine's CPU times now; undefined off Linux. */
export function cpuTimes(): CpuTimes | undefined {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Share of CPU time stolen by the hypervisor between two readings, in percent; null when unknown. */
export function stealPercent(before: CpuTimes | undefined, after: CpuTimes | undefined): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return Math.round(((after.steal - before.steal) / (after.total - before.total)) * 1000) / 10;
}

/** Per CPU id: time it was busy (user, nice, system) and stolen by the hypervisor, in ms. */
export type PerCpuTimes = ReadonlyMap<number, { readonly busyMs: number; readonly stealMs: number }>;

/**
 * Parses the `cpuN` lines of /proc/stat text (pure). Interrupt time is left out of busy: with
 * interrupt accounting it is nobody's process time, so it cannot be told apart from the run's own.
 * @param tickMs length of a clock tick (USER_HZ is 100 on Linux)
 */
export function parsePerCpuTimes(stat: string, tickMs = 10): PerCpuTimes {
  const out = new Map<number, { busyMs: number; stealMs: number }>();
  for (const m of stat.matchAll(/^cpu(\d+)\s+(.+)$/gm)) {
    const f = m[2].trim().split(/\s+/).map(Number);
    out.set(Number(m[1]), { busyMs: ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0)) * tickMs, stealMs: (f[7] ?? 0) * tickMs });
  }
  return out;
}

/** Per-CPU times now; undefined off Linux. */
export function perCpuTimes(): PerCpuTimes | undefined {
  try {
    return parsePerCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The kernel's own threads (kthreadd, pid 2, and its children): their CPU so far, ms, by the CPU a per-CPU one is bound to. */
export interface KernelTimes {
  /** ksoftirqd/N, kworker/N:M, migration/N, … by N. */
  readonly perCpu: ReadonlyMap<number, number>;
  /** Unbound ones (kdamond, rcu_preempt, kworker/uN:M): they may run on any CPU. */
  readonly unbound: number;
}

/** CPU the kernel's threads have used so far (pure over /proc/<pid>/stat lines). */
export function kernelTimesOf(stats: readonly ProcStat[], tickMs = 10): KernelTimes {
  const perCpu = new Map<number, number>();
  let unbound = 0;
  for (const s of stats) {
    if (s.pid !== 2 && s.ppid !== 2) continue;
    const ms = s.cpuTicks * tickMs;
    const bound = /\/(\d+)(?::|$|-)/.exec(s.name);
    if (bound) perCpu.set(Number(bound[1]), (perCpu.get(Number(bound[1])) ?? 0) + ms);
    else unbound += ms;
  }
  return { perCpu, unbound };
}

/** The kernel's threads' CPU so far; undefined off Linux. */
export function kernelTimes(): KernelTimes | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  clockTicks ??= getconf('CLK_TCK', 100);
  const stats: ProcStat[] = [];
  for (const name of entries) {
    if (!/^[0-9]+$/.test(name)) continue;
    const stat = readStat(name);
    if (stat && (stat.pid === 2 || stat.ppid === 2)) stats.push(stat);
  }
  return kernelTimesOf(stats, 1000 / clockTicks);
}

/**
 * What the kernel's threads spent on `cpus` between two readings, ms: the per-CPU ones bound there,
 * and all of the unbound ones (they may have run there; counting them errs towards fewer warnings).
 */
export function kernelMsOn(before: KernelTimes, after: KernelTimes, cpus: readonly number[]): number {
  let ms = after.unbound - before.unbound;
  for (const cpu of cpus) ms += (after.perCpu.get(cpu) ?? 0) - (before.perCpu.get(cpu) ?? 0);
  return Math.max(0, ms);
}

/** What ran on a set of CPUs over an interval beside the run's own processes, in ms (additive over slices). */
export interface ForeignLoad {
  /** CPU time of other processes: the CPUs' busy time less the run's own. */
  readonly othersMs: number;
  /** Time the hypervisor gave to other guests. */
  readonly stealMs: number;
  /** The CPUs' time over the interval: elapsed × CPU count. */
  readonly roomMs: number;
}

/**
 * How much of `cpus` others used between two readings (pure): their busy time less `ownMs` (the
 * run's processes on them, and the kernel's threads there: softirq work for the run's own traffic,
 * memory monitoring), and their steal time. Null when a reading lacks one of the CPUs.
 */
export function foreignLoad(before: PerCpuTimes, after: PerCpuTimes, cpus: readonly number[], ownMs: number, elapsedMs: number): ForeignLoad | null {
  let busy = 0;
  let steal = 0;
  for (const cpu of cpus) {
    const a = before.get(cpu);
    const b = after.get(cpu);
    if (!a || !b) return null;
    busy += b.busyMs - a.busyMs;
    steal += b.stealMs - a.stealMs;
  }
  const roomMs = elapsedMs * cpus.length;
  if (!(roomMs > 0)) return null;
  return { othersMs: Math.max(0, busy - ownMs), stealMs: Math.max(0, steal), roomMs };
}

/** The share of the CPUs' time others and the hypervisor took (pure); null when unknown. */
export function foreignShare(f: ForeignLoad | null | undefined): number | null {
  return f && f.roomMs > 0 ? Math.min(1, (f.othersMs + f.stealMs) / f.roomMs) : null;
}

/** Two intervals' foreign load as one (pure); null when either is unknown. */
export function addForeignLoad(a: ForeignLoad | null, b: ForeignLoad | null): ForeignLoad | null {
  return a && b ? { othersMs: a.othersMs + b.othersMs, stealMs: a.stealMs + b.stealMs, roomMs: a.roomMs + b.roomMs } : null;
}

/** Passes repinGroups makes at most: each catches what was forked while the one before ran. */
const REPIN_PASSES = 5;

/**
 * Moves every process of the groups, every thread included, to `cpus` (taskset -a -p); processes
 * that have ended meanwhile are skipped. A process forked by one not yet moved keeps the old CPUs,
 * so passes repeat until one finds every member already there. Returns whether that was reached.
 */
export function repinGroups(groups: ReadonlySet<number>, cpus: string): boolean {
  const want = formatCpuList(parseCpuList(cpus));
  for (let pass = 0; pass < REPIN_PASSES; pass++) {
    // A member that ended meanwhile (null) needs no move.
    const strays = groupMembers(groups).filter((m) => threadCpus(m.pid)?.some((c) => c !== want));
    if (strays.length === 0) return true;
    for (const member of strays) {
      try {
        execFileSync('taskset', ['-a', '-p', '-c', cpus, String(member.pid)], { stdio: 'ignore' });
      } catch {
        // it has ended
      }
    }
  }
  return false;
}
