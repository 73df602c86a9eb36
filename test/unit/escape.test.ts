import { describe, expect, it } from 'vitest';
import { capText, logLine, md, mdCode, mdFence } from '../../src/report/escape.js';

const Z = '\u200b';

describe('md: data as inline markdown text', () => {
  const cases = [
    { what: 'plain words pass', input: 'gunicorn-auto 1.5', expected: 'gunicorn-auto 1.5' },
    { what: 'HTML and hidden comments', input: '<img src=x> <!-- m -->', expected: '&lt;img src=x&gt; &lt;!-- m --&gt;' },
    { what: 'entities stay literal', input: '&#124; &lt;', expected: `&amp;\\#${Z}124; &amp;lt;` },
    { what: 'table pipes', input: 'a|b', expected: 'a\\|b' },
    { what: 'a trailing backslash cannot escape what follows', input: 'x\\', expected: 'x\\\\' },
    { what: 'code spans and emphasis', input: '`x` *y* _z_ ~w~', expected: '\\`x\\` \\*y\\* \\_z\\_ \\~w\\~' },
    { what: 'links and images', input: '![i](u) [l](u)', expected: '!\\[i\\](u) \\[l\\](u)' },
    { what: 'mentions and issue references', input: '@octocat fixes #12', expected: `@${Z}octocat fixes \\#${Z}12` },
    { what: 'a lone @ is left alone', input: 'CPU @ 2.20GHz', expected: 'CPU @ 2.20GHz' },
    { what: 'bare links', input: 'see https://evil.example or www.evil.example', expected: `see https:${Z}//evil.example or www${Z}.evil.example` },
    { what: 'line breaks and controls become spaces', input: 'a\nb\r\nc\u2028d\u0007e', expected: 'a b c d e' },
    { what: 'a heading cannot start a line', input: '\n## ✅ all good', expected: ' \\#\\# ✅ all good' },
    { what: 'terminal colours are dropped', input: '\u001b[31mred\u001b[0m', expected: 'red' },
  ];
  for (const c of cases) it(c.what, () => expect(md(c.input)).toBe(c.expected));
  it('mdCode wraps escaped text in <code>', () => expect(mdCode('GET /a|b')).toBe('<code>GET /a\\|b</code>'));
});

describe('mdFence: data as a code block', () => {
  it('uses a fence longer than any backtick run inside', () => {
    expect(mdFence('a\n````\nb')).toBe('`````\na\n````\nb\n`````');
    expect(mdFence('plain')).toBe('```\nplain\n```');
  });
  it('breaks hidden-comment delimiters and drops controls, keeping lines', () => {
    expect(mdFence('<!-- flask-perf-action config=x -->\r\nz\u0000')).toBe(`\`\`\`\n<!${Z}-- flask-perf-action config=x --${Z}>\nz\n\`\`\``);
  });
});

describe('logLine: one line of the job log', () => {
  it('never breaks a line, never starts a workflow command', () => {
    expect(logLine('a\n::warning file=x::y')).toBe('a ::warning file=x::y');
    expect(logLine('::error::x')).toBe(' ::error::x');
    expect(logLine('a\rb')).toBe('a b');
  });
});

describe('capText', () => {
  it('keeps short text', () => expect(capText('short', 10)).toBe('short'));
  it('keeps the first line and the end within the limit', () => {
    const text = `first line\n${'m'.repeat(5000)}\nlast words`;
    const cut = capText(text, 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut.startsWith('first line\n… (cut) …\n')).toBe(true);
    expect(cut.endsWith('last words')).toBe(true);
  });
});
