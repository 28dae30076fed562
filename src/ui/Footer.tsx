import { Text } from 'ink';
import { memo } from 'react';
import { sanitize } from '../core/sanitize.js';
import { fit } from '../text/width.js';
import { bindingsFor, type ModeName, type Pane } from './keymap.js';
import type { Flash } from './ui-state.js';
import { usePaint } from './use-paint.js';

/** how long a flash message stays */
export const FLASH_SHOWN_MS = 5_000;

interface Props {
  readonly mode: ModeName;
  readonly pane: Pane;
  /** what is being typed in the filter or command line, with its prompt */
  readonly prompt: string | null;
  /** shown after the prompt's cursor: Tab's choices, the filter's complaint */
  readonly hint?: string | null;
  readonly flash: Flash | null;
  readonly now: number;
  readonly width: number;
  /** an approval is in its grace period: its undo key comes first */
  readonly grace?: boolean;
}

// Movement keys are the same everywhere: the help lists them, the footer keeps room for actions.
const NAVIGATION = new Set(['down', 'up', 'first', 'last', 'page down', 'page up', 'previous pane']);

const LEVEL_WORD: Readonly<Record<Flash['level'], string>> = { info: '', warning: '⚠ ', error: '✖ ' };

/** Two lines: the prompt or flash message, then the keys that work here and now. Memoised: a key that only moves the selection leaves it as it is. */
export const Footer = memo(function Footer({ mode, pane, prompt, hint = null, flash, now, width, grace = false }: Props) {
  const paint = usePaint();
  const live = flash !== null && now - flash.at < FLASH_SHOWN_MS ? flash : null;
  const bindings = bindingsFor(mode, mode === 'normal' ? pane : undefined);
  const keys = [...bindings.filter((h) => h.inGrace && grace), ...bindings.filter((h) => !h.inGrace)]
    .filter((h) => !h.keys.includes('^C') && !NAVIGATION.has(h.description))
    .map((h) => `${h.keys[0]} ${h.description}`)
    .join('  ');
  return (
    <>
      {prompt !== null ? (
        <Text wrap="truncate">{fit(`${sanitize(prompt)}▏${hint ? `   ${sanitize(hint)}` : ''}`, width)}</Text>
      ) : (
        <Text wrap="truncate" {...paint(live?.level === 'error' ? 'bad' : live?.level === 'warning' ? 'warn' : 'accent')}>
          {fit(live ? LEVEL_WORD[live.level] + sanitize(live.text) : '', width)}
        </Text>
      )}
      <Text wrap="truncate" {...paint('dim')}>
        {fit(` ${keys}`, width)}
      </Text>
    </>
  );
});
