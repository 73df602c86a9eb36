import type { EndpointConfig, TopologyKind } from '../config/types.js';
import type { EndpointSample, LoadSample } from '../load/types.js';
import { encodeHistogram, mergeHistograms, percentilesMs, summarizeHistogram } from '../stats/histogram.js';
import { PERCENTILES, round, type LatencySummary } from '../stats/percentiles.js';
import { concatSeries, type TrialSeries } from './series.js';
import { endpointWarnings, foreignWarnings, rateWarnings, saturatedStretch, trialWarnings } from './warnings.js';
import { addForeignLoad, foreignShare, type ForeignLoad } from '../topology/procfs.js';
import { mergeEndpoints } from '../load/split.js';
import type { CellWarning, EndpointResult, TopologyResult, TrialResult } from './types.js';

/** A trial as measured: the load generator's sample and the server's CPU over it. */
export interface MeasuredTrial {
  readonly sample: LoadSample;
  /** CPU of the server's process tree over the trial, in ms; null when unknown. */
  readonly serverCpuMs: number | null;
  /** Sockets in TIME_WAIT on the server's port right after the trial. */
  readonly timeWait: number;
  /** Second by second (absent when nothing read the server meanwhile). */
  readonly series?: TrialSeries;
  /** What other processes and the hypervisor took from the generator's and the servers' CPUs (pinned runs only). */
  readonly foreign?: { readonly loadgen: ForeignLoad | null; readonly server: ForeignLoad | null };
}

/** Share of one core above which the load generator counts as saturated. */
export const LOADGEN_SATURATED = 0.9;
/** Share of the ephemeral range in TIME_WAIT above which numbers are at risk. */
export const TIME_WAIT_WARN_SHARE = 0.5;

const EMPTY_LATENCY: LatencySummary = { p50: 0, p90: 0, p99: 0, max: 0 };

function isSuccess(status: string): boolean {
  return status.startsWith('2');
}

function non2xx(statuses: Readonly<Record<string, number>>): number {
  return Object.entries(statuses).reduce((n, [s, c]) => (isSuccess(s) ? n : n + c), 0);
}

/** Responses of every endpoint of a sample. */
export function responses(sample: LoadSample): number {
  return sample.endpoints.reduce((n, e) => n + e.responses, 0);
}

/** Numbers of one trial (pure). */
export function summarizeTrial(trial: MeasuredTrial): TrialResult {
  const { sample } = trial;
  const sec = sample.elapsedMs / 1000;
  const total = responses(sample);
  const failures = sample.errors + sample.endpoints.reduce((n, e) => n + non2xx(e.statuses), 0);
  const bytes = sample.endpoints.reduce((n, e) => n + e.bytes, 0);
  const latency = mergeHistograms(sample.endpoints.map((e) => e.histogram));
  return {
    durationSec: round(sec, 3),
    requests: total,
    rps: round(total / sec),
    failures,
    failuresPerSec: round(failures / sec),
    latencyMs: summarizeHistogram(latency),
    bytesPerSec: Math.round(bytes / sec),
    cpuMsPer1kRequests: trial.serverCpuMs === null || total === 0 ? null : round((trial.serverCpuMs / total) * 1000),
    loadgenCpu: round(sample.loadgenCpuMs / sample.elapsedMs, 3),
    latencyHistogram: encodeHistogram(latency),
    ...(trial.series ? { series: trial.series } : {}),
    ...(trial.foreign ? { foreign: { loadgen: share(trial.foreign.loadgen), server: share(trial.foreign.server) } } : {}),
    ...(sample.scheduled
      ? {
          rate: {
            intended: round(sample.scheduled / sec),
            sent: round(sample.seconds.reduce((n, s) => n + s.sent, 0) / sec),
            lateMsP99: round(sample.lateMs?.p99 ?? 0, 2),
          },
        }
      : {}),
  };
}

const share = (f: ForeignLoad | null): number | null => {
  const s = foreignShare(f);
  return s === null ? null : round(s, 3);
};

function summarizeEndpoint(endpoint: EndpointConfig, index: number, trials: readonly MeasuredTrial[], seconds: number): EndpointResult {
  const parts = trials.map((t) => t.sample.endpoints[index]);
  const statuses: Record<string, number> = {};
  for (const part of parts) for (const [s, c] of Object.entries(part.statuses)) statuses[s] = (statuses[s] ?? 0) + c;
  const total = parts.reduce((n, p) => n + p.responses, 0);
  const timeouts = parts.reduce((n, p) => n + p.timeouts, 0);
  const latency = mergeHistograms(parts.map((p) => p.histogram));
  return {
    method: endpoint.method,
    path: endpoint.path,
    weight: endpoint.weight,
    totalRequests: total,
    rps: round(total / seconds),
    failuresPerSec: round((non2xx(statuses) + timeouts) / seconds),
    latencyMs: summarizeHistogram(latency),
    percentilesMs: percentilesMs(latency, PERCENTILES),
    bytesPerSec: Math.round(parts.reduce((n, p) => n + p.bytes, 0) / seconds),
    statuses,
    ...(timeouts ? { timeouts } : {}),
    latencyHistogram: encodeHistogram(latency),
  };
}

/** What the runner knows of a cell besides its trials. */
export interface CellFacts {
  readonly name: string;
  readonly kind: TopologyKind;
  readonly endpoints: readonly EndpointConfig[];
  readonly error: string | null;
  readonly peakRssBytes: number | null;
  readonly workers: number | null;
  readonly instances: number | null;
  /** Ephemeral ports the load generator has: the range's size × source addresses; Infinity when the kernel reuses TIME_WAIT ports. */
  readonly ephemeralPorts: number;
  readonly sourceAddresses: number;
  /** Open model: most connections the load generator may open (load.max-connections). */
  readonly maxConnections: number;
}

/** Warnings about numbers that may be distorted (pure). */
export function cellWarnings(trials: readonly MeasuredTrial[], summaries: readonly TrialResult[], facts: CellFacts): CellWarning[] {
  const warnings: CellWarning[] = [];
  const busiest = Math.max(0, ...summaries.map((t) => t.loadgenCpu));
  const stretch = saturatedStretch(summaries, LOADGEN_SATURATED);
  if (busiest >= LOADGEN_SATURATED) {
    warnings.push({
      code: 'loadgen-saturated',
      message: `load generator used ${Math.round(busiest * 100)}% of a core: the server may be faster than measured`,
    });
  } else if (stretch) {
    warnings.push({
      code: 'loadgen-saturated',
      message: `load generator used ≥ ${Math.round(LOADGEN_SATURATED * 100)}% of a core for ${stretch.seconds} s (seconds ${stretch.from}–${stretch.from + stretch.seconds - 1} of the cell's trials): req/s there may be the generator's limit, not the server's`,
    });
  }
  warnings.push(...foreignWarnings(trials));
  const peakTimeWait = Math.max(0, ...trials.map((t) => t.timeWait));
  const codes: Record<string, number> = {};
  for (const t of trials) for (const [c, n] of Object.entries(t.sample.errorCodes)) codes[c] = (codes[c] ?? 0) + n;
  // Each source address has its own ephemeral range, so the room is range × addresses.
  if (peakTimeWait >= TIME_WAIT_WARN_SHARE * facts.ephemeralPorts || codes.EADDRNOTAVAIL) {
    warnings.push({
      code: 'ephemeral-ports',
      message:
        `${peakTimeWait.toLocaleString('en-US')} sockets in TIME_WAIT on the server port` +
        (Number.isFinite(facts.ephemeralPorts)
          ? ` (room for ${facts.ephemeralPorts.toLocaleString('en-US')}: the ephemeral range × ${facts.sourceAddresses} source address${facts.sourceAddresses > 1 ? 'es' : ''})`
          : '') +
        (codes.EADDRNOTAVAIL ? `; ${codes.EADDRNOTAVAIL} connects failed with EADDRNOTAVAIL` : '') +
        ': connection-close traffic is near port exhaustion',
    });
  }
  const otherErrors = Object.entries(codes).filter(([c]) => c !== 'EADDRNOTAVAIL');
  if (otherErrors.length > 0) {
    warnings.push({
      code: 'connection-errors',
      message: `requests without a response: ${otherErrors.map(([c, n]) => `${c} × ${n}`).join(', ')}`,
    });
  }
  return warnings;
}

/** A cell's result from its trials and facts (pure). */
export function aggregateCell(trials: readonly MeasuredTrial[], facts: CellFacts): TopologyResult {
  const summaries = trials.map(summarizeTrial);
  const merged = trials.length ? mergeHistograms(summaries.map((t) => t.latencyHistogram!)) : null;
  const seconds = trials.reduce((s, t) => s + t.sample.elapsedMs / 1000, 0);
  const endpoints = seconds > 0 ? facts.endpoints.map((e, i) => summarizeEndpoint(e, i, trials, seconds)) : [];
  const total = summaries.reduce((n, t) => n + t.requests, 0);
  const failures = summaries.reduce((n, t) => n + t.failures, 0);
  const bytes = trials.reduce((n, t) => n + t.sample.endpoints.reduce((m, e) => m + e.bytes, 0), 0);
  const cpuKnown = trials.every((t) => t.serverCpuMs !== null);
  const cpuMs = trials.reduce((s, t) => s + (t.serverCpuMs ?? 0), 0);
  return {
    name: facts.name,
    kind: facts.kind,
    ok: facts.error === null,
    error: facts.error,
    totalRequests: total,
    rps: seconds > 0 ? round(total / seconds) : 0,
    failuresPerSec: seconds > 0 ? round(failures / seconds) : 0,
    latencyMs: trials.length ? summarizeHistogram(merged!) : EMPTY_LATENCY,
    ...(merged ? { percentilesMs: percentilesMs(merged, PERCENTILES) } : {}),
    bytesPerSec: seconds > 0 ? Math.round(bytes / seconds) : 0,
    cpuMsPer1kRequests: cpuKnown && total > 0 ? round((cpuMs / total) * 1000) : null,
    peakRssMb: facts.peakRssBytes === null ? null : round(facts.peakRssBytes / (1024 * 1024), 1),
    workers: facts.workers,
    instances: facts.instances,
    trials: summaries,
    endpoints,
    warnings: [
      ...cellWarnings(trials, summaries, facts),
      ...endpointWarnings(endpoints),
      ...trialWarnings(summaries),
      ...rateWarnings(summaries, facts.maxConnections),
    ],
    peakTimeWait: Math.max(0, ...trials.map((t) => t.timeWait)),
  };
}

/**
 * One trial from several slices of the same deployment (compare: base alternates short slices
 * between the two sides): counts, time and CPU add up, histograms merge (pure).
 */
export function combineTrials(parts: readonly MeasuredTrial[]): MeasuredTrial {
  const sum = (f: (p: MeasuredTrial) => number): number => parts.reduce((n, p) => n + f(p), 0);
  const endpoints: EndpointSample[] = parts[0].sample.endpoints.map((_, i) => mergeEndpoints(parts.map((p) => p.sample.endpoints[i])));
  const errorCodes: Record<string, number> = {};
  for (const p of parts) for (const [c, n] of Object.entries(p.sample.errorCodes)) errorCodes[c] = (errorCodes[c] ?? 0) + n;
  return {
    sample: {
      elapsedMs: sum((p) => p.sample.elapsedMs),
      endpoints,
      errors: sum((p) => p.sample.errors),
      timeouts: sum((p) => p.sample.timeouts),
      errorCodes,
      loadgenCpuMs: sum((p) => p.sample.loadgenCpuMs),
      seconds: parts.flatMap((p) => p.sample.seconds),
      backlog: sum((p) => p.sample.backlog),
    },
    serverCpuMs: parts.every((p) => p.serverCpuMs !== null) ? sum((p) => p.serverCpuMs ?? 0) : null,
    timeWait: Math.max(...parts.map((p) => p.timeWait)),
    ...(parts.every((p) => p.series) ? { series: concatSeries(parts.map((p) => p.series!)) } : {}),
    ...(parts.every((p) => p.foreign)
      ? {
          foreign: {
            loadgen: parts.map((p) => p.foreign!.loadgen).reduce(addForeignLoad),
            server: parts.map((p) => p.foreign!.server).reduce(addForeignLoad),
          },
        }
      : {}),
  };
}
