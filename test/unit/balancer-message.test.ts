import { describe, expect, it } from 'vitest';
import { clientHead, parseRequestHead, RequestError, responseLength } from '../../src/topology/balancer/message.js';

const head = (...lines: string[]): string => lines.join('\r\n');

describe('the balancer reads a request head', () => {
  it('passes the headers on but hop-by-hop ones, and asks the instance to keep the connection', () => {
    const r = parseRequestHead(head('GET /a?b=1 HTTP/1.1', 'Host: x:1', 'Connection: close, X-Secret', 'X-Secret: 1', 'Keep-Alive: 5', 'Accept: */*'));
    expect(r).toMatchObject({ method: 'GET', target: '/a?b=1', http10: false, keepAlive: false, body: 'none' });
    expect(r.upstream).toBe('GET /a?b=1 HTTP/1.1\r\nHost: x:1\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n');
  });

  const cases = [
    { what: 'HTTP/1.1 keeps the connection by default', lines: ['GET / HTTP/1.1', 'Host: x'], expected: { keepAlive: true, http10: false } },
    { what: 'HTTP/1.0 closes unless asked', lines: ['GET / HTTP/1.0'], expected: { keepAlive: false, http10: true } },
    { what: 'HTTP/1.0 with keep-alive', lines: ['GET / HTTP/1.0', 'Connection: Keep-Alive'], expected: { keepAlive: true } },
    { what: 'a length-framed body', lines: ['POST / HTTP/1.1', 'Host: x', 'Content-Length: 12'], expected: { body: 'length', length: 12 } },
    { what: 'Content-Length 0 is no body', lines: ['POST / HTTP/1.1', 'Host: x', 'Content-Length: 0'], expected: { body: 'none' } },
    {
      what: 'chunked wins over a length',
      lines: ['POST / HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Transfer-Encoding: chunked'],
      expected: { body: 'chunked' },
    },
    {
      what: 'Expect: 100-continue is noted',
      lines: ['PUT / HTTP/1.1', 'Host: x', 'Content-Length: 1', 'Expect: 100-continue'],
      expected: { expectContinue: true },
    },
  ];
  for (const c of cases) it(c.what, () => expect(parseRequestHead(head(...c.lines))).toMatchObject(c.expected));

  it('a chunked request goes on chunked, without the length, Expect and TE', () => {
    const r = parseRequestHead(head('POST /x HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Transfer-Encoding: chunked', 'Expect: 100-continue', 'TE: trailers'));
    expect(r.upstream).toBe('POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n');
  });

  it('a request without Host gets one', () => expect(parseRequestHead('GET / HTTP/1.0').upstream).toContain('Host: localhost\r\n'));

  const refused = [
    { what: 'a malformed request line', text: 'GET /', status: 400 },
    { what: 'an unknown version', text: 'GET / HTTP/2.0', status: 505 },
    { what: 'a folded header line', text: head('GET / HTTP/1.1', 'Host: x', ' folded'), status: 400 },
    { what: 'a space before the colon', text: head('GET / HTTP/1.1', 'Host : x'), status: 400 },
    { what: 'conflicting lengths', text: head('POST / HTTP/1.1', 'Content-Length: 1', 'Content-Length: 2'), status: 400 },
    { what: 'a length that is not a number', text: head('POST / HTTP/1.1', 'Content-Length: 1x'), status: 400 },
    { what: 'a transfer coding that does not end with chunked', text: head('POST / HTTP/1.1', 'Transfer-Encoding: chunked, gzip'), status: 400 },
  ];
  for (const c of refused) {
    it(`refuses ${c.what} with ${c.status}`, () => {
      expect(() => parseRequestHead(c.text)).toThrow(RequestError);
      try {
        parseRequestHead(c.text);
      } catch (e) {
        expect((e as RequestError).status).toBe(c.status);
      }
    });
  }
});

describe('the balancer rewrites an answer for the client', () => {
  const werkzeug = head('HTTP/1.1 200 OK', 'Server: Werkzeug/3.1', 'Content-Type: application/json', 'Content-Length: 31', 'Connection: close');

  it('keeps status, headers and length; the connection header is the balancer’s', () => {
    expect(clientHead(werkzeug, { noBody: false, length: responseLength(werkzeug), chunked: false, keepAlive: true })).toBe(
      'HTTP/1.1 200 OK\r\nServer: Werkzeug/3.1\r\nContent-Type: application/json\r\nContent-Length: 31\r\nConnection: keep-alive\r\n\r\n',
    );
  });

  it('an answer without a length goes chunked to an HTTP/1.1 client', () => {
    const chunked = head('HTTP/1.1 201 Created', 'Transfer-Encoding: chunked', 'Set-Cookie: a=1', 'Set-Cookie: b=2');
    expect(responseLength(chunked)).toBeNull();
    expect(clientHead(chunked, { noBody: false, length: null, chunked: true, keepAlive: false })).toBe(
      'HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
    );
  });

  it('a HEAD answer keeps the length it would have had', () => {
    expect(clientHead(werkzeug, { noBody: true, length: null, chunked: false, keepAlive: true })).toContain('Content-Length: 31\r\n');
  });

  it('headers the instance names in Connection stay behind', () => {
    const h = head('HTTP/1.1 200 OK', 'Connection: X-Internal', 'X-Internal: 1', 'Content-Length: 0');
    expect(clientHead(h, { noBody: false, length: '0', chunked: false, keepAlive: true })).not.toContain('X-Internal');
  });
});
