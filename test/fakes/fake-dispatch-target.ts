import type { AgentStatus, DispatchRequest, DispatchResult, DispatchTarget } from '../../src/core/ports.js';

export class FakeDispatchTarget implements DispatchTarget {
  readonly requests: DispatchRequest[] = [];
  readonly observed: string[] = [];
  /** run id → what observe reports; unknown runs are running */
  readonly statuses = new Map<string, AgentStatus>();
  /** the next dispatch answers this instead of a fresh run */
  nextResult: DispatchResult | null = null;

  async dispatch(request: DispatchRequest): Promise<DispatchResult> {
    this.requests.push(request);
    const result = this.nextResult ?? { ok: true, runId: `run-${this.requests.length}`, detail: `run-${this.requests.length} started` };
    this.nextResult = null;
    return result;
  }

  readonly stopped: string[] = [];

  async stop(runId: string): Promise<void> {
    this.stopped.push(runId);
  }

  async observe(runId: string): Promise<AgentStatus> {
    this.observed.push(runId);
    return this.statuses.get(runId) ?? { status: 'running', detail: `${runId} running` };
  }
}
