import { describe, expect, it, vi } from 'vitest';
import { askUntilValid, loginProblem, reposProblem, urlProblem } from '../../src/commands/config.js';

/** A readline stand-in that answers from a list, recording each question. */
function answering(...answers: string[]) {
  const asked: string[] = [];
  return {
    asked,
    rl: { question: async (q: string) => (asked.push(q), answers.shift() ?? '') } as unknown as Parameters<typeof askUntilValid>[0],
  };
}

describe('config init questions', () => {
  it('a wrong answer is explained and the same question is asked again; the earlier answers stay', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const { rl, asked } = answering('git.example.com', 'ftp://x', 'https://git.example.com');
      expect(await askUntilValid(rl, 'Tracker URL: ', urlProblem)).toBe('https://git.example.com');
      expect(asked).toEqual(['Tracker URL: ', 'Tracker URL: ', 'Tracker URL: ']);
      const said = write.mock.calls.map((c) => String(c[0])).join('');
      expect(said).toContain('"git.example.com" is not a URL');
      expect(said).toContain('must start with https://');
      const repos = answering('acme/api, nope', 'acme/api, acme/web');
      expect(await askUntilValid(repos.rl, 'Repos: ', reposProblem)).toBe('acme/api, acme/web');
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain('"nope" is not owner/name');
    } finally {
      write.mockRestore();
    }
  });

  it('blank answers are accepted where the question has a default', () => {
    expect(urlProblem('')).toBeNull();
    expect(loginProblem('')).toBeNull();
    expect(loginProblem('bad login')).toMatch(/not a login/);
  });
});
