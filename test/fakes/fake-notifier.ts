import type { Notifier, NotifyEvent } from '../../src/core/ports.js';

export class FakeNotifier implements Notifier {
  readonly events: NotifyEvent[] = [];
  /** when set, every notify throws it (after recording the attempt) */
  failWith: Error | null = null;

  async notify(event: NotifyEvent): Promise<void> {
    this.events.push(event);
    if (this.failWith) throw this.failWith;
  }
}
