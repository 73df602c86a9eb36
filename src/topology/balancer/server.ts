/**
 * The project's own load balancer, in front of N instances of the app: spreads requests by
 * strategy and routes around instances that refuse connections. Run as
 * `node dist/balancer.js --port P --strategy S --upstream host:port ...`.
 *
 * It shares the servers' cores, so every microsecond it spends is taken from the app it
 * measures. Requests therefore take a lean path on plain sockets: the head is read once
 * (message.ts), goes out as one prebuilt string on a pooled keep-alive connection to the instance,
 * the body is streamed (a copy kept only while a retry may need it), and the answer is read by the
 * load generator's own parser and streamed back as it comes, with its headers as the instance
 * wrote them. Express serves what it is good at: the status route, handed the connection.
 */
import express from 'express';
import http from 'node:http';
import net from 'node:net';
import type { BalancerStrategy } from '../../config/types.js';
import { ChunkedBody, Pending, ProtocolError, ResponseParser, type ResponseSink } from '../../load/http.js';
import { clientHead, parseRequestHead, RequestError, responseLength, type RequestHead } from './message.js';
import { createPicker } from './strategies.js';

/** How long an instance that refused a connection is skipped. */
const DOWN_FOR_MS = 1000;
/** A request body is kept for a retry on another instance up to this size; a longer one is not retried. */
const RETRY_BODY_BYTES = 1 << 20;
/** Idle keep-alive connections kept per instance. */
const MAX_IDLE = 256;
/** An idle client connection is closed after this long (nginx: 75 s). */
const CLIENT_IDLE_MS = 65_000;
/** The status route, answered by express. */
export const STATUS_PATH = '/__balancer';

/** Methods a client may repeat (RFC 9110 §9.2.2): sent again when a reused connection turns out stale. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

export interface BalancerOptions {
  readonly port: number;
  readonly host: string;
  readonly strategy: BalancerStrategy;
  readonly upstreams: readonly { host: string; port: number }[];
}

/** Parses the balancer's command line; throws with the flag at fault. */
export function parseBalancerArgs(argv: readonly string[]): BalancerOptions {
  let port = NaN;
  let strategy = 'round-robin';
  const upstreams: { host: string; port: number }[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--port') port = Number(value);
    else if (flag === '--strategy') strategy = value;
    else if (flag === '--upstream') {
      const at = value.lastIndexOf(':');
      upstreams.push({ host: value.slice(0, at), port: Number(value.slice(at + 1)) });
    } else throw new Error(`unknown flag ${flag}`);
  }
  if (!Number.isInteger(port) || port <= 0) throw new Error(`--port must be a port number; got ${port}`);
  if (!['random', 'round-robin', 'least-connections'].includes(strategy))
    throw new Error(`--strategy must be random, round-robin or least-connections; got ${strategy}`);
  if (upstreams.length === 0 || upstreams.some((u) => !u.host || !Number.isInteger(u.port)))
    throw new Error('--upstream host:port is required, once per instance');
  return { port, host: '127.0.0.1', strategy: strategy as BalancerStrategy, upstreams };
}

/** A keep-alive connection to one instance, with the exchange it serves (null when idle). */
class UpstreamConnection {
  readonly parser = new ResponseParser();
  exchange: Exchange | null = null;
  /** Closed, and kept to connect again (a socket object costs more to make than to reconnect). */
  spare = false;
  /** It served an earlier request: a failure before any answer may be a stale connection, not a dead instance. */
  reused = false;
  /** The instance accepted it: a request written to it may have reached the app. */
  connected = false;
  constructor(
    readonly socket: net.Socket,
    readonly instance: number,
  ) {}
}

/** A client's connection: the request being read, the exchange in flight, bytes of the next request. */
class ClientConnection {
  readonly pending = new Pending();
  exchange: Exchange | null = null;
  /** Bytes after the request in flight (a pipelined next request), read once it is answered. */
  backlog: Buffer | null = null;
  closed = false;
  constructor(readonly socket: net.Socket) {}
}

/** One request on its way through the balancer. */
interface Exchange {
  readonly client: ClientConnection;
  readonly request: RequestHead;
  readonly head: Buffer;
  /** Bytes of a length-framed body still to come from the client. */
  bodyLeft: number;
  readonly chunks: ChunkedBody | null;
  bodyDone: boolean;
  /** The request so far, as sent to the instance (head, body), kept while a retry may need it; null once too long. */
  kept: Buffer[] | null;
  keptBytes: number;
  /** Instances that refused it; null until one has. */
  tried: Set<number> | null;
  attempts: number;
  conn: UpstreamConnection | null;
  /** The answer's head has gone to the client: no retry, no 502 from here. */
  answered: boolean;
  /** The answer is chunked by the balancer (the instance gave no length, the client speaks HTTP/1.1). */
  chunkedOut: boolean;
  /** Close the client's connection after the answer. */
  closeAfter: boolean;
  finished: boolean;
  /** What the client gets from the chunk being read from the instance: written at once, in one piece. */
  readonly out: Buffer[];
}

/** The balancer: instances, their state and idle connections, and the clients' connections. */
class Balancer {
  private readonly pick: ReturnType<typeof createPicker>;
  /** Which instances may take the request being placed (reused: no allocation per request). */
  private readonly up: boolean[];
  private readonly idle: UpstreamConnection[][];
  /** Closed connections whose socket objects the next connects reuse: most instances close after every answer. */
  private readonly spares: UpstreamConnection[][];
  readonly downUntil: number[];
  readonly active: number[];
  readonly served: number[];

  constructor(
    private readonly upstreams: BalancerOptions['upstreams'],
    strategy: BalancerStrategy,
    private readonly status: http.Server,
  ) {
    const n = upstreams.length;
    this.pick = createPicker(strategy);
    this.up = new Array<boolean>(n).fill(true);
    this.idle = upstreams.map(() => []);
    this.spares = upstreams.map(() => []);
    this.downUntil = new Array<number>(n).fill(0);
    this.active = new Array<number>(n).fill(0);
    this.served = new Array<number>(n).fill(0);
  }

  accept(socket: net.Socket): void {
    const client = new ClientConnection(socket);
    socket.setNoDelay(true);
    socket.setTimeout(CLIENT_IDLE_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.onClientData(client, chunk));
    socket.on('error', () => this.onClientGone(client));
    socket.on('close', () => this.onClientGone(client));
    // The client half-closed: answer what it sent, then close.
    socket.on('end', () => {
      if (client.exchange) client.exchange.closeAfter = true;
      else socket.end();
    });
  }

  private onClientData(client: ClientConnection, chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && !client.closed) {
      const exchange = client.exchange;
      if (exchange && !exchange.bodyDone) {
        off = this.requestBody(exchange, chunk, off);
        continue;
      }
      if (exchange) {
        // A pipelined request: read once the one in flight is answered.
        client.backlog = client.backlog ? Buffer.concat([client.backlog, chunk.subarray(off)]) : Buffer.from(chunk.subarray(off));
        client.socket.pause();
        return;
      }
      off = this.requestHead(client, chunk, off);
    }
  }

  /** Reads a request head from `chunk` at `off`; starts its exchange. Returns where it stopped. */
  private requestHead(client: ClientConnection, chunk: Buffer, off: number): number {
    let found;
    try {
      found = client.pending.head(chunk, off, 'request');
    } catch {
      this.refuse(client, 431, 'request head too large');
      return chunk.length;
    }
    if (!found) return chunk.length;
    let request: RequestHead;
    try {
      request = parseRequestHead(found.data.toString('latin1', found.start, found.end));
    } catch (error) {
      this.refuse(client, error instanceof RequestError ? error.status : 400, (error as Error).message);
      return chunk.length;
    }
    if (request.target === STATUS_PATH) {
      this.handOver(client, Buffer.concat([found.data.subarray(found.start, found.end + 4), chunk.subarray(found.next)]));
      return chunk.length;
    }
    const head = Buffer.from(request.upstream, 'latin1');
    const exchange: Exchange = {
      client,
      request,
      head,
      bodyLeft: request.body === 'length' ? request.length : 0,
      chunks: request.body === 'chunked' ? new ChunkedBody() : null,
      bodyDone: request.body === 'none',
      kept: [head],
      keptBytes: head.length,
      tried: null,
      attempts: 0,
      conn: null,
      answered: false,
      chunkedOut: false,
      closeAfter: !request.keepAlive,
      finished: false,
      out: [],
    };
    client.exchange = exchange;
    if (request.expectContinue && !exchange.bodyDone) client.socket.write(CONTINUE);
    this.attempt(exchange);
    return found.next;
  }

  /** Passes request body bytes on to the instance as they come; returns where the body (or the chunk) ended. */
  private requestBody(exchange: Exchange, chunk: Buffer, off: number): number {
    let end: number;
    if (exchange.chunks) {
      try {
        end = exchange.chunks.feed(chunk, off);
      } catch {
        this.fail(exchange, 400, 'malformed chunked request body');
        return chunk.length;
      }
      exchange.bodyDone = exchange.chunks.done;
    } else {
      end = off + Math.min(exchange.bodyLeft, chunk.length - off);
      exchange.bodyLeft -= end - off;
      exchange.bodyDone = exchange.bodyLeft === 0;
    }
    if (end > off) {
      const part = chunk.subarray(off, end);
      if (exchange.kept) {
        exchange.keptBytes += part.length;
        if (exchange.keptBytes <= RETRY_BODY_BYTES) exchange.kept.push(Buffer.from(part));
        else exchange.kept = null;
      }
      exchange.conn?.socket.write(part);
    }
    return end;
  }

  private attempt(exchange: Exchange): void {
    exchange.attempts++;
    const now = Date.now();
    const { up, downUntil } = this;
    for (let k = 0; k < up.length; k++) up[k] = downUntil[k] <= now && !exchange.tried?.has(k);
    const i = exchange.attempts > 2 * this.upstreams.length ? -1 : this.pick({ up, active: this.active });
    if (i < 0) {
      this.fail(exchange, 502, 'no upstream instance is reachable');
      return;
    }
    const conn = this.idle[i].pop() ?? this.connect(i);
    conn.exchange = exchange;
    exchange.conn = conn;
    this.active[i]++;
    conn.parser.expect(exchange.request.method === 'HEAD');
    // Head and body so far in one write.
    if (exchange.kept && exchange.kept.length > 1) conn.socket.write(Buffer.concat(exchange.kept));
    else conn.socket.write(exchange.head);
  }

  /** Where a connection's parser hands the answer: to the client of the exchange it serves. */
  private sinkFor(conn: UpstreamConnection): ResponseSink {
    return {
      head: (status, head) => {
        const exchange = conn.exchange!;
        const { request } = exchange;
        exchange.answered = true;
        const noBody = request.method === 'HEAD' || status === 204 || status === 304;
        const length = noBody ? null : responseLength(head);
        exchange.chunkedOut = !noBody && length === null && !request.http10;
        // An HTTP/1.0 client learns where an unframed body ends by the close.
        if (!noBody && length === null && request.http10) exchange.closeAfter = true;
        const keepAlive = !exchange.closeAfter && exchange.bodyDone;
        exchange.out.push(Buffer.from(clientHead(head, { noBody, length, chunked: exchange.chunkedOut, keepAlive }), 'latin1'));
      },
      body: (chunk, start, end) => {
        const exchange = conn.exchange!;
        if (end <= start) return;
        if (exchange.chunkedOut) exchange.out.push(Buffer.from(`${(end - start).toString(16)}\r\n`, 'latin1'), chunk.subarray(start, end), CRLF);
        else exchange.out.push(chunk.subarray(start, end));
      },
    };
  }

  /** Writes what the client is owed so far, in one piece; when the client reads slower than the instance answers, waits for it. */
  private flush(exchange: Exchange): void {
    const { out } = exchange;
    if (out.length === 0) return;
    const data = out.length === 1 ? out[0] : Buffer.concat(out);
    out.length = 0;
    const client = exchange.client.socket;
    if (client.write(data) || exchange.finished) return;
    const upstream = exchange.conn?.socket;
    upstream?.pause();
    client.once('drain', () => upstream?.resume());
  }

  private connect(i: number): UpstreamConnection {
    const { host, port } = this.upstreams[i];
    const spare = this.spares[i].pop();
    if (spare) {
      spare.spare = false;
      spare.reused = false;
      spare.connected = false;
      spare.socket.connect(port, host);
      return spare;
    }
    const socket = new net.Socket();
    const conn = new UpstreamConnection(socket, i);
    conn.parser.sink = this.sinkFor(conn);
    socket.on('connect', () => (conn.connected = true));
    socket.on('data', (chunk: Buffer) => this.onUpstreamData(conn, chunk));
    socket.on('error', () => this.onUpstreamBroken(conn, true));
    socket.on('close', () => {
      this.onUpstreamBroken(conn, false);
      const spares = this.spares[conn.instance];
      if (!conn.spare && spares.length < MAX_IDLE) {
        conn.spare = true;
        spares.push(conn);
      }
    });
    socket.connect(port, host);
    return conn;
  }

  private onUpstreamData(conn: UpstreamConnection, chunk: Buffer): void {
    const exchange = conn.exchange;
    if (!exchange) {
      // An idle connection that talks is not one to reuse.
      conn.socket.destroy();
      return;
    }
    try {
      let off = 0;
      while (off < chunk.length && conn.exchange === exchange) {
        off = conn.parser.feed(chunk, off);
        if (conn.parser.done) this.complete(conn, exchange);
        else this.flush(exchange);
      }
    } catch (error) {
      exchange.out.length = 0;
      this.release(conn, false);
      this.fail(exchange, 502, error instanceof ProtocolError ? `upstream sent a malformed response: ${error.message}` : 'upstream failed');
    }
  }

  /** The instance answered in full: the client has it all; both connections go on or close. */
  private complete(conn: UpstreamConnection, exchange: Exchange): void {
    const instanceKeepsAlive = conn.parser.done!.keepAlive;
    conn.parser.done = null;
    this.served[conn.instance]++;
    if (exchange.chunkedOut) exchange.out.push(LAST_CHUNK);
    // One write to the client per chunk from the instance: head and body together.
    this.flush(exchange);
    // An answer before the whole request arrived leaves the rest of it on both connections.
    this.release(conn, instanceKeepsAlive && exchange.bodyDone);
    this.finish(exchange, exchange.closeAfter || !exchange.bodyDone);
  }

  /** The exchange is over for the client: its connection takes the next request, or closes. */
  private finish(exchange: Exchange, close: boolean): void {
    exchange.finished = true;
    const client = exchange.client;
    if (client.exchange === exchange) client.exchange = null;
    if (close) {
      client.closed = true;
      client.socket.end();
      return;
    }
    const backlog = client.backlog;
    client.backlog = null;
    client.socket.resume();
    if (backlog) this.onClientData(client, backlog);
  }

  /** Ends a connection's part in its exchange: back to the pool, or closed. */
  private release(conn: UpstreamConnection, keepAlive: boolean): void {
    if (conn.exchange) {
      this.active[conn.instance]--;
      conn.exchange.conn = null;
    }
    conn.exchange = null;
    const pool = this.idle[conn.instance];
    if (keepAlive && !conn.socket.destroyed && pool.length < MAX_IDLE) {
      conn.reused = true;
      conn.socket.resume();
      pool.push(conn);
    } else conn.socket.destroy();
  }

  /** A connection failed or closed: out of the pool; its exchange, if any, is retried or answered 502. */
  private onUpstreamBroken(conn: UpstreamConnection, isError: boolean): void {
    const pool = this.idle[conn.instance];
    const at = pool.indexOf(conn);
    if (at >= 0) pool.splice(at, 1);
    const exchange = conn.exchange;
    if (!exchange || exchange.finished) return;
    // A body that runs until the instance closes ends here.
    if (!isError && conn.parser.end()) {
      this.complete(conn, exchange);
      return;
    }
    const unanswered = !exchange.answered && !conn.parser.midResponse;
    this.release(conn, false);
    if (exchange.answered) {
      // Half an answer has gone out: the client must see the connection break, not a wrong body.
      exchange.finished = true;
      exchange.client.closed = true;
      exchange.client.socket.destroy();
      return;
    }
    // Never connected: the request cannot have reached the app, and the instance is down for a
    // moment. A reused connection that closes before any answer most likely went stale (nginx, too,
    // then tries again — for requests that may be repeated).
    const neverSent = !conn.connected;
    if (neverSent) {
      this.downUntil[conn.instance] = Date.now() + DOWN_FOR_MS;
      (exchange.tried ??= new Set()).add(conn.instance);
    }
    const retry = neverSent || (conn.reused && unanswered && IDEMPOTENT.has(exchange.request.method));
    if (!retry) this.fail(exchange, 502, 'upstream closed the connection without a complete response');
    else if (exchange.kept) this.attempt(exchange);
    else this.fail(exchange, 502, 'upstream failed and the request body is too long to send again');
  }

  /** The client left: an instance's connection mid-exchange cannot be reused. */
  private onClientGone(client: ClientConnection): void {
    client.closed = true;
    const exchange = client.exchange;
    client.exchange = null;
    if (!exchange || exchange.finished) return;
    exchange.finished = true;
    if (exchange.conn) this.release(exchange.conn, false);
  }

  /** Answers an exchange with an error page (nothing sent yet) or breaks the connection (an answer is under way). */
  private fail(exchange: Exchange, status: number, error: string): void {
    if (exchange.finished) return;
    if (exchange.answered) {
      exchange.finished = true;
      exchange.client.closed = true;
      exchange.client.socket.destroy();
      return;
    }
    if (exchange.conn) this.release(exchange.conn, false);
    exchange.client.socket.write(errorPage(status, error, !exchange.closeAfter && exchange.bodyDone));
    this.finish(exchange, exchange.closeAfter || !exchange.bodyDone);
  }

  /** A request refused before any exchange: answered, and the connection closed. */
  private refuse(client: ClientConnection, status: number, error: string): void {
    client.closed = true;
    client.socket.end(errorPage(status, error, false));
  }

  /** Hands the connection to express (the status route), with the bytes read so far. */
  private handOver(client: ClientConnection, bytes: Buffer): void {
    client.closed = true;
    const { socket } = client;
    for (const event of ['data', 'error', 'close', 'end']) socket.removeAllListeners(event);
    socket.setTimeout(0);
    this.status.emit('connection', socket);
    // The server reads what comes next itself; what was read already is given to it as if it came now.
    socket.emit('data', bytes);
  }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 431: 'Request Header Fields Too Large', 502: 'Bad Gateway', 505: 'HTTP Version Not Supported' };

/** A JSON error page, whole, as bytes. */
function errorPage(status: number, error: string, keepAlive: boolean): Buffer {
  const body = JSON.stringify({ error });
  return Buffer.from(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n${body}`,
  );
}

/** Starts the balancer; resolves with the listening server. */
export function startBalancer(options: BalancerOptions): Promise<net.Server> {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const status = http.createServer(app);
  const balancer = new Balancer(options.upstreams, options.strategy, status);
  app.get(STATUS_PATH, (_req, res) => {
    // The connection is express's now: closing it sends the client's next request back to the proxy.
    res.set('Connection', 'close');
    res.json({ strategy: options.strategy, served: balancer.served, up: balancer.downUntil.map((t) => t <= Date.now()) });
  });
  // Half-open: a client that ends its side after a request still gets the answer.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => balancer.accept(socket));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
