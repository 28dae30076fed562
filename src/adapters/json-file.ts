import { readFile } from 'node:fs/promises';
import { ValidationError } from '../core/errors.js';

/** Read and parse a JSON file; any failure is one clear sentence naming the file. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    // Read as bytes and decode once: readFile(path, 'utf8') decodes chunk by chunk, slower on large files.
    text = (await readFile(path)).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new ValidationError(`${what} ${path} ${why}.`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const detail = (err as Error).message.replace(/^Unexpected token/, 'unexpected token').split('\n')[0];
    throw new ValidationError(`${what} ${path} is not valid JSON (${detail}).`);
  }
}
