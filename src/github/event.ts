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

/** GitHub's webhook payloads are loose JSON: read field by field, each checked. */
type Payload = Readonly<Record<string, unknown>>;

/** The value at a path of nested objects; undefined where a step is not an object. */
function at(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Payload)[key] : undefined;
  return v;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The PR of a pull_request event (pure); null for other events. */
export function pullRequestOf(eventName: string, payload: Payload): PullRequestRef | null {
  if (!isPullRequestEvent(eventName)) return null;
  const number = at(payload, 'pull_request', 'number');
  if (typeof number !== 'number') return null;
  return { number, baseSha: text(at(payload, 'pull_request', 'base', 'sha')), headSha: text(at(payload, 'pull_request', 'head', 'sha')) };
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
  const run = at(payload, 'workflow_run');
  if (eventName !== 'workflow_run' || typeof run !== 'object' || run === null) return null;
  const pulls = at(run, 'pull_requests');
  return {
    headSha: text(at(run, 'head_sha')) ?? '',
    headBranch: text(at(run, 'head_branch')) ?? '',
    headOwner: text(at(run, 'head_repository', 'owner', 'login')) ?? '',
    pullRequests: Array.isArray(pulls) ? pulls.map((p) => at(p, 'number')).filter((n): n is number => typeof n === 'number') : [],
  };
}
