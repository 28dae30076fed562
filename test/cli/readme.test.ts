import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/core/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('the configuration reference names every top-level config key, and only those', () => {
    const section = readme.split('## Configuration reference')[1]?.split('\n## ')[0] ?? '';
    const documented = [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(ConfigSchema.shape)));
  });

  it('documents every exit code the CLI uses', () => {
    for (const code of ['`0`', '`1`', '`2`', '`3`', '`130`']) expect(readme.split('## Exit codes')[1]).toContain(code);
  });
});
