import express from 'express';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A call the mock received. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface MockComment {
  id: number;
  body: string;
  /** Login of the account that wrote it. */
  author: string;
}

/** Who each token posts as (GITHUB_TOKEN posts as github-actions[bot]). */
export const TOKEN_LOGINS: Readonly<Record<string, string>> = { 'test-token': 'github-actions[bot]', 'other-token': 'someone-else' };

/**
 * A local HTTP server that plays the part of GitHub's REST API the action uses (the one stand-in
 * the tests allow: GitHub cannot be reached from here). It keeps comments and records every call.
 */
export class GithubMock {
  readonly calls: RecordedCall[] = [];
  readonly comments = new Map<number, MockComment[]>();
  readonly statuses: { sha: string; state: string; context: string; description: string }[] = [];
  readonly pulls: { number: number; head: { sha: string; ref: string; label: string } }[] = [];
  /** When set, every comment call answers with this status. */
  failComments: number | null = null;
  /** When true, GraphQL and GET /user refuse to say who the token is. */
  hideIdentity = false;
  private server: Server | undefined;
  private nextId = 1000;

  async start(): Promise<string> {
    const app = express();
    app.use(express.json());
    app.use((req, _res, next) => {
      this.calls.push({ method: req.method, path: req.path, body: req.body });
      next();
    });
    const failing = (res: express.Response): boolean => {
      if (this.failComments === null) return false;
      res.status(this.failComments).json({ message: this.failComments === 403 ? 'Resource not accessible by integration' : 'Server Error' });
      return true;
    };
    const login = (req: express.Request): string | undefined => TOKEN_LOGINS[String(req.headers.authorization ?? '').replace(/^(token|bearer) /i, '')];
    app.post('/graphql', (req, res) => {
      const who = login(req);
      if (this.hideIdentity || !who || !/viewer/.test(String(req.body?.query))) {
        res.status(200).json({ data: null, errors: [{ message: 'Resource not accessible by integration' }] });
        return;
      }
      res.json({ data: { viewer: { login: who } } });
    });
    app.get('/user', (req, res) => {
      const who = login(req);
      if (this.hideIdentity || !who) res.status(403).json({ message: 'Resource not accessible by integration' });
      else res.json({ login: who });
    });
    app.get('/repos/:owner/:repo/issues/:issue/comments', (req, res) => {
      if (failing(res)) return;
      res.json((this.comments.get(Number(req.params.issue)) ?? []).map((c) => ({ id: c.id, body: c.body, user: { login: c.author } })));
    });
    app.post('/repos/:owner/:repo/issues/:issue/comments', (req, res) => {
      if (failing(res)) return;
      const list = this.comments.get(Number(req.params.issue)) ?? [];
      const comment = { id: this.nextId++, body: String(req.body.body), author: login(req) ?? 'unknown' };
      list.push(comment);
      this.comments.set(Number(req.params.issue), list);
      res.status(201).json(comment);
    });
    app.patch('/repos/:owner/:repo/issues/comments/:id', (req, res) => {
      if (failing(res)) return;
      for (const list of this.comments.values()) {
        const c = list.find((x) => x.id === Number(req.params.id));
        // GitHub lets only the author (or a maintainer) edit a comment.
        if (c && c.author !== login(req)) {
          res.status(403).json({ message: 'Resource not accessible by integration' });
          return;
        }
        if (c) {
          c.body = String(req.body.body);
          res.json({ id: c.id, body: c.body, user: { login: c.author } });
          return;
        }
      }
      res.status(404).json({ message: 'Not Found' });
    });
    app.get('/repos/:owner/:repo/pulls', (req, res) => {
      const head = typeof req.query.head === 'string' ? req.query.head : '';
      res.json(this.pulls.filter((p) => p.head.label === head));
    });
    app.post('/repos/:owner/:repo/statuses/:sha', (req, res) => {
      this.statuses.push({ sha: req.params.sha, state: req.body.state, context: req.body.context, description: req.body.description });
      res.status(201).json({ id: 1, state: req.body.state });
    });
    app.use((req, res) => res.status(404).json({ message: `mock: no route for ${req.method} ${req.path}` }));
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  allComments(): MockComment[] {
    return [...this.comments.values()].flat();
  }

  /** Puts a comment on an issue as `author` (someone else, for the hijack tests). */
  seedComment(issue: number, author: string, body: string): MockComment {
    const comment = { id: this.nextId++, body, author };
    this.comments.set(issue, [...(this.comments.get(issue) ?? []), comment]);
    return comment;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Starts one GithubMock for a test file (fresh comments and calls before each test). */
export function useGithubMock(): { readonly api: GithubMock; readonly url: string } {
  const holder = { api: new GithubMock(), url: '' };
  beforeAll(async () => {
    holder.url = await holder.api.start();
  });
  afterAll(async () => holder.api.stop());
  beforeEach(() => {
    holder.api.comments.clear();
    holder.api.calls.length = 0;
    holder.api.statuses.length = 0;
    holder.api.failComments = null;
    holder.api.hideIdentity = false;
    holder.api.pulls.length = 0;
  });
  return holder;
}
