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

describe('README keys', () => {
  const section = readme.split('## Keys')[1]?.split('\n## ')[0] ?? '';
  const shown: Record<string, string> = { enter: '⏎', down: '↓', up: '↑' };

  it('lists every key of the panes keymap, and marks the dangerous ones', async () => {
    const { KEYMAP } = await import('../../src/ui/keymap.js');
    for (const [key, binding] of Object.entries(KEYMAP.normal)) {
      const name = `\`${shown[key] ?? key}\``;
      const row = section.split('\n').find((line) => line.startsWith('|') && line.split('|')[1]?.includes(name));
      expect(row, `README keys table has no row for ${name}`).toBeDefined();
      if (binding.dangerous) expect(row).toContain('dangerous');
    }
  });
});
