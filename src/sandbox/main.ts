import { Command } from 'commander';
import { registerSandboxCommand } from './command.js';

// The sandbox on its own, before the CLI wires it in: `npx tsx src/sandbox/main.ts sandbox --agents`.
const program = new Command('switchboard');
registerSandboxCommand(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
