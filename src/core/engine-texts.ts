import type { Proposal } from './policy.js';
import { type Marker, quoteUntrusted, renderMarker } from './texts.js';

/**
 * The comment that flags an issue for its human owner. It carries a `dispatch` marker (action
 * `flag`) so a restart sees the flag was already raised.
 */
export function flagComment(i: {
  readonly proposal: Pick<Proposal, 'id' | 'reason'>;
  readonly ownerLogin: string;
  readonly agentId: string;
  readonly consoleId: string;
}): string {
  const marker: Marker = { kind: 'dispatch', proposal: i.proposal.id, console: i.consoleId, action: 'flag', agent: i.agentId, attempt: 1 };
  return [
    `## Needs a human decision`,
    '',
    `@${i.ownerLogin}, switchboard will not hand this issue to an agent yet.`,
    '',
    // The reason can quote tracker text (the blocking words); defuse it like any quote.
    `**Why:**`,
    quoteUntrusted(i.proposal.reason, 500),
    '',
    `---`,
    `*switchboard agent supervisor.*`,
    '',
    renderMarker(marker),
  ].join('\n');
}
