import { describe, expect, it } from 'vitest';
import { parseWrkOutput } from '../support/wrk.js';

describe('wrk output', () => {
  it('parses req/s, p50 and errors', () => {
    const text = `Running 5s test @ http://127.0.0.1:1/
  1 threads and 64 connections
  Latency Distribution
     50%   17.80ms
     75%   20.00ms
  16000 requests in 5.00s, 2.00MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   3200.50
`;
    expect(parseWrkOutput(text)).toEqual({ rps: 3200.5, p50Ms: 17.8, requests: 16000, socketErrors: 4, non2xx: 7 });
    expect(parseWrkOutput(text.replace('17.80ms', '850.00us')).p50Ms).toBe(0.85);
  });
});
