import type { Issue } from '../../src/core/issue.js';

/**
 * A ready P0 bug by default (score 9): short title, a file and a function named, criteria, a test
 * and a steps section. Override what a test is about.
 */
export function readyBug(over: Partial<Issue> & { number: number }): Issue {
  const repo = over.repo ?? 'acme/api';
  return {
    repo,
    title: '[bug] Login fails on empty password',
    body: [
      'The handler in src/auth/login.py crashes: def check_password() should return False.',
      '',
      '## Steps',
      '1. POST /login with an empty password',
      '',
      '## Acceptance criteria',
      '- [ ] the request must fail with 401',
      '- [ ] test_login_empty_password passes',
    ].join('\n'),
    labels: [],
    assignees: [],
    author: 'alice',
    authorTrusted: undefined,
    createdAt: '2026-04-28T09:00:00Z',
    updatedAt: '2026-04-30T09:00:00Z',
    state: 'open',
    url: `https://fake.example/${repo}/issues/${over.number}`,
    ...over,
  };
}

/** A ready research issue: decided for the research agent (kimi). */
export function readyResearch(over: Partial<Issue> & { number: number }): Issue {
  return readyBug({
    title: '[research] [feature] Survey retry strategies for the sync client',
    ...over,
  });
}

/** Too vague to be ready: a skip. */
export function vagueIssue(over: Partial<Issue> & { number: number }): Issue {
  return readyBug({ title: 'Things feel slow sometimes, maybe look into it at some point please', body: 'no idea', ...over });
}
