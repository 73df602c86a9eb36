// Only the part of autocannon this project uses (it ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    [extra: string]: unknown;
  }

  export interface AutocannonClient extends EventEmitter {
    requestIterator: { currentRequest: AutocannonRequest };
  }

  export interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    timeout?: number;
    sampleInt?: number;
    requests?: AutocannonRequest[];
    setupClient?: (client: AutocannonClient) => void;
    /** Added by this project's patch: source addresses to spread connections over. */
    localAddresses?: string[];
  }

  export interface AutocannonResult {
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    requests: { total: number };
  }

  export interface AutocannonInstance extends EventEmitter {
    stop(): void;
  }

  function autocannon(options: AutocannonOptions, callback: (error: Error | null, result: AutocannonResult) => void): AutocannonInstance;
  export default autocannon;
}
