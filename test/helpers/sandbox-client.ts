import type { Sandbox } from '../../src/sandbox/index.js';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

/** A thin JSON client for the sandbox over real HTTP, authenticated with its token, in its dialect's API base. */
export function apiClient(sandbox: Pick<Sandbox, 'url' | 'token'> & Partial<Pick<Sandbox, 'apiUrl'>>, token: string | null = sandbox.token) {
  const base = sandbox.apiUrl ?? `${sandbox.url}/api/v1`;
  async function request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { Authorization: `token ${token}` }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }
  return {
    request,
    get: <T = any>(path: string) => request<T>('GET', path),
    post: <T = any>(path: string, body: unknown) => request<T>('POST', path, body),
    patch: <T = any>(path: string, body: unknown) => request<T>('PATCH', path, body),
    delete: <T = any>(path: string) => request<T>('DELETE', path),
  };
}

/** A clock tests move by hand, so `updated_at` changes are visible at Gitea's one-second precision. */
export function manualClock(start = '2025-03-01T10:00:00Z') {
  let t = Date.parse(start);
  return {
    now: (): Date => new Date(t),
    advance(seconds: number): void {
      t += seconds * 1000;
    },
  };
}

/** Poll until `check` returns a value, or fail after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
