import autocannon, { type AutocannonClient } from 'autocannon';
import { encodeHistogram, newLatencyHistogram, recordMs } from '../stats/histogram.js';
import type { EndpointSample, LoadJob, LoadSample } from './types.js';
import { weightedSequence } from './mix.js';

/**
 * Runs one load job with the (patched) autocannon client in this process and records every
 * response by endpoint. Meant for the load generator child process.
 */
export function runLoadJob(job: LoadJob): Promise<LoadSample> {
  const latencies = job.endpoints.map(() => newLatencyHistogram());
  const statuses = job.endpoints.map(() => new Map<number, number>());
  const bytes = job.endpoints.map(() => 0);
  const errorCodes = new Map<string, number>();
  const requests = weightedSequence(job.endpoints.map((e) => e.weight)).map((index) => {
    const e = job.endpoints[index];
    return { method: e.method, path: e.path, headers: { ...e.headers }, body: e.body || undefined, endpointIndex: index };
  });

  const setupClient = (client: AutocannonClient): void => {
    // With one request in flight per connection, the current request is the one answered.
    client.on('response', (status: number, resBytes: number, ms: number) => {
      const index = client.requestIterator.currentRequest.endpointIndex as number;
      recordMs(latencies[index], ms);
      const map = statuses[index];
      map.set(status, (map.get(status) ?? 0) + 1);
      bytes[index] += resBytes;
    });
    client.on('connError', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'other';
      errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
    });
  };

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.durationMs / 1000,
        timeout: job.timeoutMs / 1000,
        // autocannon checks its stop flag once per sample interval (1 s by default), which would
        // round every run up to whole seconds.
        sampleInt: 100,
        requests,
        setupClient,
        localAddresses: job.localAddresses.length > 0 ? [...job.localAddresses] : undefined,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const cpu = process.cpuUsage(cpuBefore);
        const endpoints: EndpointSample[] = job.endpoints.map((_, i) => ({
          histogram: encodeHistogram(latencies[i]),
          responses: latencies[i].totalCount,
          statuses: Object.fromEntries([...statuses[i]].map(([k, v]) => [String(k), v])),
          bytes: bytes[i],
        }));
        resolve({
          elapsedMs: performance.now() - started,
          endpoints,
          errors: result.errors,
          timeouts: result.timeouts,
          errorCodes: Object.fromEntries(errorCodes),
          loadgenCpuMs: (cpu.user + cpu.system) / 1000,
        });
      },
    );
  });
}
