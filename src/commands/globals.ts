import { resolveConnection, type Connection } from '../adapters/connection.js';
import { type ResolvedSettings, resolveSettings, type SettingsOverrides } from '../adapters/settings.js';

/** The options every command accepts (set before or after the command name). */
export interface GlobalOptions {
  readonly config?: string;
  readonly stateDir?: string;
  readonly url?: string;
  readonly repo?: string[];
  readonly debug?: boolean;
  readonly color?: boolean;
  /** false with --no-alt-screen: the console draws in the normal screen and its last frame stays */
  readonly altScreen?: boolean;
  /** --mouse: the wheel scrolls the focused pane and a click selects a row */
  readonly mouse?: boolean;
}

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
