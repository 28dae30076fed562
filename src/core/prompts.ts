import type { Agent } from './routing.js';
import type { FixForwardRequest } from './supervision-types.js';

/**
 * What http and command agents are told. Tracker agents read the issue and switchboard's
 * comments themselves; agents reached by POST or argv only get this text, so it carries seed 003's
 * standing rules (its agents did not read a global rules file either, hence the preamble).
 */

export const ISSUE_IMPLEMENTER_PREAMBLE = [
  'You are implementing one issue from the tracker. Standing rules:',
  '- Work test-first: write a test that fails for the reported problem, then make it pass.',
  '- Make one focused change for this issue; do not touch unrelated code or reformat files.',
  '- Open a pull request that links the issue with a closing keyword (e.g. "Fixes #N").',
  '- Keep CI green; if it goes red, fix it forward on the same branch.',
  '- Report back on the issue: what you changed, how you tested it, anything left open.',
].join('\n');

/** What the agent is told when its config has no `promptTemplate` (reference `_dispatch_prompt`). */
export const DEFAULT_PROMPT =
  'Work on issue {url}: {title}. Read the issue and its comments, implement it, open a pull request that references #{number}.';

/** The preamble an agent gets: its own, else the configured one; "" means none. */
export function preambleFor(agent: Pick<Agent, 'kind' | 'preamble'>, configured: string): string {
  if (agent.kind !== 'http' && agent.kind !== 'command') return '';
  return agent.preamble ?? configured;
}

/**
 * The exact prompt an http or command agent receives (the detail view shows this): the preamble,
 * the task, then the repo's most relevant lessons (`lessonsSection`, already bounded).
 */
export function implementerPrompt(agent: Pick<Agent, 'kind' | 'preamble'>, configured: string, prompt: string, lessons = ''): string {
  const preamble = preambleFor(agent, configured).trim();
  return [preamble, prompt, lessons].filter((part) => part !== '').join('\n\n');
}

type Vars = Readonly<Record<'repo' | 'number' | 'title' | 'url' | 'prompt', string>>;

/**
 * Replace `{repo} {number} {title} {url} {prompt}` inside one template, in a single pass so
 * issue text that itself contains `{title}` is not expanded again. Unknown braces stay as they are.
 * NUL cannot travel in argv (spawn refuses the whole command), so it is dropped from issue text.
 */
export const fillTemplate = (template: string, vars: Partial<Vars>): string =>
  template.replace(/\{(repo|number|title|url|prompt)\}/g, (whole, name: keyof Vars) => vars[name]?.replace(/\0/g, '') ?? whole);

/**
 * The prompt an http or command agent gets for an issue, before the repo's lessons: the
 * preamble, then the agent's template (or DEFAULT_PROMPT) filled in. Both targets send this, and
 * the console's detail view shows it, so what the operator reads is what the agent got.
 */
export function taskPrompt(
  agent: Pick<Agent, 'kind' | 'preamble' | 'promptTemplate'>,
  configured: string,
  issue: { readonly repo: string; readonly number: number; readonly title: string; readonly url: string },
): string {
  return implementerPrompt(agent, configured, fillTemplate(agent.promptTemplate ?? DEFAULT_PROMPT, { repo: issue.repo, number: String(issue.number), title: issue.title, url: issue.url }));
}

/** Only http(s) links are passed on; anything else a status carries is dropped. */
export const safeTargetUrl = (url: string): string | null => {
  if (!/^https?:\/\/[^\s<>"'`]+$/i.test(url) || url.length > 500) return null;
  return url;
};

/** A status context as one plain line: control characters and markup removed, bounded. */
export const plainContext = (context: string): string =>
  context.replace(/[\u0000-\u001f\u007f<>`@]/g, '').slice(0, 100) || '(unnamed)';

/** The corrective turn for an http or command agent: failing contexts, their URLs, the head SHA. */
export function fixForwardPrompt(r: FixForwardRequest, issue: { readonly repo: string; readonly number: number }): string {
  const lines = r.failing.map((c) => {
    const url = safeTargetUrl(c.targetUrl);
    return `- ${plainContext(c.context)}: ${c.state}${url ? ` (${url})` : ''}`;
  });
  return [
    `CI is red on pull request #${r.pr} for issue ${issue.repo}#${issue.number} at commit ${r.headSha}.`,
    'Failing checks:',
    ...(lines.length > 0 ? lines : ['- (no context named)']),
    `Fix it forward on the same branch with a new commit (fix-forward ${r.round} of ${r.maxRounds}); do not open a new pull request.`,
  ].join('\n');
}
