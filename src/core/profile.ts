import { RegExpSyntaxError, RegExpValidator } from '@eslint-community/regexpp';
import { z } from 'zod';

/**
 * A scoring profile: the keyword sets, patterns and threshold scoring uses. The default is the
 * reference `backlog_triage.py`: its keyword sets verbatim, its regexes written once as JavaScript
 * Unicode regexes that match what Python's `re` matches on real text (docs/scoring.md says where
 * they part: exotic code points only). User patterns are JavaScript regex syntax, compiled with
 * the `u` flag.
 */

const tagList = z.array(z.string().min(1)).transform((tags) => tags.map((t) => t.toLowerCase().trim()));

// Node 20's RegExp syntax: ES2024 without the v flag (regex modifiers are ES2025 and newer V8).
const validator = new RegExpValidator({ ecmaVersion: 2024 });

/**
 * Why `source` is not a JavaScript regex (with the `u` flag), with the position of the fault, or
 * null when it compiles. regexpp says where; V8's own message does not.
 */
export function patternProblem(source: string): string | null {
  try {
    validator.validatePattern(source, 0, source.length, { unicode: true });
    new RegExp(source, 'u');
    return null;
  } catch (err) {
    if (err instanceof RegExpSyntaxError) {
      // regexpp's message repeats the pattern first; the reason and the index say it all.
      const reason = err.message.slice(`Invalid regular expression: /${source}/u: `.length);
      const where = err.index >= source.length ? 'at the end' : `at character ${Array.from(source.slice(0, err.index)).length + 1}`;
      return `not a valid JavaScript regular expression: ${reason.charAt(0).toLowerCase()}${reason.slice(1)} ${where}`;
    }
    if (err instanceof SyntaxError) return `not a valid JavaScript regular expression: ${err.message.split(': ').pop()}`;
    throw err;
  }
}

const pattern = z
  .object({ source: z.string().min(1), ignoreCase: z.boolean().default(true) })
  .superRefine((p, ctx) => {
    const problem = patternProblem(p.source);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['source'], message: problem });
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

/**
 * Python's `\w` on a str: letters, numbers and `_` (str.isalnum), not combining marks. JavaScript's
 * `\w` is ASCII-only even with the `u` flag, and its `\b` too, so the defaults spell the class out.
 */
const WORD = String.raw`[\p{L}\p{N}_]`;

/** The reference's regexes as JavaScript. Python's `.` is `[^\n]`; `\b` is a look-around on WORD. */
export const DEFAULT_PATTERNS = {
  /** `[bug] title` tags */
  tag: { source: String.raw`\[([^\]]+)\]`, ignoreCase: false },
  fileRef: { source: String.raw`(?:src/|tests/|scripts/|\.py|\.html|\.js|\.yaml|\.toml|\.sh)`, ignoreCase: true },
  funcRef: { source: String.raw`(?:def |class |function |method |` + '`' + `${WORD}+\\(\\)` + '`)', ignoreCase: true },
  acceptance: {
    source:
      String.raw`(?:should|must|expect|verify|assert|test[^\n]?case|acceptance|criteria` +
      String.raw`|pass(?:es|ing)|fail(?:s|ing)|return(?:s)?|raise(?:s)?)`,
    ignoreCase: true,
  },
  testRef: { source: String.raw`(?:tox|pytest|test_${WORD}+|\.test\.|assert\s)`, ignoreCase: true },
  section: { source: String.raw`##\s*(problem|solution|expected|actual|steps)`, ignoreCase: true },
  blocked: { source: `(?<!${WORD})block(?:ed|s|ing)(?!${WORD})`, ignoreCase: true },
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
  /**
   * No match of the text patterns (fileRef, funcRef, acceptance, testRef) reaches past a line
   * break, so searching `title + "\n"` and then the body finds what searching them joined finds,
   * without a copy of every issue's text. Known of the default patterns only.
   */
  readonly lineBound: boolean;
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

/** Searching patterns are Unicode-aware (`u`); `global` ones count or strip every match. */
const compile = (p: { source: string; ignoreCase: boolean }, global = false): RegExp =>
  new RegExp(p.source, `${p.ignoreCase ? 'i' : ''}u${global ? 'g' : ''}`);

export function compileProfile(settings: ScoringProfileSettings): ScoringProfile {
  const tagClasses = new Map<string, TagClass[]>();
  for (const [cls, tags] of Object.entries(settings.tags) as [TagClass, string[]][]) {
    for (const tag of tags) tagClasses.set(tag, [...(tagClasses.get(tag) ?? []), cls]);
  }
  const p = settings.patterns;
  const isDefault = (name: 'fileRef' | 'funcRef' | 'acceptance' | 'testRef'): boolean =>
    p[name].source === DEFAULT_PATTERNS[name].source && p[name].ignoreCase === DEFAULT_PATTERNS[name].ignoreCase;
  return {
    settings,
    threshold: settings.threshold,
    tagClasses,
    // Of the defaults, only testRef's `assert\s` matches a line break, and only as its last character.
    lineBound: isDefault('fileRef') && isDefault('funcRef') && isDefault('acceptance') && isDefault('testRef'),
    re: {
      tag: compile(p.tag, true),
      fileRef: compile(p.fileRef),
      funcRef: compile(p.funcRef),
      acceptance: compile(p.acceptance, true),
      testRef: compile(p.testRef),
      section: compile(p.section),
      blocked: compile(p.blocked),
    },
  };
}

export const DEFAULT_PROFILE: ScoringProfile = compileProfile(ScoringProfileSchema.parse({}));
