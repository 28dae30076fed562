/**
 * One route table serves both dispatch and request counting: a route's key is
 * `${METHOD} ${template}`, the template spelled as in Gitea's spec without `/api/v1`.
 */

export interface Reply {
  readonly status: number;
  /** JSON-serialisable; undefined sends no body */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** an issue list: fault injection may give one of its fields the wrong type */
  readonly issueList?: boolean;
}

export interface Route<C> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly template: string;
  /** false only for /version and /settings/api */
  readonly auth?: boolean;
  readonly handle: (ctx: C, params: Params) => Reply;
}

export type Params = Readonly<Record<string, string>>;

/** Path parameters that must be positive integers (anything else is no match, hence 404). */
const NUMERIC = new Set(['index', 'id']);

export type Match<C> =
  | { readonly kind: 'route'; readonly route: Route<C>; readonly key: string; readonly params: Params }
  | { readonly kind: 'method-not-allowed' }
  | { readonly kind: 'none' };

interface Compiled<C> {
  readonly route: Route<C>;
  readonly key: string;
  readonly segments: readonly string[];
}

export const routeKey = (method: string, template: string): string => `${method} ${template}`;

/** `GET /repos/{o}/{r}/issues` and `GET /repos/{owner}/{repo}/issues` name the same route. */
export const routeShape = (key: string): string => key.replace(/\{[^}]*\}/g, '{}');

export function createRouter<C>(routes: readonly Route<C>[]): (method: string, pathname: string) => Match<C> {
  const compiled: Compiled<C>[] = routes.map((route) => ({
    route,
    key: routeKey(route.method, route.template),
    segments: route.template.split('/').slice(1),
  }));
  return (method, pathname) => {
    let segments: string[];
    try {
      // Split before decoding, so a ref like `claude%2Fissue-12` stays one segment.
      segments = pathname.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return { kind: 'none' };
    }
    let pathMatched = false;
    for (const c of compiled) {
      const params = matchSegments(c.segments, segments);
      if (!params) continue;
      if (c.route.method === method) return { kind: 'route', route: c.route, key: c.key, params };
      pathMatched = true;
    }
    return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'none' };
  };
}

function matchSegments(template: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  if (template.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    const p = path[i] as string;
    if (t.startsWith('{')) {
      const name = t.slice(1, -1);
      if (p === '' || (NUMERIC.has(name) && !/^[1-9]\d{0,15}$/.test(p))) return undefined;
      params[name] = p;
    } else if (t !== p) {
      return undefined;
    }
  }
  return params;
}
