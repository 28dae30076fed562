import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The second half of `npm run build`: dist/cli.js as one bundle (and the chunks its lazy imports
 * load), written over tsc's. Resolving and loading ~150 modules one by one cost a short command
 * ≈ 70 ms of CPU (`node --cpu-prof` of `triage` on an empty file: the ESM loader's resolve,
 * translate and link). The dynamic imports stay chunks, so a command still loads only what it
 * uses (the headless path no ink, triage no console). tsc's per-module output stays in dist/ for
 * what imports a module of it directly.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist');

for (const name of readdirSync(OUT)) if (/^chunk-[\w-]+\.js$/.test(name)) rmSync(join(OUT, name));

await build({
  entryPoints: { cli: join(ROOT, 'src', 'cli.ts') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // ink's optional devtools bridge is loaded only under DEV=true and is not installed.
  external: ['react-devtools-core'],
  // The CommonJS packages (commander, …) require Node's built-ins: give the bundle a require.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
