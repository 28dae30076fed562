/**
 * Ink 6.8's incremental renderer (`incrementalRendering: true`) repositions the cursor one line
 * short whenever the previous frame ended with a newline, which is every frame that is shorter
 * than the terminal: it writes `cursorUp(lines - 1)` from the row *below* the frame, so each
 * update lands one row lower and the screen scrolls (reproduced against ink/build/log-update.js
 * 6.8.0; Ink 7 needs Node 22). Ink writes that repositioning as the first sequence of a frame
 * update, so the stream handed to Ink adds the missing line there. Frames that shrink start with
 * an erase sequence instead and are already right.
 */
const FRAME_UPDATE = /^\u001b\[(\d+)A/;

export function withIncrementalCursorFix<S extends NodeJS.WriteStream>(stream: S): S {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const fixed =
      typeof chunk === 'string' ? chunk.replace(FRAME_UPDATE, (_m, n: string) => `\u001b[${Number(n) + 1}A`) : chunk;
    return (stream.write as (...args: unknown[]) => boolean)(fixed, ...rest);
  };
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
