/**
 * The load generator's engine: connections on plain sockets, requests prebuilt as bytes, responses
 * read by the lean parser in http.ts, latencies in HDR histograms — per endpoint, and per second
 * for the time series. Closed model (each connection sends its next request when the last one is
 * answered) or open model (requests sent on a fixed schedule, latency measured from each one's
 * intended send time, so a stall counts for every request it delayed).
 */
import net from 'node:net';
import { encodeHistogram, newLatencyHistogram, recordMs, type LatencyHistogram } from '../stats/histogram.js';
import { ProtocolError, requestBytes, ResponseParser } from './http.js';
import { weightedSequence } from './mix.js';
import type { LoadJob, LoadSample, SecondSample } from './types.js';

/** How often the open model's schedule is served, and stages and timeouts checked, in ms. */
const TICK_MS = 1;
/** Timeouts are looked for this often, in ms. */
const TIMEOUT_CHECK_MS = 10;
/** Connect errors back to back wait this long before the next attempt (a refused port would spin). */
const RETRY_MS = 10;
/** How often the drain looks whether every answer is in. */
const DRAIN_CHECK_MS = 5;

interface Second {
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  sent: number;
  histogram: LatencyHistogram | null;
  cpuMs?: number;
}

/** A socket and the connection it serves now. */
class LoadSocket extends net.Socket {
  owner: Connection | null = null;
}

class Connection {
  socket: LoadSocket | null = null;
  readonly parser = new ResponseParser();
  /** The endpoint of the request in flight; -1 when idle. */
  endpoint = -1;
  /** When the request in flight was sent (closed model) or meant to be (open model), performance.now(). */
  since = 0;
  connected = false;
  /** Set when the stage asks for fewer connections: close after the current response. */
  retire = false;
  failedConnects = 0;
  /** Open model: since when it has been free for the next request, performance.now(). */
  idleSince = 0;
}

/** A request the open model's schedule released that no connection has taken yet. */
interface Queued {
  readonly endpoint: number;
  readonly intended: number;
}

/** Runs one load job to its end; resolves with what it measured. */
export function runJob(job: LoadJob, clock: () => number = () => performance.now()): Promise<LoadSample> {
  return new Engine(job, clock).run();
}

class Engine {
  private readonly requests: Buffer[];
  private readonly noBody: boolean[];
  private readonly sequence: number[];
  private cursor = 0;
  /** Per endpoint, the latency of every request sent within the window, answered in it or after (the drain). */
  private readonly latencies: LatencyHistogram[];
  /** Per endpoint, answers within the window: what req/s counts. */
  private readonly answered: number[];
  private readonly timedOut: number[];
  private readonly statuses: Map<number, number>[];
  private readonly bytes: number[];
  private readonly errorCodes = new Map<string, number>();
  private errors = 0;
  private timeouts = 0;
  private readonly seconds: Second[] = [];
  private readonly connections = new Set<Connection>();
  private readonly queue: Queued[] = [];
  private queueHead = 0;
  private nextIntended = 0;
  /** Open model: requests the schedule released by the end. */
  private scheduled = 0;
  private start = 0;
  private end = Infinity;
  private stopped = false;
  /** Time is up: nothing more is sent or counted; answers in flight are awaited (drain). */
  private ending = false;
  private localIndex = 0;
  private readonly host: string;
  private readonly port: number;
  private target = 0;
  private rate = 0;
  private stageIndex = 0;
  private stageEnds: number[] = [];
  /** Closed model ramp: connections grow from `from` at `perMs` per ms since `at` until `to`. */
  private ramp: { from: number; to: number; perMs: number; at: number } | null = null;
  /** Open model: lateness of sends the generator, not the server, delayed. */
  private readonly late: LatencyHistogram | null;
  /** Closed sockets, to be connected again. */
  private readonly spares: LoadSocket[] = [];
  /** Every socket reads into this one buffer (onread): no buffer made per read. */
  private readonly readBuffer = Buffer.allocUnsafe(65_536);

  constructor(
    private readonly job: LoadJob,
    private readonly now: () => number,
  ) {
    const url = new URL(job.url);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.requests = job.endpoints.map((e) => requestBytes(e, url.host));
    this.noBody = job.endpoints.map((e) => e.method === 'HEAD');
    this.sequence = weightedSequence(job.endpoints.map((e) => e.weight));
    this.latencies = job.endpoints.map(() => newLatencyHistogram());
    this.answered = job.endpoints.map(() => 0);
    this.timedOut = job.endpoints.map(() => 0);
    this.late = job.stages.some((st) => st.rate !== undefined) ? newLatencyHistogram() : null;
    this.statuses = job.endpoints.map(() => new Map<number, number>());
    this.bytes = job.endpoints.map(() => 0);
  }

  run(): Promise<LoadSample> {
    const cpuBefore = process.cpuUsage();
    this.start = this.now();
    this.nextIntended = this.start;
    let at = this.start;
    this.stageEnds = this.job.stages.map((s) => (at += s.durationMs));
    this.end = at;
    this.enterStage(0);
    let lastTimeoutCheck = this.start;
    // The generator's own CPU, second by second: read at each second's end.
    let cpuSecond = 0;
    let cpuAt = cpuBefore;
    const closeSecond = (): void => {
      const c = process.cpuUsage(cpuAt);
      cpuAt = process.cpuUsage();
      this.secondAt(this.start + cpuSecond * 1000).cpuMs = (c.user + c.system) / 1000;
    };
    return new Promise((resolve) => {
      const finish = (): void => {
        if (this.ending) return;
        this.ending = true;
        clearInterval(tick);
        clearTimeout(deadline);
        closeSecond();
        const cpu = process.cpuUsage(cpuBefore);
        // Requests sent within the window are awaited to their answer or their timeout: their
        // latency counts (a request longer than a 1 s slice was seen by nothing, neither as an
        // answer nor as a timeout), while req/s counts the answers within the window only. The
        // server finishes that work now, not during whatever is measured next.
        const drainUntil = this.now() + Math.min(this.job.drainMs ?? this.job.timeoutMs, this.job.timeoutMs);
        const drain = (): void => {
          const t = this.now();
          this.checkTimeouts(t);
          if (this.inFlight() > 0 && t < drainUntil) {
            setTimeout(drain, DRAIN_CHECK_MS);
            return;
          }
          this.stop();
          // The window measured is exactly the stages' time.
          resolve(
            this.sample(
              this.job.stages.reduce((ms, st) => ms + st.durationMs, 0),
              (cpu.user + cpu.system) / 1000,
            ),
          );
        };
        drain();
      };
      const deadline = setTimeout(finish, this.end - this.start);
      const tick = setInterval(() => {
        const t = this.now();
        if (t >= this.end) return finish();
        const second = Math.floor((t - this.start) / 1000);
        while (cpuSecond < second) {
          closeSecond();
          cpuSecond++;
        }
        while (this.stageIndex < this.stageEnds.length - 1 && t >= this.stageEnds[this.stageIndex]) this.enterStage(this.stageIndex + 1);
        if (this.ramp) this.rampTo(t);
        if (t - lastTimeoutCheck >= TIMEOUT_CHECK_MS) {
          lastTimeoutCheck = t;
          this.checkTimeouts(t);
        }
        if (this.rate > 0) this.release(t);
      }, TICK_MS);
    });
  }

  /** Requests sent and not yet answered. */
  private inFlight(): number {
    let n = 0;
    for (const c of this.connections) if (c.endpoint >= 0 && c.socket) n++;
    return n;
  }

  private enterStage(index: number): void {
    this.stageIndex = index;
    const stage = this.job.stages[index];
    if (stage.rate !== undefined) {
      // Open model: the schedule continues from where it is, at the new rate.
      this.rate = stage.rate;
      this.target = this.job.maxConnections;
      this.nextIntended = Math.max(this.nextIntended, this.now());
      return;
    }
    this.rate = 0;
    this.ramp = null;
    const wanted = stage.connections ?? 0;
    let open = 0;
    for (const c of this.connections) if (!c.retire) open++;
    if (stage.spawnPerSec !== undefined && stage.spawnPerSec > 0 && wanted > open) {
      // A ramp: start from what is open, add connections as time goes (rampTo, every tick).
      this.ramp = { from: open, to: wanted, perMs: stage.spawnPerSec / 1000, at: this.now() };
      this.target = open;
      return;
    }
    this.target = wanted;
    open = 0;
    for (const c of this.connections) {
      if (c.retire) continue;
      open++;
      if (open > this.target) c.retire = true;
    }
    for (; open < this.target; open++) this.openConnection();
  }

  /** Closed model ramp: opens the connections due by `t`. */
  private rampTo(t: number): void {
    const r = this.ramp!;
    const due = Math.min(r.to, r.from + Math.floor((t - r.at) * r.perMs));
    for (; this.target < due; this.target++) this.openConnection();
    if (this.target >= r.to) this.ramp = null;
  }

  private secondAt(t: number): Second {
    const index = Math.max(0, Math.floor((t - this.start) / 1000));
    while (this.seconds.length <= index) this.seconds.push({ responses: 0, non2xx: 0, errors: 0, timeouts: 0, sent: 0, histogram: null });
    return this.seconds[index];
  }

  private nextEndpoint(): number {
    const e = this.sequence[this.cursor];
    this.cursor = (this.cursor + 1) % this.sequence.length;
    return e;
  }

  private openConnection(): Connection {
    const c = new Connection();
    this.connections.add(c);
    this.connect(c);
    return c;
  }

  private connect(c: Connection): void {
    const locals = this.job.localAddresses;
    const socket = this.spares.pop() ?? this.newSocket();
    socket.owner = c;
    c.socket = socket;
    c.connected = false;
    if (locals.length) socket.connect({ host: this.host, port: this.port, localAddress: locals[this.localIndex++ % locals.length] });
    else socket.connect(this.port, this.host);
  }

  /**
   * A socket whose listeners serve whichever connection owns it. Closed sockets are connected
   * again rather than made anew (making one costs more than the connect on connection-close
   * servers), and every one reads into the same buffer: the parser copies what it keeps.
   */
  private newSocket(): LoadSocket {
    // `noDelay` is a constructor option since Node 17.7, missing from @types/node 20.
    const socket: LoadSocket = new LoadSocket({
      noDelay: true,
      onread: {
        buffer: this.readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          const c = socket.owner;
          if (c) this.onData(c, socket, Buffer.from(buf.buffer, buf.byteOffset, n));
          return true;
        },
      },
    } as net.SocketConstructorOpts);
    socket.on('connect', () => {
      const c = socket.owner;
      if (!c || c.socket !== socket) return;
      c.connected = true;
      c.failedConnects = 0;
      c.idleSince = this.now();
      this.idle(c);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const c = socket.owner;
      if (!c) return;
      if (this.stopped || this.ending) {
        c.endpoint = -1;
        return;
      }
      this.countError(error.code ?? 'other');
      if (!c.connected) c.failedConnects++;
      // The request in flight is lost with the connection; the error stands for it.
      c.endpoint = -1;
    });
    socket.on('close', () => {
      const c = socket.owner;
      socket.owner = null;
      if (c && c.socket === socket) this.closed(c);
      // Its last event: the socket can serve another connection.
      if (!this.stopped) this.spares.push(socket);
    });
    return socket;
  }

  /** The connection's socket closed (the server's doing, or an error). */
  private closed(c: Connection): void {
    c.socket = null;
    if (this.stopped) return;
    if (this.ending) {
      c.endpoint = -1;
      return;
    }
    if (c.endpoint >= 0) {
      if (c.parser.end()) this.complete(c);
      else {
        // The server closed the connection with a request unanswered.
        this.countError('EOF');
        c.endpoint = -1;
      }
    }
    this.reconnect(c);
  }

  private reconnect(c: Connection): void {
    if (this.stopped) return;
    if (this.ending) {
      // Time is up: no new connection, no new request.
      this.connections.delete(c);
      return;
    }
    // Open model: connections open on demand, each with a request waiting for it (release). One
    // opened ahead would sit idle in the server: a sync worker or a single-threaded server blocks
    // reading it, a stall of the server's that the load made. One that failed to connect retries
    // after a pause, standing for the connections still wanted.
    if (c.retire || (this.rate > 0 && c.failedConnects === 0)) {
      this.connections.delete(c);
      return;
    }
    if (c.failedConnects > 0) setTimeout(() => this.connect(c), RETRY_MS);
    else this.connect(c);
  }

  /** Errors without an answer after the end are no one's: the connection was let go. */
  private countError(code: string): void {
    if (!this.ending) this.tally(code, this.now());
  }

  private tally(code: string, at: number): void {
    this.errors++;
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
    this.secondAt(at).errors++;
  }

  /** A connection with nothing in flight: send the next request (closed) or take one from the schedule (open). */
  private idle(c: Connection): void {
    // Nothing is sent once time is up, even before the timer that ends the run has fired.
    if (this.stopped || !c.socket || this.now() >= this.end) return;
    if (c.retire) {
      this.connections.delete(c);
      c.socket.destroy();
      return;
    }
    if (this.rate > 0) {
      if (this.queueHead < this.queue.length) {
        const q = this.queue[this.queueHead++];
        this.compactQueue();
        // Late by the generator's doing only when the connection was free before the request was due.
        // That part (its 1 ms tick, its own work) is not the server's: latency counts from the
        // intended time plus it, so waiting for a busy server counts and the generator's lag does not.
        const now = this.now();
        const ownLate = Math.max(0, now - Math.max(q.intended, c.idleSince));
        recordMs(this.late!, ownLate);
        this.send(c, q.endpoint, q.intended + ownLate);
      } else c.idleSince = this.now();
      return;
    }
    this.send(c, this.nextEndpoint(), this.now());
  }

  private send(c: Connection, endpoint: number, since: number): void {
    c.endpoint = endpoint;
    c.since = since;
    c.parser.expect(this.noBody[endpoint]);
    this.secondAt(this.now()).sent++;
    c.socket!.write(this.requests[endpoint]);
  }

  private onData(c: Connection, socket: LoadSocket, chunk: Buffer): void {
    if (this.stopped || c.socket !== socket) return;
    let off = 0;
    try {
      while (off < chunk.length) {
        if (c.endpoint < 0) throw new ProtocolError('data with no request in flight');
        off = c.parser.feed(chunk, off);
        if (c.parser.done) {
          const keep = c.parser.done.keepAlive;
          this.complete(c);
          if (!keep) {
            // The server closes it: open the next connection now rather than wait for the FIN.
            c.socket = null;
            socket.destroy();
            this.reconnect(c);
            return;
          }
          this.idle(c);
        }
      }
    } catch (error) {
      this.countError(error instanceof ProtocolError ? 'EPROTO' : 'other');
      c.endpoint = -1;
      c.socket = null;
      socket.destroy();
      this.reconnect(c);
    }
  }

  private complete(c: Connection): void {
    const t = this.now();
    const response = c.parser.done!;
    const e = c.endpoint;
    c.endpoint = -1;
    c.idleSince = t;
    c.parser.done = null;
    const ms = t - c.since;
    recordMs(this.latencies[e], ms);
    // An answer after the end counts for latency only: the time req/s divides by has ended.
    if (t > this.end) return;
    this.answered[e]++;
    const second = this.secondAt(t);
    second.responses++;
    second.histogram ??= newLatencyHistogram();
    recordMs(second.histogram, ms);
    if (response.status < 200 || response.status > 299) second.non2xx++;
    const map = this.statuses[e];
    map.set(response.status, (map.get(response.status) ?? 0) + 1);
    this.bytes[e] += response.bytes;
  }

  private checkTimeouts(t: number): void {
    for (const c of this.connections) {
      if (c.endpoint < 0 || t - c.since < this.job.timeoutMs) continue;
      // Open model: `since` is the intended time; a request still queued is not timed out here.
      // A timeout in the drain is one of the window's requests: it counts, in the window's last second.
      const at = Math.min(t, this.end - 1);
      this.timeouts++;
      this.timedOut[c.endpoint]++;
      this.tally('timeout', at);
      this.secondAt(at).timeouts++;
      c.endpoint = -1;
      const s = c.socket;
      c.socket = null;
      s?.destroy();
      this.reconnect(c);
    }
  }

  /** Open model: releases the requests the schedule has due, to idle connections or new ones. */
  private release(t: number): void {
    const interval = 1000 / this.rate;
    while (this.nextIntended <= t && this.nextIntended < this.end) {
      this.scheduled++;
      this.queue.push({ endpoint: this.nextEndpoint(), intended: this.nextIntended });
      this.nextIntended += interval;
    }
    for (const c of this.connections) {
      if (this.queueHead >= this.queue.length) break;
      if (c.connected && c.socket && c.endpoint < 0 && !c.retire) this.idle(c);
    }
    // Requests still waiting and room for more connections: open them (each takes one on connect).
    let connecting = 0;
    for (const c of this.connections) if (!c.connected) connecting++;
    const waiting = this.queue.length - this.queueHead;
    while (connecting < waiting && this.connections.size < this.target) {
      this.openConnection();
      connecting++;
    }
  }

  private compactQueue(): void {
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private stop(): void {
    this.stopped = true;
    for (const c of this.connections) c.socket?.destroy();
    this.connections.clear();
  }

  private sample(elapsedMs: number, loadgenCpuMs: number): LoadSample {
    const whole = Math.ceil(elapsedMs / 1000 - 1e-9);
    const seconds: SecondSample[] = [];
    for (let i = 0; i < whole; i++) {
      const s = this.seconds[i] ?? { responses: 0, non2xx: 0, errors: 0, timeouts: 0, sent: 0, histogram: null };
      seconds.push({
        responses: s.responses,
        non2xx: s.non2xx,
        errors: s.errors,
        timeouts: s.timeouts,
        sent: s.sent,
        histogram: s.histogram ? encodeHistogram(s.histogram) : null,
        loadgenCpuMs: s.cpuMs ?? null,
      });
    }
    return {
      elapsedMs,
      endpoints: this.job.endpoints.map((_, i) => ({
        histogram: encodeHistogram(this.latencies[i]),
        responses: this.answered[i],
        statuses: Object.fromEntries([...this.statuses[i]].map(([k, v]) => [String(k), v])),
        bytes: this.bytes[i],
        timeouts: this.timedOut[i],
      })),
      errors: this.errors,
      timeouts: this.timeouts,
      errorCodes: Object.fromEntries(this.errorCodes),
      loadgenCpuMs,
      seconds,
      backlog: this.queue.length - this.queueHead,
      ...(this.scheduled ? { scheduled: this.scheduled } : {}),
      ...(this.late
        ? {
            lateMs: {
              p99: this.late.totalCount ? this.late.getValueAtPercentile(99) / 1000 : 0,
              max: this.late.totalCount ? this.late.maxValue / 1000 : 0,
              requests: this.late.totalCount,
            },
          }
        : {}),
    };
  }
}
