import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoDashboard, issueSvg } from '../../scripts/dashboard-picture.js';

describe("the README's picture of the dashboard issue", () => {
  const issue = demoDashboard();
  const svg = issueSvg(issue);

  it('is drawn from what the renderer writes today (else run npx tsx scripts/dashboard-picture.ts)', () => {
    const onDisk = readFileSync(new URL('../../docs/dashboard.svg', import.meta.url), 'utf8');
    expect(onDisk).toBe(svg);
  });

  it('shows every section, box and issue of the body, and none of its hidden markers', () => {
    const headings = issue.body.split('\n').filter((l) => l.startsWith('### ')).map((l) => l.slice(4));
    expect(headings.length).toBe(4);
    for (const h of headings) expect(svg).toContain(h);
    const boxes = issue.body.split('\n').filter((l) => l.startsWith('- ['));
    expect(boxes.length).toBeGreaterThan(1);
    expect(svg.match(/<rect [^>]*width="13" height="13"/g)?.length).toBe(boxes.length);
    expect(svg.match(/<path d="M[^"]*l3 3 l5 -6"/g)?.length).toBe(boxes.filter((l) => l.startsWith('- [x]')).length);
    for (const ref of issue.body.match(/demo\/api#\d+/g) ?? []) expect(svg).toContain(`>${ref}<`);
    expect(svg).not.toContain('sb:p:');
    expect(svg).not.toContain('switchboard:dashboard');
  });
});
