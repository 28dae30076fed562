import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Benches that measure memory run in a child of their own: `node --expose-gc --import tsx`. */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Run `script` with `args` in a child and resolve with what it printed; NODE_ENV as given (unset by default). */
export function benchChild(script: string, args: readonly string[], nodeEnv?: string): Promise<string> {
  const env = { ...process.env };
  if (nodeEnv === undefined) delete env.NODE_ENV;
  else env.NODE_ENV = nodeEnv;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} ${args[0] ?? ''} exited with ${code}`))));
  });
}

/** The last line a child printed, as JSON. */
export const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as T;

/** A full gc when the process runs with --expose-gc. */
export const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** bytes → MB, one decimal */
export const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;

/** RSS of this process after a full gc, printed as the child's answer to `--baseline`. */
export function printBaseline(): void {
  gc();
  console.log(JSON.stringify({ rssMb: mb(process.memoryUsage.rss()) }));
}
