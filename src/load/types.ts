import type { EndpointConfig } from '../config/types.js';

/** One run of the load generator against one URL. */
export interface LoadJob {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly connections: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly endpoints: readonly EndpointConfig[];
  /** Source addresses to spread connections over; empty for the kernel's choice. */
  readonly localAddresses: readonly string[];
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
  /** CPU time of the load generator over the run, in ms. */
  readonly loadgenCpuMs: number;
}
