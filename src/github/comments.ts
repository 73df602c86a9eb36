/** The part of GitHub's REST API the sticky comment needs (injected; Octokit in production). */
export interface CommentsApi {
  list(issue: number): Promise<readonly { id: number; body?: string | null }[]>;
  create(issue: number, body: string): Promise<{ id: number }>;
  update(commentId: number, body: string): Promise<{ id: number }>;
}

/** What happened to the comment. */
export type CommentOutcome = { readonly action: 'created' | 'updated'; readonly id: number };

/**
 * Creates the comment, or edits the one that carries `marker`: exactly one comment per marker.
 * When several carry it (a race between two runs), the oldest is kept and edited.
 */
export async function upsertComment(api: CommentsApi, issue: number, marker: string, body: string): Promise<CommentOutcome> {
  const existing = (await api.list(issue)).filter((c) => (c.body ?? '').includes(marker)).sort((a, b) => a.id - b.id);
  if (existing.length > 0) {
    const { id } = await api.update(existing[0].id, body);
    return { action: 'updated', id };
  }
  const { id } = await api.create(issue, body);
  return { action: 'created', id };
}

/** Why a GitHub call failed, for a warning; `status` when GitHub answered. */
export function describeGithubError(error: unknown): { status: number | undefined; message: string } {
  const e = error as { status?: number; message?: string };
  const status = typeof e.status === 'number' ? e.status : undefined;
  let hint = '';
  if (status === 403 || status === 404) hint = ' — the token cannot write here (a pull request from a fork gets a read-only token; see the README on the fork-safe split)';
  else if (status !== undefined && status >= 500) hint = ' — GitHub had an error; the job summary still holds the report';
  return { status, message: `${status ? `HTTP ${status}: ` : ''}${e.message ?? String(error)}${hint}` };
}
