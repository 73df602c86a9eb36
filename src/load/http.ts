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
  Chunked,
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

/** Where a parser hands a response on, for a proxy: its head as received, and its body without the framing. */
export interface ResponseSink {
  /** The status line and headers, without the blank line that ends them (latin1). */
  head(status: number, head: string): void;
  /** Body bytes `chunk[start, end)`, chunked framing removed. */
  body(chunk: Buffer, start: number, end: number): void;
}

/** Body bytes `chunk[start, end)`. */
export type DataSink = (chunk: Buffer, start: number, end: number) => void;

/** A malformed message: the connection cannot be trusted any more. */
export class ProtocolError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Longest head accepted (Node's own limit is 16 KB). */
export const MAX_HEAD = 65_536;
/** Longest chunk-size or trailer line accepted. */
const MAX_LINE = 8192;

/** A span of bytes found by `Pending.upTo`: `data[start, end)` before the marker, and where the chunk goes on. */
interface Found {
  readonly data: Buffer;
  readonly start: number;
  readonly end: number;
  readonly next: number;
}

/** Bytes kept across chunks while a marker (a line's or a head's end) has not arrived yet. */
export class Pending {
  bytes: Buffer | null = null;

  /** Bytes from `off` up to `marker`, joined with what is pending; null to wait for more (the rest is kept). */
  upTo(chunk: Buffer, off: number, marker: Buffer): Found | null {
    if (this.bytes === null) {
      const at = chunk.indexOf(marker, off);
      if (at >= 0) return { data: chunk, start: off, end: at, next: at + marker.length };
      this.bytes = Buffer.from(chunk.subarray(off));
      return null;
    }
    // Rare: the marker spans chunks. Search from a little before the join.
    const joined = Buffer.concat([this.bytes, chunk.subarray(off)]);
    const at = joined.indexOf(marker, Math.max(0, this.bytes.length - marker.length));
    if (at < 0) {
      this.bytes = joined;
      return null;
    }
    const fromChunk = at + marker.length - this.bytes.length;
    this.bytes = null;
    return { data: joined, start: 0, end: at, next: off + fromChunk };
  }

  /** The head that ends at the first blank line; null to wait for more; a ProtocolError past MAX_HEAD. */
  head(chunk: Buffer, off: number, what: string): Found | null {
    const found = this.upTo(chunk, off, HEAD_END);
    if (found === null && (this.bytes?.length ?? 0) > MAX_HEAD) throw new ProtocolError(`${what} head longer than ${MAX_HEAD} bytes`);
    return found;
  }
}

const enum ChunkPhase {
  Size,
  Data,
  DataEnd,
  Trailer,
}

/** Reads a chunked body (RFC 9112 §7.1): where it ends, and its data without the framing. */
export class ChunkedBody {
  private phase = ChunkPhase.Size;
  private remaining = 0;
  private readonly pending = new Pending();
  /** The last chunk and the trailers have been read. */
  done = false;

  reset(): void {
    this.phase = ChunkPhase.Size;
    this.remaining = 0;
    this.pending.bytes = null;
    this.done = false;
  }

  /** Whether part of the body has arrived and not all of it. */
  get started(): boolean {
    return this.phase !== ChunkPhase.Size || this.pending.bytes !== null;
  }

  /** Consumes bytes from `chunk` at `off`, handing data to `onData`; returns where it stopped (the body's end, or the chunk's). */
  feed(chunk: Buffer, off: number, onData?: DataSink | null): number {
    while (off < chunk.length && !this.done) {
      if (this.phase === ChunkPhase.Data) {
        const take = Math.min(this.remaining, chunk.length - off);
        onData?.(chunk, off, off + take);
        this.remaining -= take;
        off += take;
        if (this.remaining === 0) this.phase = ChunkPhase.DataEnd;
        continue;
      }
      const found = this.pending.upTo(chunk, off, CRLF);
      if (found === null) {
        if ((this.pending.bytes?.length ?? 0) > MAX_LINE) throw new ProtocolError(`chunk line longer than ${MAX_LINE} bytes`);
        return chunk.length;
      }
      const { data, start, end, next } = found;
      off = next;
      if (this.phase === ChunkPhase.DataEnd) {
        if (end !== start) throw new ProtocolError('chunk not followed by CRLF');
        this.phase = ChunkPhase.Size;
      } else if (this.phase === ChunkPhase.Size) {
        const line = data.toString('latin1', start, end);
        const size = parseInt(line, 16);
        if (!Number.isFinite(size) || size < 0 || !/^[0-9a-fA-F]/.test(line))
          throw new ProtocolError(`invalid chunk size ${JSON.stringify(line.slice(0, 20))}`);
        if (size === 0) this.phase = ChunkPhase.Trailer;
        else {
          this.remaining = size;
          this.phase = ChunkPhase.Data;
        }
      } else if (end === start) {
        // The empty line after the trailers ends the body.
        this.done = true;
      }
    }
    return off;
  }
}

/**
 * Parses the responses of one connection, one at a time, from the chunks the socket delivers.
 * `feed` returns how many bytes of the chunk it consumed before a response completed (the caller
 * handles the completion, then feeds the rest), or the whole chunk.
 */
export class ResponseParser {
  private phase = Phase.Head;
  private readonly pending = new Pending();
  private readonly chunked = new ChunkedBody();
  private remaining = 0;
  private status = 0;
  private keepAlive = true;
  private bytes = 0;
  private noBody = false;
  /** The response just completed, read by the caller after `feed` returns. */
  done: ParsedResponse | null = null;
  /** Set by a proxy to receive each response's head and body; the load generator only counts. */
  sink: ResponseSink | null = null;
  private readonly onBody: DataSink = (chunk, start, end) => this.sink?.body(chunk, start, end);

  /** Starts a new response; `noBody` for a HEAD request. */
  expect(noBody: boolean): void {
    this.phase = Phase.Head;
    this.pending.bytes = null;
    this.bytes = 0;
    this.noBody = noBody;
    this.done = null;
  }

  /** Whether a response has begun arriving and not finished. */
  get midResponse(): boolean {
    return this.bytes > 0 || this.pending.bytes !== null;
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
          this.sink?.body(chunk, off, off + take);
          this.remaining -= take;
          this.bytes += take;
          off += take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case Phase.Chunked: {
          const next = this.chunked.feed(chunk, off, this.sink ? this.onBody : null);
          this.bytes += next - off;
          off = next;
          if (this.chunked.done) this.finish();
          break;
        }
        case Phase.UntilClose:
          this.sink?.body(chunk, off, chunk.length);
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

  private readHead(chunk: Buffer, off: number): number {
    const found = this.pending.head(chunk, off, 'response');
    if (found === null) {
      this.bytes = this.pending.bytes?.length ?? 0;
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
    this.sink?.head(status, data.toString('latin1', start, end));
    if (this.noBody || status === 204 || status === 304) {
      this.finish();
      return next;
    }
    if (headerValue(head, 'transfer-encoding')?.includes('chunked')) {
      this.chunked.reset();
      this.phase = Phase.Chunked;
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
