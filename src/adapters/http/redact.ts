/** Replace every occurrence of each secret in `text`. Empty or tiny secrets are ignored. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // A 1–3 character "secret" would shred ordinary words and protects nothing.
    if (secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
  }
  return out;
}

export interface ForgeLocation {
  /** scheme://host[:port], without userinfo */
  readonly origin: string;
  /** host[:port] for messages, e.g. "gitea.example.com" */
  readonly host: string;
  /** path prefix of the API without a trailing slash, e.g. "/api/v1" or "/git/api/v1" */
  readonly apiPath: string;
}

/**
 * Parse a forge root URL, dropping userinfo, query and fragment so nothing that could hold a
 * credential is kept or shown. `apiSuffix` is appended unless the path already ends with it.
 */
export function locateForge(url: string, apiSuffix: string): ForgeLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The raw text may hold credentials, so it is not echoed.
    throw new TypeError('forge URL is not a valid absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`forge URL must be http or https, not ${parsed.protocol}`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const apiPath = path.endsWith(apiSuffix) ? path : `${path}${apiSuffix}`;
  return { origin: `${parsed.protocol}//${parsed.host}`, host: parsed.host, apiPath };
}
