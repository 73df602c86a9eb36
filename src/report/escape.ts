/**
 * The one door out for text that did not come from the trusted config: server output, cell
 * errors, warnings, endpoint paths, environment strings, names read from an artifact. Every such
 * string is plain text until it passes here; the renderers build markup only around the result.
 */

// Breaks what GitHub would turn into a mention, an issue reference or a bare link without
// changing how the text reads.
const ZERO_WIDTH_SPACE = '\u200b';

// Line breaks, C0/C1 controls, and Unicode line and paragraph separators: matching controls is the point.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * Plain text as inline markdown that stays text: no HTML or hidden comment, no link, image or
 * autolink, no mention or issue reference, no table pipe, no code span, no emphasis, no new line.
 */
export function md(text: string): string {
  return text
    .replace(ANSI, '')
    .replace(CONTROLS, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`)
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/#(?=[0-9])/g, `#${ZERO_WIDTH_SPACE}`)
    .replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZERO_WIDTH_SPACE}.`);
}

/** Plain text styled as code, safe in running text and in table cells alike. */
export function mdCode(text: string): string {
  return `<code>${md(text)}</code>`;
}

/**
 * Plain text as a fenced code block: the fence is longer than any run of backticks inside, and
 * hidden-comment delimiters are broken so no marker can be read out of the block.
 */
export function mdFence(text: string): string {
  const body = text
    .replace(ANSI, '')
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '')
    .replace(/<!--/g, `<!${ZERO_WIDTH_SPACE}--`)
    .replace(/-->/g, `--${ZERO_WIDTH_SPACE}>`);
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${body}\n${fence}`;
}

/**
 * Text for one line of the job log: no line break (the runner would read a `::command::` from the
 * next line) and never starting with `::`.
 */
export function logLine(text: string): string {
  const line = text.replace(ANSI, '').replace(CONTROLS, ' ');
  return line.startsWith('::') ? ` ${line}` : line;
}

/**
 * Text cut to at most `max` characters, keeping its first line (what happened) and its end (the
 * last output), with a mark where the middle was left out.
 */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const mark = '\n… (cut) …\n';
  const firstLine = text.split('\n', 1)[0].slice(0, Math.floor(max / 2));
  const tail = text.slice(text.length - (max - firstLine.length - mark.length));
  return `${firstLine}${mark}${tail}`;
}

/** Plain text for HTML, in element content and in quoted attribute values alike. */
export function html(text: string): string {
  return text.replace(ANSI, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Data as JSON inside an HTML <script> element: nothing in it can close the element or open a
 * comment (`<` and the line separators JavaScript treats as line ends are escaped).
 */
export function scriptJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A label for a mermaid chart: quoted, with nothing that ends the quote or the line. */
export function mermaidLabel(text: string): string {
  return `"${text
    .replace(ANSI, '')
    .replace(CONTROLS, ' ')
    .replace(/["\\`<>#;]/g, '_')}"`;
}
