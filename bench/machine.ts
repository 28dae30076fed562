import { availableParallelism, cpus, loadavg } from 'node:os';

/** What a figure was measured on: every bench reports it next to its figures. */
export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly node: string;
}

export const machine = (): Machine => ({
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  node: process.version,
});

/** The 1-minute load average, two decimals: other work on the machine skews every wall-clock figure. */
export const loadAverage = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;
