/**
 * The balancer's view of HTTP/1.1 messages (RFC 9112): a client's request head read into what
 * forwarding needs, and an instance's response head rewritten for the client. Hop-by-hop headers
 * are each side's own business and never cross. Pure, so it is tested on crafted heads.
 */

/** A request the balancer will not forward, with the status to answer it with. */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 431 | 505,
    message: string,
  ) {
    super(message);
  }
}

/** How a message's body is framed. */
export type BodyFraming = 'none' | 'length' | 'chunked';

/** What forwarding a request needs to know of its head. */
export interface RequestHead {
  readonly method: string;
  readonly target: string;
  readonly http10: boolean;
  /** The client keeps the connection open after the answer. */
  readonly keepAlive: boolean;
  readonly body: BodyFraming;
  /** Bytes of a `length` body. */
  readonly length: number;
  /** The client waits for "100 Continue" before sending its body. */
  readonly expectContinue: boolean;
  /** The head the instance gets: the client's headers but hop-by-hop ones, keep-alive asked for. */
  readonly upstream: string;
}

// RFC 9110 §7.6.1; `expect` is answered by the balancer itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A head's lines as [name, value] (values trimmed), and the names its Connection header lists. */
function headerLines(lines: readonly string[], from: number): { pairs: [string, string][]; connection: Set<string> } {
  const pairs: [string, string][] = [];
  const connection = new Set<string>();
  for (let i = from; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    // A folded line or a name with spaces is a smuggling vector (RFC 9112 §5.1–5.2): refuse it.
    if (!TOKEN.test(name)) throw new RequestError(400, `malformed header line ${JSON.stringify(line.slice(0, 40))}`);
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === 'connection') for (const t of value.split(',')) if (t.trim()) connection.add(t.trim().toLowerCase());
    pairs.push([name, value]);
  }
  return { pairs, connection };
}

/** Reads a request head (`text`: the request line and headers, latin1, without the blank line). */
export function parseRequestHead(text: string): RequestHead {
  const lines = text.split('\r\n');
  const parts = lines[0].split(' ');
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || !parts[1]) throw new RequestError(400, 'malformed request line');
  const [method, target, version] = parts;
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') throw new RequestError(505, `HTTP version ${JSON.stringify(version.slice(0, 20))} is not supported`);
  const http10 = version === 'HTTP/1.0';
  const { pairs, connection } = headerLines(lines, 1);
  let length: string | null = null;
  let transferEncoding: string | null = null;
  let hasHost = false;
  let expectContinue = false;
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      if (length !== null && length !== value) throw new RequestError(400, 'conflicting Content-Length headers');
      length = value;
    } else if (lower === 'transfer-encoding') transferEncoding = transferEncoding === null ? value : `${transferEncoding}, ${value}`;
    else if (lower === 'host') hasHost = true;
    else if (lower === 'expect') expectContinue = value.toLowerCase() === '100-continue';
  }
  let body: BodyFraming = 'none';
  let bytes = 0;
  if (transferEncoding !== null) {
    // Chunked must come last, or the body's end cannot be known (RFC 9112 §6.3).
    if (!/(^|,)\s*chunked\s*$/i.test(transferEncoding))
      throw new RequestError(400, `Transfer-Encoding ${JSON.stringify(transferEncoding.slice(0, 40))} does not end with chunked`);
    body = 'chunked';
  } else if (length !== null) {
    if (!/^\d{1,15}$/.test(length)) throw new RequestError(400, `invalid Content-Length ${JSON.stringify(length.slice(0, 20))}`);
    bytes = Number(length);
    body = bytes > 0 ? 'length' : 'none';
  }
  const keepAlive = http10 ? connection.has('keep-alive') : !connection.has('close');
  let upstream = `${method} ${target} HTTP/1.1\r\n`;
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connection.has(lower) || (body === 'chunked' && lower === 'content-length')) continue;
    upstream += `${name}: ${value}\r\n`;
  }
  if (!hasHost) upstream += 'Host: localhost\r\n';
  if (body === 'chunked') upstream += 'Transfer-Encoding: chunked\r\n';
  upstream += 'Connection: keep-alive\r\n\r\n';
  return { method, target, http10, keepAlive, body, length: bytes, expectContinue, upstream };
}

/** How the answer travels to the client. */
export interface ClientFraming {
  /** No body follows (HEAD, 204, 304): the instance's Content-Length, if any, is passed on as it is. */
  readonly noBody: boolean;
  /** The instance said how long the body is. */
  readonly length: string | null;
  /** Without a length: chunked to an HTTP/1.1 client; else the body runs until the balancer closes. */
  readonly chunked: boolean;
  readonly keepAlive: boolean;
}

/** The instance's Content-Length, or null: what decides how the body is framed for the client (pure). */
export function responseLength(head: string): string | null {
  const at = head.search(/\r\ncontent-length:/i);
  if (at < 0) return null;
  const from = head.indexOf(':', at) + 1;
  const to = head.indexOf('\r\n', from);
  return head.slice(from, to < 0 ? undefined : to).trim();
}

/** An instance's response head as the client gets it (pure): its status and headers but hop-by-hop ones and the framing, which is the balancer's. */
export function clientHead(head: string, framing: ClientFraming): string {
  const lines = head.split('\r\n');
  const status = lines[0];
  const rest = status.slice(status.indexOf(' ') + 1);
  let out = `HTTP/1.1 ${rest}\r\n`;
  let pairs: [string, string][];
  let connection: Set<string>;
  try {
    ({ pairs, connection } = headerLines(lines, 1));
  } catch {
    // An instance's odd header line is passed over, not a reason to fail the request.
    pairs = lines
      .slice(1)
      .flatMap((l): [string, string][] => (l.indexOf(':') > 0 ? [[l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]] : []));
    connection = new Set();
  }
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connection.has(lower)) continue;
    if (lower === 'content-length' && !framing.noBody) continue;
    out += `${name}: ${value}\r\n`;
  }
  if (!framing.noBody) {
    if (framing.length !== null) out += `Content-Length: ${framing.length}\r\n`;
    else if (framing.chunked) out += 'Transfer-Encoding: chunked\r\n';
  }
  out += framing.keepAlive ? 'Connection: keep-alive\r\n\r\n' : 'Connection: close\r\n\r\n';
  return out;
}
