import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { type SandboxState, SandboxStateSchema } from './state.js';

/** The state file is there but is not sandbox state; never overwritten, so nothing is lost. */
export class SandboxStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxStateError';
  }
}

/** The saved state, or undefined when the file does not exist yet. */
export function loadState(path: string): SandboxState | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SandboxStateError(`${path} is not valid JSON (${(err as Error).message}); move it away to start fresh`);
  }
  const parsed = SandboxStateSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new SandboxStateError(`${path} is not sandbox state: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Write to a temporary file beside the target, then rename: readers see the old or the new file, never half of one. */
export function writeStateAtomic(path: string, state: SandboxState): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Coalesces bursts of changes into one write a moment later; flush() writes now. */
export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(
    private readonly path: string,
    private readonly state: () => SandboxState,
    private readonly delayMs = 50,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    try {
      writeStateAtomic(this.path, this.state());
    } catch (err) {
      this.onError(err);
    }
  }
}
