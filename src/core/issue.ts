import { flat } from './flat.js';

/** A tracker issue, normalized. Every string in it is untrusted tracker text. */
export interface Issue {
  /** `owner/name` */
  readonly repo: string;
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  readonly assignees: readonly string[];
  readonly author: string;
  /** true/false once known (trusted list or write permission); undefined = not checked. */
  readonly authorTrusted: boolean | undefined;
  /** ISO 8601 as the tracker sent it; may be unparseable (then the issue counts as new). */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly state: 'open' | 'closed';
  readonly url: string;
}

export const issueKey = (repo: string, number: number): string => flat(`${repo}#${number}`);

const sameList = (a: readonly string[], b: readonly string[]): boolean => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

/**
 * The same issue as far as anything we read from it goes. `updatedAt` settles most; the rest is
 * compared too, as a forge stamps changes to the second (and Gitea's `since` returns the issue
 * updated at that very second again).
 */
export const sameIssue = (a: Issue, b: Issue): boolean =>
  a === b ||
  (a.updatedAt === b.updatedAt &&
    a.state === b.state &&
    a.title === b.title &&
    a.body === b.body &&
    a.author === b.author &&
    a.authorTrusted === b.authorTrusted &&
    a.createdAt === b.createdAt &&
    a.url === b.url &&
    sameList(a.labels, b.labels) &&
    sameList(a.assignees, b.assignees));

/** The same labels in the same order. */
export const sameLabels = (a: Issue, b: Issue): boolean => sameList(a.labels, b.labels);
