import type { WriteRecord } from '../../core/engine-state.js';

/** How a write the engine made looks on a Gitea/Forgejo API: its method and path (for logs). */
export function writeRoute(w: Pick<WriteRecord, 'kind' | 'issue' | 'target'>): { method: 'POST' | 'PATCH' | 'DELETE'; path: string } {
  const hash = w.issue.lastIndexOf('#');
  const repo = hash < 0 ? w.issue : w.issue.slice(0, hash);
  const issue = `/repos/${repo}/issues/${w.issue.slice(hash + 1)}`;
  switch (w.kind) {
    case 'comment':
      return { method: 'POST', path: `${issue}/comments` };
    case 'edit-comment':
      return { method: 'PATCH', path: `/repos/${repo}/issues/comments/${w.target ?? ''}` };
    case 'label':
      return { method: 'POST', path: `${issue}/labels` };
    case 'unlabel':
      return { method: 'DELETE', path: `${issue}/labels/${w.target ?? ''}` };
    case 'assign':
      return { method: 'PATCH', path: issue };
    case 'agent':
      return { method: 'POST', path: `agent:${w.target ?? ''}` };
    case 'open-issue':
      return { method: 'POST', path: `/repos/${repo}/issues` };
    case 'close-issue':
      return { method: 'PATCH', path: issue };
    case 'stop-agent':
      return { method: 'DELETE', path: `agent:${w.target ?? ''}` };
    default: {
      const never: never = w.kind;
      return never;
    }
  }
}
