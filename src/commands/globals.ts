import { resolveConnection, type Connection } from '../adapters/connection.js';
import { type ResolvedSettings, resolveSettings, type SettingsOverrides } from '../adapters/settings.js';
import type { GlobalOptions } from './cli-options.js';

export type { GlobalOptions } from './cli-options.js';

export interface Loaded extends ResolvedSettings {
  readonly connection: Connection;
}

/** Settings (flags > env > file > defaults) and the connection, validated. */
export function loadSettings(g: GlobalOptions, extra: Omit<SettingsOverrides, 'url' | 'repo'> = {}, env: NodeJS.ProcessEnv = process.env): Loaded {
  const flags: SettingsOverrides = { url: g.url, repo: g.repo, ...extra };
  const settings = resolveSettings({ file: g.config, flags, env });
  const connection = resolveConnection(settings.config, { url: g.url, repo: g.repo }, env);
  return { ...settings, connection };
}
