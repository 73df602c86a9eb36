import type { EndpointConfig } from '../config/types.js';

/**
 * One stage of a load job. Closed model (`connections`): each connection sends its next request
 * when the last one is answered. Open model (`rate`): requests are sent on a fixed schedule,
 * whatever the answers, on as many connections as that takes (up to the job's `maxConnections`).
 */
export interface LoadStage {
  readonly durationMs: number;
  readonly connections?: number;
  /** Closed model: connections are added at this many per second until `connections` (a ramp, like Locust's spawn rate). */
  readonly spawnPerSec?: number;
  /** Requests per second. */
  readonly rate?: number;
}

/** One run of the load generator against one URL: its stages, back to back. */
export interface LoadJob {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly stages: readonly LoadStage[];
  /** Open model: most connections opened to keep the schedule. */
  readonly maxConnections: number;
  readonly timeoutMs: number;
  readonly endpoints: readonly EndpointConfig[];
  /** Source addresses to spread connections over; empty for the kernel's choice. */
  readonly localAddresses: readonly string[];
  /** After the end, how long answers in flight are awaited (not counted); default engine.ts DRAIN_MS, 0 for none. */
  readonly drainMs?: number;
}

/** One second of a run, as the load generator saw it. */
export interface SecondSample {
  /** Responses completed in this second. */
  readonly responses: number;
  readonly non2xx: number;
  /** Connection errors and timeouts in this second. */
  readonly errors: number;
  readonly timeouts: number;
  /** Requests sent in this second. */
  readonly sent: number;
  /** Latency of this second's responses, an encoded histogram; null when there were none. */
  readonly histogram: string | null;
  /** The load generator's own CPU in this second, in ms; null when not measured. */
  readonly loadgenCpuMs: number | null;
}

/** What one endpoint received during a run. */
export interface EndpointSample {
  /** Latency of every response, as an encoded histogram (stats/histogram.ts). */
  readonly histogram: string;
  /** Responses received. */
  readonly responses: number;
  /** Responses per HTTP status code. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly bytes: number;
  /** Requests to it that had no answer within the timeout (in the window or its drain). */
  readonly timeouts: number;
}

/** Raw outcome of one run, from the load generator process. */
export interface LoadSample {
  /** Wall time the load ran, in ms. */
  readonly elapsedMs: number;
  readonly endpoints: readonly EndpointSample[];
  /** Requests that got no response: connection errors and timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  /** Connection errors by code, e.g. { ECONNREFUSED: 3, EADDRNOTAVAIL: 120 }. */
  readonly errorCodes: Readonly<Record<string, number>>;
  /** CPU time of the load generator over the run, in ms: of the busiest process when several ran it. */
  readonly loadgenCpuMs: number;
  /** Second by second, from the start of the run. */
  readonly seconds: readonly SecondSample[];
  /** Open model: requests due by the end that no connection had sent yet (the schedule was not kept). */
  readonly backlog: number;
  /** Open model: requests the schedule released over the window (the intended rate × time). */
  readonly scheduled?: number;
  /** Generator processes that ran the job together (split.ts); 1 when absent. */
  readonly generators?: number;
  /**
   * Open model: how late the generator itself sent requests that had a free connection waiting,
   * in ms (a late send the server did not cause); absent in the closed model.
   */
  readonly lateMs?: { readonly p99: number; readonly max: number; readonly requests: number };
}
