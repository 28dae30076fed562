import { type Config, parseConfig } from '../core/config.js';
import { readJsonFile } from './json-file.js';

/** Load and validate a JSON config file; without a path, the shipped defaults. */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (!path) return parseConfig({});
  return parseConfig(await readJsonFile(path, 'config file'), `config file ${path}`);
}
