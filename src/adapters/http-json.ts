import { request } from 'undici';

export interface JsonReply {
  readonly status: number;
  /** the parsed body, or undefined when it is empty, not JSON or too large */
  readonly json: unknown;
  /** the body ran past MAX_REPLY_BYTES: reading stopped there and the connection was closed */
  readonly tooLarge?: true;
}

/** An agent's or webhook's reply is a small JSON object; a hostile or broken one is not buffered whole. */
export const MAX_REPLY_BYTES = 1024 * 1024;

/**
 * Where a request went, for messages: the origin only, because webhook and agent URLs often carry
 * their token in the path or query.
 */
export function whereTo(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

/** One HTTP request with a JSON reply; network failures and timeouts reject with the origin only. */
export async function sendJson(
  method: 'GET' | 'POST',
  url: string,
  opts: { body?: string; headers?: Record<string, string>; timeoutMs: number },
): Promise<JsonReply> {
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method,
      headers: { accept: 'application/json', ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs),
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
  } catch (err) {
    throw new Error(`${method} ${whereTo(url)} failed: ${reason(err, opts.timeoutMs)}`);
  }
  let text: string;
  try {
    const read = await readCapped(res.body);
    if (read === null) return { status: res.statusCode, json: undefined, tooLarge: true };
    text = read;
  } catch (err) {
    throw new Error(`${method} ${whereTo(url)} failed reading the reply: ${reason(err, opts.timeoutMs)}`);
  }
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json };
}

/** The body as text, or null once it runs past MAX_REPLY_BYTES (the rest is never read). */
async function readCapped(body: Awaited<ReturnType<typeof request>>['body']): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REPLY_BYTES) {
      body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function reason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${timeoutMs} ms`;
  // the code alone: undici messages can repeat the full URL
  return e.code ?? e.cause?.code ?? e.name ?? 'network error';
}
