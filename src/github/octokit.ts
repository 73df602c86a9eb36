import { getOctokit } from '@actions/github';
import type { CommentsApi } from './comments.js';

/** Commit status states GitHub accepts. */
export type StatusState = 'success' | 'failure' | 'error' | 'pending';

/** The GitHub calls the action makes, bound to one repository. */
export interface RepoApi extends CommentsApi {
  /** Open PRs whose head is `owner:branch`. */
  pullsByHead(headOwner: string, branch: string): Promise<readonly { number: number; headSha: string }[]>;
  setStatus(sha: string, state: StatusState, context: string, description: string): Promise<void>;
}

/**
 * Octokit behind the RepoApi. @actions/github takes GITHUB_API_URL as it finds it when loaded;
 * `baseUrl` overrides it (tests against the local stand-in).
 */
export function octokitRepoApi(token: string, owner: string, repo: string, baseUrl?: string): RepoApi {
  const octokit = getOctokit(token, baseUrl ? { baseUrl } : {});
  return {
    async list(issue) {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 });
      return comments.map((c) => ({ id: c.id, body: c.body, author: c.user?.login ?? null }));
    },
    async identity() {
      // GraphQL's viewer answers for installation tokens (GITHUB_TOKEN: github-actions[bot]) and
      // personal tokens alike; GET /user only for the latter.
      try {
        const { viewer } = await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
        if (viewer?.login) return viewer.login;
      } catch {
        // fall through
      }
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
      } catch {
        return null;
      }
    },
    async create(issue, body) {
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body });
      return { id: data.id };
    },
    async update(commentId, body) {
      const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
      return { id: data.id };
    },
    async pullsByHead(headOwner, branch) {
      const { data } = await octokit.rest.pulls.list({ owner, repo, state: 'open', head: `${headOwner}:${branch}`, per_page: 100 });
      return data.map((p) => ({ number: p.number, headSha: p.head.sha }));
    },
    async setStatus(sha, state, context, description) {
      await octokit.rest.repos.createCommitStatus({ owner, repo, sha, state, context, description: description.slice(0, 140) });
    },
  };
}
