import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One operation of a REST API as data: the request code sends exactly what this says, and the
 * contract test checks the same record against the published specs, so the two cannot drift.
 */
export interface Endpoint<
  Q extends string = string,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
> {
  readonly method: HttpMethod;
  /** path template below the API root, with `{name}` parameters */
  readonly path: string;
  readonly query: readonly Q[];
  /** the JSON body we send; a strict object so nothing unlisted goes out */
  readonly body: B;
  /** what we read from the response; an empty body (204) is parsed as `undefined` */
  readonly response: R;
  /** may be sent again after an ambiguous failure (5xx, reset, timeout) without a second effect */
  readonly idempotent: boolean;
  /** a 5xx is the server's answer, not an outage: never resent (Gitea's 500 for an unassignable login) */
  readonly finalServerError?: boolean;
}

export type QueryOf<E> = E extends Endpoint<infer Q, z.ZodType | undefined, z.ZodType> ? Q : never;
export type BodyOf<E> =
  E extends Endpoint<string, infer B, z.ZodType>
    ? B extends z.ZodType
      ? z.input<B>
      : undefined
    : never;
export type ResponseOf<E> = E extends Endpoint<string, z.ZodType | undefined, infer R> ? z.output<R> : never;

/** "GET /repos/{owner}/{repo}/issues": how messages name an endpoint. */
export const endpointName = (e: Pick<Endpoint, 'method' | 'path'>): string => `${e.method} ${e.path}`;

/** Fill `{name}` parameters; each value is percent-encoded as one path segment. */
export function fillPath(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
}
