import { Box, Text } from 'ink';
import { sanitize } from '../core/sanitize.js';
import { carriedWords } from '../core/texts.js';
import { fit } from '../text/width.js';
import type { Confirm } from './ui-state.js';
import { usePaint } from './use-paint.js';

interface Props {
  readonly confirm: Confirm;
  readonly width: number;
  readonly height: number;
}

/** The question and what it affects, as lines. */
export function confirmText(c: Confirm): { question: string; details: string[] } {
  switch (c.kind) {
    case 'approve-all':
      return { question: `Approve all ${c.ids.length} visible pending proposal${c.ids.length === 1 ? '' : 's'}?`, details: [] };
    case 'arm':
      return {
        question: `Arm switchboard? It will write to ${c.repos.length} enrolled repo${c.repos.length === 1 ? '' : 's'}:`,
        details: [
          ...c.repos.map((r) => `  ${sanitize(r)}`),
          c.executes.length === 0
            ? 'No approval is waiting: nothing executes at once.'
            : c.executes.length === 1
              ? '1 approval executes at once:'
              : `${c.executes.length} approvals execute at once:`,
          ...c.executes.map((l) => `  ${sanitize(l)}`),
        ],
      };
    case 'carried-over':
      return {
        question: `${carriedWords(c.ids.length)}. Keep ${c.ids.length === 1 ? 'it' : 'them'} approved?`,
        details: [...c.lines.map((l) => `  ${sanitize(l)}`), 'y keeps them (they execute once armed); No takes back those not begun: pending again'],
      };
    case 'quit':
      return { question: `${c.writing} proposal${c.writing === 1 ? ' is' : 's are'} writing right now. Quit anyway?`, details: ['  the write in progress finishes first if the caller stops the engine'] };
    case 'approve-rejected':
      return {
        question: `${sanitize(c.issueKey)} was rejected. Approve it after all?`,
        details: c.note !== null ? [`  rejection note: ${sanitize(c.note)}`] : [],
      };
    case 'cancel-dispatch':
      return {
        question: `Cancel the dispatch of ${sanitize(c.issueKey)} to ${sanitize(c.agentId)}?`,
        details: [
          ...(c.agentKind === 'command' ? ['  the running command is stopped'] : []),
          '  the repo lock (in-progress label) is released',
          '  a comment on the issue says the operator cancelled it',
        ],
      };
    default: {
      const never: never = c;
      return never;
    }
  }
}

/** A destructive question; No is the default (Enter and Esc both say no). */
export function ConfirmDialog({ confirm, width, height }: Props) {
  const paint = usePaint();
  const { question, details } = confirmText(confirm);
  const room = Math.max(0, height - 3);
  const shown = details.slice(0, room);
  const hidden = details.length - shown.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...paint('warn')}>
        {fit(question, width)}
      </Text>
      {shown.map((d, i) => (
        <Text key={i}>{fit(i === shown.length - 1 && hidden > 0 ? `  … and ${hidden + 1} more` : d, width)}</Text>
      ))}
      <Text> </Text>
      <Text bold>{fit('y yes · n / ⏎ / esc no (default No)  [y/N]', width)}</Text>
    </Box>
  );
}
