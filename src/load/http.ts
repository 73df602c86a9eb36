/**
 * The HTTP/1.1 the load generator speaks: requests built once as bytes, and a response parser that
 * reads only what counting needs (status, where the body ends, whether the connection stays
 * open). Pure, so it is tested on crafted byte streams.
 */
import type { EndpointConfig } from '../config/types.js';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The bytes of one request to `endpoint` (keep-alive is HTTP/1.1's default). */
export function requestBytes(endpoint: EndpointConfig, host: string): Buffer {
  const names = new Set(Object.keys(endpoint.headers).map((h) => h.toLowerCase()));
  const lines = [`${endpoint.method} ${endpoint.path} HTTP/1.1`];
  if (!names.has('host')) lines.push(`Host: ${host}`);
  for (const [name, value] of Object.entries(endpoint.headers)) lines.push(`${name}: ${value}`);
  const body = Buffer.from(endpoint.body, 'utf8');
  if (!names.has('content-length') && (body.length > 0 || METHODS_WITH_BODY.has(endpoint.method))) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

const enum Phase {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailer,
  UntilClose,
}

/** What the parser reports of a response when it is complete. */
export interface ParsedResponse {
  readonly status: number;
  /** Bytes of the whole response, head included. */
  readonly bytes: number;
  /** The server keeps the connection open after it. */
  readonly keepAlive: boolean;
}

/** A malformed response: the connection cannot be trusted any more. */
export class ProtocolError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Longest response head accepted (Node's own limit is 16 KB). */
const MAX_HEAD = 65_536;

/**
 * Parses the responses of one connection, one at a time, from the chunks the socket delivers.
 * `feed` returns how many bytes of the chunk it consumed before a response completed (the caller
 * handles the completion, then feeds the rest), or the whole chunk.
 */
export class ResponseParser {
  private phase = Phase.Head;
  private pending: Buffer | null = null;
  private remaining = 0;
  private status = 0;
  private keepAlive = true;
  private bytes = 0;
  private noBody = false;
  /** The response just completed, read by the caller after `feed` returns. */
  done: ParsedResponse | null = null;

  /** Starts a new response; `noBody` for a HEAD request. */
  expect(noBody: boolean): void {
    this.phase = Phase.Head;
    this.pending = null;
    this.bytes = 0;
    this.noBody = noBody;
    this.done = null;
  }

  /** Whether a response has begun arriving and not finished. */
  get midResponse(): boolean {
    return this.bytes > 0 || this.pending !== null;
  }

  /** The connection closed: completes a response whose body runs until close; false if one was cut. */
  end(): boolean {
    if (this.phase === Phase.UntilClose) {
      this.finish();
      return true;
    }
    return false;
  }

  /** Consumes bytes from `chunk` at `offset`; returns the offset where it stopped. */
  feed(chunk: Buffer, offset: number): number {
    let off = offset;
    while (off < chunk.length && this.done === null) {
      switch (this.phase) {
        case Phase.Head:
          off = this.readHead(chunk, off);
          break;
        case Phase.Length: {
          const take = Math.min(this.remaining, chunk.length - off);
          this.remaining -= take;
          this.bytes += take;
          off += take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case Phase.ChunkSize:
        case Phase.ChunkEnd:
        case Phase.Trailer:
          off = this.readLine(chunk, off);
          break;
        case Phase.ChunkData: {
          const take = Math.min(this.remaining, chunk.length - off);
          this.remaining -= take;
          this.bytes += take;
          off += take;
          if (this.remaining === 0) this.phase = Phase.ChunkEnd;
          break;
        }
        case Phase.UntilClose:
          this.bytes += chunk.length - off;
          off = chunk.length;
          break;
      }
    }
    return off;
  }

  private finish(): void {
    this.done = { status: this.status, bytes: this.bytes, keepAlive: this.keepAlive };
    this.phase = Phase.Head;
  }

  /** Bytes from `off` up to and including `marker`, joined with what is pending; null to wait for more. */
  private upTo(chunk: Buffer, off: number, marker: Buffer): { data: Buffer; start: number; end: number; next: number } | null {
    if (this.pending === null) {
      const at = chunk.indexOf(marker, off);
      if (at >= 0) return { data: chunk, start: off, end: at, next: at + marker.length };
      this.pending = Buffer.from(chunk.subarray(off));
      return null;
    }
    // Rare: the marker spans chunks. Search from a little before the join.
    const joined = Buffer.concat([this.pending, chunk.subarray(off)]);
    const at = joined.indexOf(marker, Math.max(0, this.pending.length - marker.length));
    if (at < 0) {
      this.pending = joined;
      return null;
    }
    const fromChunk = at + marker.length - this.pending.length;
    this.pending = null;
    return { data: joined, start: 0, end: at, next: off + fromChunk };
  }

  private readHead(chunk: Buffer, off: number): number {
    const found = this.upTo(chunk, off, HEAD_END);
    if (found === null) {
      if ((this.pending?.length ?? 0) > MAX_HEAD) throw new ProtocolError(`response head longer than ${MAX_HEAD} bytes`);
      this.bytes = this.pending?.length ?? 0;
      return chunk.length;
    }
    const { data, start, end, next } = found;
    this.bytes = end + HEAD_END.length - start;
    if (end - start < 12 || data[start] !== 0x48 /* H */ || data[start + 4] !== 0x2f /* / */)
      throw new ProtocolError('response does not start with an HTTP status line');
    const digit = (i: number): number => {
      const d = data[start + i] - 48;
      if (d < 0 || d > 9) throw new ProtocolError('response status is not a number');
      return d;
    };
    const status = digit(9) * 100 + digit(10) * 10 + digit(11);
    if (status < 100) throw new ProtocolError('response status is not a number');
    const http10 = data[start + 7] === 0x30; /* HTTP/1.0 */
    const head = data.toString('latin1', start, end).toLowerCase();
    const connection = headerValue(head, 'connection');
    this.keepAlive = http10 ? connection === 'keep-alive' : connection !== 'close';
    this.status = status;
    if (status < 200) {
      // 100 Continue and friends: the real response follows.
      this.bytes = 0;
      return next;
    }
    if (this.noBody || status === 204 || status === 304) {
      this.finish();
      return next;
    }
    if (headerValue(head, 'transfer-encoding')?.includes('chunked')) {
      this.phase = Phase.ChunkSize;
      return next;
    }
    const length = headerValue(head, 'content-length');
    if (length !== null) {
      const n = Number(length);
      if (!Number.isSafeInteger(n) || n < 0) throw new ProtocolError(`invalid Content-Length ${JSON.stringify(length)}`);
      if (n === 0) this.finish();
      else {
        this.remaining = n;
        this.phase = Phase.Length;
      }
      return next;
    }
    // No length: the body runs until the server closes the connection.
    this.keepAlive = false;
    this.phase = Phase.UntilClose;
    return next;
  }

  private readLine(chunk: Buffer, off: number): number {
    const found = this.upTo(chunk, off, CRLF);
    if (found === null) {
      this.bytes += chunk.length - off;
      return chunk.length;
    }
    const { data, start, end, next } = found;
    this.bytes += next - off;
    if (this.phase === Phase.ChunkEnd) {
      if (end !== start) throw new ProtocolError('chunk not followed by CRLF');
      this.phase = Phase.ChunkSize;
    } else if (this.phase === Phase.ChunkSize) {
      const line = data.toString('latin1', start, end);
      const size = parseInt(line, 16);
      if (!Number.isFinite(size) || size < 0) throw new ProtocolError(`invalid chunk size ${JSON.stringify(line.slice(0, 20))}`);
      if (size === 0) this.phase = Phase.Trailer;
      else {
        this.remaining = size;
        this.phase = Phase.ChunkData;
      }
    } else if (end === start) {
      // The empty line after the trailers ends the response.
      this.finish();
    }
    return next;
  }
}

/** The value of a header in a lower-cased response head, trimmed; null when absent. */
export function headerValue(head: string, name: string): string | null {
  const key = `\r\n${name}:`;
  const at = head.indexOf(key);
  if (at < 0) return null;
  const from = at + key.length;
  const to = head.indexOf('\r\n', from);
  return head.slice(from, to < 0 ? undefined : to).trim();
}
