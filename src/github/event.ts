/** The pull request a run belongs to. */
export interface PullRequestRef {
  readonly number: number;
  readonly baseSha: string | null;
  readonly headSha: string | null;
}

/** Events whose payload is a pull request. */
export function isPullRequestEvent(eventName: string): boolean {
  return eventName === 'pull_request' || eventName === 'pull_request_target';
}

// any: GitHub's webhook payloads are loose JSON, read field by field with checks below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Payload = Record<string, any>;

/** The PR of a pull_request event (pure); null for other events. */
export function pullRequestOf(eventName: string, payload: Payload): PullRequestRef | null {
  if (!isPullRequestEvent(eventName)) return null;
  const pr = payload.pull_request;
  if (!pr || typeof pr.number !== 'number') return null;
  return { number: pr.number, baseSha: pr.base?.sha ?? null, headSha: pr.head?.sha ?? null };
}

/** What a workflow_run event says of the run that made the artifact (trusted: it comes from GitHub). */
export interface WorkflowRunRef {
  readonly headSha: string;
  readonly headBranch: string;
  readonly headOwner: string;
  /** PR numbers GitHub lists for the run; empty for PRs from forks. */
  readonly pullRequests: readonly number[];
}

/** The workflow_run of a workflow_run event (pure); null for other events. */
export function workflowRunOf(eventName: string, payload: Payload): WorkflowRunRef | null {
  if (eventName !== 'workflow_run' || !payload.workflow_run) return null;
  const run = payload.workflow_run;
  return {
    headSha: String(run.head_sha ?? ''),
    headBranch: String(run.head_branch ?? ''),
    headOwner: String(run.head_repository?.owner?.login ?? ''),
    pullRequests: Array.isArray(run.pull_requests) ? run.pull_requests.map((p: { number: number }) => p.number).filter((n: unknown) => typeof n === 'number') : [],
  };
}
