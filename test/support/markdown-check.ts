/** What the renderer may emit as markup; everything else from data must arrive escaped. */
const OUR_TAGS = /<\/?(details|summary|code)>|<!-- flask-perf-action config=[\w./@:+-]+ -->/g;

/** The text outside fenced code blocks (inside them, everything is literal). */
function outsideFences(body: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of body.split('\n')) {
    const f = /^(`{3,})/.exec(line);
    if (f && (fence === null || f[1].length >= fence.length)) fence = fence === null ? f[1] : null;
    else if (fence === null) out.push(line);
  }
  return out.join('\n');
}

/** Pipes that split table cells: not escaped by a backslash. */
function cellPipes(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) if (line[i] === '|' && line[i - 1] !== '\\') n++;
  return n;
}

/**
 * Problems a report has if data escaped the escaping: raw HTML, a second marker, a broken table
 * row, an unbalanced fence or <details>, a mention, a link, an autolink, a heading from data.
 * Empty when the markdown holds only what the renderer itself wrote.
 */
export function markupProblems(body: string): string[] {
  const problems: string[] = [];
  if (outsideFences(body).replace(OUR_TAGS, '').includes('<')) problems.push('raw "<" from data');
  const markers = body.match(/<!-- flask-perf-action/g) ?? [];
  if (markers.length !== 1 || !body.startsWith('<!-- flask-perf-action')) problems.push(`${markers.length} markers`);
  const lines = body.split('\n');
  let table: number | null = null;
  let fence: string | null = null;
  for (const line of lines) {
    const f = /^(`{3,})/.exec(line);
    if (f && (fence === null || f[1].length >= fence.length)) {
      fence = fence === null ? f[1] : null;
      continue;
    }
    if (fence !== null) continue; // inside a code block everything is literal
    if (line.startsWith('|')) {
      if (table === null) table = cellPipes(line);
      else if (cellPipes(line) !== table) problems.push(`table row with ${cellPipes(line)} cell pipes, the header has ${table}: ${line.slice(0, 80)}`);
    } else table = null;
    if (/^#/.test(line) && !line.startsWith('### flask-perf ·')) problems.push(`heading from data: ${line.slice(0, 80)}`);
    if (/@[A-Za-z0-9]/.test(line)) problems.push(`mention: ${line.slice(0, 80)}`);
    if (/(^|[^\\])\[[^\]]*(^|[^\\])\]\(/.test(line)) problems.push(`link: ${line.slice(0, 80)}`);
    if (/https?:\/\//i.test(line)) problems.push(`autolink: ${line.slice(0, 80)}`);
  }
  if (fence !== null) problems.push('unclosed code fence');
  const open = (body.match(/<details>/g) ?? []).length;
  const close = (body.match(/<\/details>/g) ?? []).length;
  if (open !== close) problems.push(`${open} <details> against ${close} </details>`);
  return problems;
}
