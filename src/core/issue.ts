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
