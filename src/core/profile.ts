import { z } from 'zod';
import { compilePythonPattern, PatternError } from './python-regex.js';

/**
 * A scoring profile: the keyword sets, patterns and threshold scoring uses. The default is the
 * reference `backlog_triage.py`, verbatim: its regexes are Python patterns and are compiled with
 * Python's semantics (see python-regex.ts).
 */

const tagList = z.array(z.string().min(1)).transform((tags) => tags.map((t) => t.toLowerCase().trim()));

const pattern = z
  .object({ source: z.string().min(1), ignoreCase: z.boolean().default(true) })
  .superRefine((p, ctx) => {
    try {
      compilePythonPattern(p.source, p.ignoreCase);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      ctx.addIssue({ code: 'custom', path: ['source'], message: err.message });
    }
  });

export const DEFAULT_TAGS = {
  bug: ['bug', 'broken', 'crash', 'error', 'fix', 'regression', 'hotfix'],
  feature: ['feature', 'feat', 'enhancement', 'capability', 'timmy-capability'],
  refactor: ['refactor', 'cleanup', 'tech-debt', 'optimization', 'perf'],
  meta: ['philosophy', 'soul-gap', 'discussion', 'question', 'rfc'],
  p0: ['security', 'data-loss', 'blocking', 'p0', 'critical'],
  research: ['research', 'kimi-ready', 'investigation', 'spike'],
  loop: ['loop-generated'],
};

export const DEFAULT_PATTERNS = {
  /** `[bug] title` tags */
  tag: { source: String.raw`\[([^\]]+)\]`, ignoreCase: false },
  fileRef: { source: String.raw`(?:src/|tests/|scripts/|\.py|\.html|\.js|\.yaml|\.toml|\.sh)`, ignoreCase: true },
  funcRef: { source: String.raw`(?:def |class |function |method |` + '`' + String.raw`\w+\(\)` + '`)', ignoreCase: true },
  acceptance: {
    source:
      String.raw`(?:should|must|expect|verify|assert|test.?case|acceptance|criteria` +
      String.raw`|pass(?:es|ing)|fail(?:s|ing)|return(?:s)?|raise(?:s)?)`,
    ignoreCase: true,
  },
  testRef: { source: String.raw`(?:tox|pytest|test_\w+|\.test\.|assert\s)`, ignoreCase: true },
  section: { source: String.raw`##\s*(problem|solution|expected|actual|steps)`, ignoreCase: true },
  blocked: { source: String.raw`\bblock(?:ed|s|ing)\b`, ignoreCase: true },
};

export const ScoringProfileSchema = z.object({
  /** total score (0–9) at which an issue is ready */
  threshold: z.number().int().min(0).max(9).default(5),
  /** titles shorter than this many characters (after removing [tags]) earn a scope point */
  shortTitleLength: z.number().int().min(1).default(80),
  /** this many acceptance words earn two points; one earns one */
  acceptanceWordsForTwo: z.number().int().min(1).default(3),
  tags: z
    .object({
      bug: tagList.default(DEFAULT_TAGS.bug),
      feature: tagList.default(DEFAULT_TAGS.feature),
      refactor: tagList.default(DEFAULT_TAGS.refactor),
      meta: tagList.default(DEFAULT_TAGS.meta),
      p0: tagList.default(DEFAULT_TAGS.p0),
      research: tagList.default(DEFAULT_TAGS.research),
      loop: tagList.default(DEFAULT_TAGS.loop),
    })
    .prefault({}),
  patterns: z
    .object({
      tag: pattern.default(DEFAULT_PATTERNS.tag),
      fileRef: pattern.default(DEFAULT_PATTERNS.fileRef),
      funcRef: pattern.default(DEFAULT_PATTERNS.funcRef),
      acceptance: pattern.default(DEFAULT_PATTERNS.acceptance),
      testRef: pattern.default(DEFAULT_PATTERNS.testRef),
      section: pattern.default(DEFAULT_PATTERNS.section),
      blocked: pattern.default(DEFAULT_PATTERNS.blocked),
    })
    .prefault({}),
});
export type ScoringProfileInput = z.input<typeof ScoringProfileSchema>;
export type ScoringProfileSettings = z.output<typeof ScoringProfileSchema>;

export type TagClass = keyof ScoringProfileSettings['tags'];

/** A validated profile with its patterns compiled once. */
export interface ScoringProfile {
  readonly settings: ScoringProfileSettings;
  readonly threshold: number;
  readonly tagClasses: ReadonlyMap<string, readonly TagClass[]>;
  readonly re: {
    readonly tag: RegExp; // global
    readonly fileRef: RegExp;
    readonly funcRef: RegExp;
    readonly acceptance: RegExp; // global
    readonly testRef: RegExp;
    readonly section: RegExp;
    readonly blocked: RegExp;
  };
}

export function compileProfile(settings: ScoringProfileSettings): ScoringProfile {
  const tagClasses = new Map<string, TagClass[]>();
  for (const [cls, tags] of Object.entries(settings.tags) as [TagClass, string[]][]) {
    for (const tag of tags) tagClasses.set(tag, [...(tagClasses.get(tag) ?? []), cls]);
  }
  const p = settings.patterns;
  return {
    settings,
    threshold: settings.threshold,
    tagClasses,
    re: {
      tag: compilePythonPattern(p.tag.source, p.tag.ignoreCase, true),
      fileRef: compilePythonPattern(p.fileRef.source, p.fileRef.ignoreCase),
      funcRef: compilePythonPattern(p.funcRef.source, p.funcRef.ignoreCase),
      acceptance: compilePythonPattern(p.acceptance.source, p.acceptance.ignoreCase, true),
      testRef: compilePythonPattern(p.testRef.source, p.testRef.ignoreCase),
      section: compilePythonPattern(p.section.source, p.section.ignoreCase),
      blocked: compilePythonPattern(p.blocked.source, p.blocked.ignoreCase),
    },
  };
}

export const DEFAULT_PROFILE: ScoringProfile = compileProfile(ScoringProfileSchema.parse({}));
