import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notifier, NotifyEvent } from '../../src/core/ports.js';
import { BellNotifier, CompositeNotifier, describeEvent, WebhookNotifier } from '../../src/adapters/notifier-webhook.js';
import { type LoopbackServer, json, loopbackServer } from '../helpers/loopback-server.js';

const escalated: NotifyEvent = { kind: 'escalated', repo: 'acme/api', number: 12, agentId: 'claude', attempts: 3, why: 'timed out <!channel>' };
let server: LoopbackServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

describe('webhook notifier', () => {
  it('retries a failing webhook and delivers the event as Slack text', async () => {
    let calls = 0;
    server = await loopbackServer((_req, res) => {
      calls += 1;
      json(res, calls < 3 ? 500 : 200, { ok: calls >= 3 });
    });
    const notifier = new WebhookNotifier({ url: `${server.url}/hooks/T000/SECRET`, backoffMs: 5 });
    await notifier.notify(escalated);
    expect(server.received).toHaveLength(3);
    const { text } = JSON.parse(server.received[2]!.body.toString('utf8')) as { text: string };
    expect(text).toContain('acme/api#12');
    expect(text).toContain('after 3 attempts');
    expect(text).toContain('&lt;!channel&gt;');
    expect(notifier.failures).toEqual([]);
  });

  it('links the dashboard issue when there is one', () => {
    expect(describeEvent({ ...escalated, dashboardUrl: 'https://git.example/acme/api/issues/40' })).toMatch(/ — dashboard: https:\/\/git\.example\/acme\/api\/issues\/40$/);
    expect(describeEvent(escalated)).not.toContain('dashboard');
  });

  it('reports a dead webhook without throwing and without its secret path', async () => {
    server = await loopbackServer(() => undefined);
    const url = `${server.url}/hooks/T000/SECRET`;
    await server.close();
    server = null;
    const reported: string[] = [];
    const notifier = new WebhookNotifier({ url, backoffMs: 1, timeoutMs: 2000, onFailure: (t) => reported.push(t) });
    await expect(notifier.notify(escalated)).resolves.toBeUndefined();
    expect(reported).toHaveLength(1);
    expect(reported[0]).toContain('could not notify the webhook at http://127.0.0.1');
    expect(reported[0]).not.toContain('SECRET');
  });

  it('does not retry a webhook that refuses the request', async () => {
    server = await loopbackServer((_req, res) => json(res, 404, { error: 'no_service' }));
    const notifier = new WebhookNotifier({ url: server.url, backoffMs: 1 });
    await notifier.notify({ kind: 'flagged', repo: 'acme/api', number: 3, reason: 'needs a decision' });
    expect(server.received).toHaveLength(1);
    expect(notifier.failures).toEqual([expect.stringContaining('HTTP 404')]);
  });
});

describe('bell and composite notifiers', () => {
  it('rings the bell and keeps notifying when one notifier fails', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const broken: Notifier = { notify: () => Promise.reject(new Error('boom')) };
    const reported: string[] = [];
    const notifier = new CompositeNotifier([broken, new BellNotifier(out)], (t) => reported.push(t));
    await expect(notifier.notify(escalated)).resolves.toBeUndefined();
    expect(chunks.join('')).toBe('\u0007');
    expect(reported).toEqual(['could not notify: boom']);
  });
});
