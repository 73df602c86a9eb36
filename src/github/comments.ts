/** The part of GitHub's REST API the sticky comment needs (injected; Octokit in production). */
export interface CommentsApi {
  list(issue: number): Promise<readonly { id: number; body?: string | null; author: string | null }[]>;
  create(issue: number, body: string): Promise<{ id: number }>;
  update(commentId: number, body: string): Promise<{ id: number }>;
  /** The login that comments made with this token are written by; null when it cannot be told. */
  identity(): Promise<string | null>;
}

/** What happened to the comment. */
export interface CommentOutcome {
  readonly action: 'created' | 'updated';
  readonly id: number;
  /** Who the token posts as; null when GitHub would not say (then a new comment is always made). */
  readonly identity: string | null;
}

/**
 * Creates the comment, or edits this token's own comment that starts with `marker`: one comment
 * per marker and author. Anyone else's comment holding the marker is never edited, so a pasted
 * marker cannot take the report over. When several are ours (two runs raced), the oldest is kept.
 */
export async function upsertComment(api: CommentsApi, issue: number, marker: string, body: string): Promise<CommentOutcome> {
  const identity = await api.identity();
  const comments = identity === null ? [] : await api.list(issue);
  const ours = comments.filter((c) => c.author === identity && (c.body ?? '').trimStart().startsWith(marker)).sort((a, b) => a.id - b.id);
  if (ours.length > 0) {
    const { id } = await api.update(ours[0].id, body);
    return { action: 'updated', id, identity };
  }
  const { id } = await api.create(issue, body);
  return { action: 'created', id, identity };
}

/** Why a GitHub call failed, for a warning; `status` when GitHub answered. */
export function describeGithubError(error: unknown): { status: number | undefined; message: string } {
  const e = error as { status?: number; message?: string };
  const status = typeof e.status === 'number' ? e.status : undefined;
  let hint = '';
  if (status === 403 || status === 404)
    hint = ' — the token cannot write here (a pull request from a fork gets a read-only token; see the README on the fork-safe split)';
  else if (status !== undefined && status >= 500) hint = ' — GitHub had an error; the job summary still holds the report';
  return { status, message: `${status ? `HTTP ${status}: ` : ''}${e.message ?? String(error)}${hint}` };
}
