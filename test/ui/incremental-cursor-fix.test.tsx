import { EventEmitter } from 'node:events';
import { Box, render, Text } from 'ink';
import { useEffect, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { withIncrementalCursorFix } from '../../src/ui/incremental-cursor-fix.js';

/** Just enough of a terminal to replay what Ink writes: rows of text, a cursor, scrolling. */
class Screen {
  readonly lines: string[];
  private row = 0;
  private col = 0;
  constructor(readonly rows: number) {
    this.lines = Array.from({ length: rows }, () => '');
  }
  feed(data: string): void {
    const re = /\u001b\[([?\d;]*)([A-Za-z])|\n|[^\u001b\n]+/g;
    for (const m of data.matchAll(re)) {
      const [token, arg = '', cmd] = m;
      if (token === '\n') this.newline();
      else if (cmd === undefined) this.text(token);
      else if (cmd === 'A') this.row = Math.max(0, this.row - Number(arg || 1));
      else if (cmd === 'E') (this.newline(), (this.col = 0));
      else if (cmd === 'G') this.col = Number(arg || 1) - 1;
      else if (cmd === 'K') this.lines[this.row] = this.lines[this.row]!.slice(0, this.col);
      // other sequences (cursor visibility, synchronized output) change nothing on screen
    }
  }
  private newline(): void {
    this.col = 0;
    if (this.row === this.rows - 1) {
      this.lines.shift();
      this.lines.push('');
    } else this.row++;
  }
  private text(t: string): void {
    const line = this.lines[this.row]!.padEnd(this.col, ' ');
    this.lines[this.row] = line.slice(0, this.col) + t + line.slice(this.col + t.length);
    this.col += t.length;
  }
}

function fakeTty(screen: Screen) {
  const out = Object.assign(new EventEmitter(), {
    columns: 40,
    rows: screen.rows,
    isTTY: true,
    write: (chunk: string) => (screen.feed(chunk), true),
  });
  return out as unknown as NodeJS.WriteStream;
}

function Counter({ ticks }: { ticks: number }) {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (n < ticks) {
      const t = setTimeout(() => setN(n + 1), 40);
      return () => clearTimeout(t);
    }
    return undefined;
  }, [n, ticks]);
  return (
    <Box flexDirection="column">
      <Text>header</Text>
      <Text>count {n}</Text>
      <Text>footer</Text>
    </Box>
  );
}

describe('incremental rendering through the cursor fix', () => {
  it('redraws each frame in place: no line is repeated, nothing scrolls away', async () => {
    const screen = new Screen(10);
    const app = render(<Counter ticks={5} />, {
      stdout: withIncrementalCursorFix(fakeTty(screen)),
      incrementalRendering: true,
      patchConsole: false,
      exitOnCtrlC: false,
    });
    await new Promise((r) => setTimeout(r, 600));
    app.unmount();
    expect(screen.lines.slice(0, 3)).toEqual(['header', 'count 5', 'footer']);
    expect(screen.lines.filter((l) => l === 'header')).toHaveLength(1);
  });
});
