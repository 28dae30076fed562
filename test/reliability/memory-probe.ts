/**
 * The memory suite's engine, alone in its own `node --expose-gc` process (forked with an IPC
 * channel), so the RSS it reports is the engine's: the sandbox tracker and its growing store stay
 * in the test process. Messages in: {open}, {cycle}, {close}; each is answered with one reply.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config.js';
import { openSwitchboard, type Switchboard } from '../../src/wiring.js';

export type ProbeRequest = { type: 'open'; url: string; token: string; repo: string } | { type: 'cycle' } | { type: 'close' };
export interface ProbeSample {
  readonly rss: number;
  readonly heap: number;
  readonly external: number;
  readonly proposals: number;
  readonly events: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('fork this with --expose-gc');
const send = (m: unknown) => process.send?.(m);

let sb: Switchboard | undefined;
let stateDir: string | undefined;
let events = 0;

function sample(): ProbeSample {
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers, proposals: sb?.engine.getSnapshot().proposals.size ?? 0, events };
}

process.on('message', (req: ProbeRequest) => {
  void (async () => {
    try {
      if (req.type === 'open') {
        stateDir = await mkdtemp(join(tmpdir(), 'switchboard-memory-'));
        sb = await openSwitchboard({
          connection: { url: req.url, token: req.token, tokenSource: 'test', repos: [req.repo] },
          config: parseConfig({ armed: true, autoApprove: [{ when: { tier: 'P0' } }], trustedAuthors: ['alice'], limits: { repoLock: false, dispatchesPerCycle: 3 } }),
          stateDir,
          env: {},
          onWarning: () => {},
        });
        sb.engine.onEvent(() => events++);
        send({ ok: true });
      } else if (req.type === 'cycle') {
        await sb?.engine.runCycle();
        send({ ok: true, sample: sample() });
      } else {
        await sb?.close();
        if (stateDir) await rm(stateDir, { recursive: true, force: true });
        send({ ok: true });
        process.disconnect();
      }
    } catch (err) {
      send({ ok: false, error: (err as Error).stack ?? String(err) });
    }
  })();
});
send({ ok: true, ready: true });
