/**
 * The load generator's HTTP parser, on crafted byte streams: every response is fed whole and cut at
 * every byte, so a boundary anywhere (in the status line, the head's end, a chunk size) is covered.
 */
import { describe, expect, it } from 'vitest';
import { headerValue, ProtocolError, requestBytes, ResponseParser, type ParsedResponse } from '../../src/load/http.js';

/** Parses `wire` cut into the given pieces; the responses completed, and where the last one ended. */
function parse(pieces: readonly Buffer[], noBody = false, closeAtEnd = false): ParsedResponse[] {
  const p = new ResponseParser();
  const done: ParsedResponse[] = [];
  p.expect(noBody);
  for (const piece of pieces) {
    let off = 0;
    while (off < piece.length) {
      off = p.feed(piece, off);
      if (p.done) {
        done.push(p.done);
        p.expect(noBody);
      }
    }
  }
  if (closeAtEnd && p.end()) done.push(p.done!);
  return done;
}

/** Every way of cutting `wire` in two. */
function everyCut(wire: string): Buffer[][] {
  const b = Buffer.from(wire, 'latin1');
  return Array.from({ length: b.length + 1 }, (_, i) => [b.subarray(0, i), b.subarray(i)]);
}

const cases = [
  { what: 'Content-Length, keep-alive', wire: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', expected: { status: 200, keepAlive: true } },
  { what: 'Connection: close', wire: 'HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', expected: { status: 201, keepAlive: false } },
  {
    what: 'HTTP/1.0 without keep-alive (the Flask dev server)',
    wire: 'HTTP/1.0 404 NOT FOUND\r\ncontent-length: 0\r\n\r\n',
    expected: { status: 404, keepAlive: false },
  },
  {
    what: 'HTTP/1.0 with keep-alive',
    wire: 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx',
    expected: { status: 200, keepAlive: true },
  },
  {
    what: 'chunked, with a trailer',
    wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n',
    expected: { status: 200, keepAlive: true, bytes: 122 },
  },
  { what: 'a 204 has no body whatever it says', wire: 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n', expected: { status: 204, keepAlive: true } },
  {
    what: '100 Continue, then the response',
    wire: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx',
    expected: { status: 200, keepAlive: true },
  },
];

describe('the response parser', () => {
  for (const c of cases) {
    it(`${c.what}: whole and cut at every byte`, () => {
      // The bytes of the response that counts: the whole wire, less an interim 100 Continue.
      const bytes = c.wire.length - (c.wire.startsWith('HTTP/1.1 100') ? c.wire.indexOf('\r\n\r\n') + 4 : 0);
      for (const pieces of [[Buffer.from(c.wire, 'latin1')], ...everyCut(c.wire)]) expect(parse(pieces)).toEqual([{ ...c.expected, bytes }]);
    });
  }

  it('a body that runs until the server closes the connection', () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end';
    for (const pieces of everyCut(wire)) expect(parse(pieces, false, true)).toEqual([{ status: 200, keepAlive: false, bytes: wire.length }]);
    // Cut short: no response.
    const p = new ResponseParser();
    p.expect(false);
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc'), 0);
    expect(p.end()).toBe(false);
    expect(p.done).toBeNull();
  });

  it('a HEAD request: the head alone is the response', () => {
    expect(parse([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n')], true)).toEqual([{ status: 200, keepAlive: true, bytes: 41 }]);
  });

  it('two responses in one chunk are two responses (each is consumed, the rest left for the next)', () => {
    const one = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    expect(parse([Buffer.from(one + one + one)])).toHaveLength(3);
  });

  const malformed = [
    { what: 'not HTTP', wire: 'SSH-2.0-OpenSSH\r\n\r\n', message: /does not start with an HTTP status line/ },
    { what: 'a status that is not a number', wire: 'HTTP/1.1 2x0 OK\r\n\r\n', message: /status is not a number/ },
    { what: 'a negative length', wire: 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', message: /invalid Content-Length "-1"/ },
    { what: 'a bad chunk size', wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', message: /invalid chunk size "zz"/ },
  ];
  for (const c of malformed) {
    it(`refuses ${c.what}`, () => {
      expect(() => parse([Buffer.from(c.wire)])).toThrow(ProtocolError);
      expect(() => parse([Buffer.from(c.wire)])).toThrow(c.message);
    });
  }

  it('refuses a head that never ends', () => {
    const p = new ResponseParser();
    p.expect(false);
    expect(() => {
      for (let i = 0; i < 100; i++) p.feed(Buffer.from(`HTTP/1.1 200 OK\r\nX-${i}: ${'a'.repeat(1000)}\r\n`), 0);
    }).toThrow(/response head longer than 65536 bytes/);
  });
});

describe('requests, built once', () => {
  it('a GET has a Host and nothing else it does not need', () => {
    expect(requestBytes({ method: 'GET', path: '/search?q=a|b', headers: {}, body: '', weight: 1 }, '127.0.0.1:8000').toString()).toBe(
      'GET /search?q=a|b HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n',
    );
  });
  it('a POST carries its body and its length; a given Host or Content-Length is kept', () => {
    expect(
      requestBytes({ method: 'POST', path: '/items', headers: { 'content-type': 'application/json' }, body: '{"name":"é"}', weight: 1 }, 'h:1').toString(),
    ).toBe('POST /items HTTP/1.1\r\nHost: h:1\r\ncontent-type: application/json\r\nContent-Length: 13\r\n\r\n{"name":"é"}');
    expect(requestBytes({ method: 'DELETE', path: '/x', headers: { Host: 'api' }, body: '', weight: 1 }, 'h:1').toString()).toBe(
      'DELETE /x HTTP/1.1\r\nHost: api\r\nContent-Length: 0\r\n\r\n',
    );
  });
  it('reads a header of a lower-cased head', () => {
    expect(headerValue('http/1.1 200 ok\r\ncontent-length:  12 \r\nx: y', 'content-length')).toBe('12');
    expect(headerValue('http/1.1 200 ok\r\nx: y', 'connection')).toBeNull();
  });
});
