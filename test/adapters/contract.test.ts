import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ENDPOINTS } from '../../src/adapters/gitea/endpoints.js';

type Json = Record<string, unknown>;

interface Spec {
  readonly paths: Record<string, Record<string, Json>>;
  readonly definitions: Record<string, Json>;
  readonly responses: Record<string, Json>;
}

// Vendored copies (see test/fixtures/specs/README.md for their provenance).
const load = (file: string): Spec =>
  JSON.parse(readFileSync(new URL(`../fixtures/specs/${file}`, import.meta.url), 'utf8')) as Spec;

const SPECS = { gitea: load('gitea-openapi.json'), forgejo: load('forgejo-openapi.json') } as const;
type SpecName = keyof typeof SPECS;

const endpoints = Object.entries(ENDPOINTS);

function resolve(spec: Spec, node: Json | undefined): Json | undefined {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 10; hops++) {
    const [, section, name] = /^#\/(definitions|responses)\/(.+)$/.exec(current.$ref) ?? [];
    current = section === 'responses' ? spec.responses[name ?? '']?.schema as Json : spec.definitions[name ?? ''];
  }
  return current;
}

function operation(spec: Spec, name: SpecName, e: (typeof ENDPOINTS)[keyof typeof ENDPOINTS]) {
  const template = (name === 'forgejo' ? e.specPaths?.forgejo : undefined) ?? e.path;
  const op = spec.paths[template]?.[e.method.toLowerCase()] as Json | undefined;
  const parameters = [
    ...((spec.paths[template]?.parameters as Json[] | undefined) ?? []),
    ...((op?.parameters as Json[] | undefined) ?? []),
  ];
  return { template, op, parameters };
}

/** Our JSON-schema types, with nullability dropped (`nullish` is our leniency, not the server's). */
function ourTypes(node: Json): string[] {
  if (Array.isArray(node.anyOf)) return (node.anyOf as Json[]).flatMap(ourTypes);
  const t = node.type;
  const list = Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
  return list.filter((x) => x !== 'null');
}

function ourShape(node: Json): Json {
  if (Array.isArray(node.anyOf)) return (node.anyOf as Json[]).find((n) => n.type !== 'null') ?? node;
  return node;
}

const compatible = (ours: string, theirs: string): boolean =>
  ours === theirs || (ours === 'number' && theirs === 'integer') || (ours === 'integer' && theirs === 'number');

/**
 * Every property our schema names must exist in the spec's, with a compatible type, at every
 * depth. Returns the mismatches as "path: problem".
 */
function compare(spec: Spec, ours: Json, theirsRaw: Json | undefined, path: string, response: boolean): string[] {
  const theirs = resolve(spec, theirsRaw);
  if (!theirs) return [`${path}: not described by the spec`];
  const node = ourShape(ours);
  const types = ourTypes(node);
  const problems: string[] = [];
  const theirType = typeof theirs.type === 'string' ? theirs.type : undefined;
  if (types.length > 0 && theirType && !types.some((t) => compatible(t, theirType))) {
    problems.push(`${path}: we use ${types.join('|')}, the spec says ${theirType}`);
  }
  if (response && Array.isArray(theirs.enum) && Array.isArray(node.enum)) {
    const missing = (theirs.enum as unknown[]).filter((v) => !(node.enum as unknown[]).includes(v));
    if (missing.length > 0) problems.push(`${path}: the spec may send ${missing.join(', ')}, which we reject`);
  }
  if (!response && Array.isArray(theirs.enum) && Array.isArray(node.enum)) {
    const extra = (node.enum as unknown[]).filter((v) => !(theirs.enum as unknown[]).includes(v));
    if (extra.length > 0) problems.push(`${path}: we may send ${extra.join(', ')}, not in the spec`);
  }
  if (node.items && typeof node.items === 'object') {
    const theirItems = theirs.items as Json | undefined;
    // `IssueLabelsOption.labels` is `[any]`: an untyped item accepts what we send.
    if (theirItems && Object.keys(theirItems).length > 0) {
      problems.push(...compare(spec, node.items as Json, theirItems, `${path}[]`, response));
    }
  }
  const props = node.properties as Record<string, Json> | undefined;
  if (props) {
    const theirProps = (theirs.properties ?? {}) as Record<string, Json>;
    for (const [key, child] of Object.entries(props)) {
      if (!(key in theirProps)) problems.push(`${path}.${key}: not in the spec`);
      else problems.push(...compare(spec, child, theirProps[key], `${path}.${key}`, response));
    }
  }
  return problems;
}

const jsonSchema = (schema: z.ZodType): Json =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;

describe.each(Object.keys(SPECS) as SpecName[])('every request the Gitea adapter sends exists in the %s spec', (name) => {
  const spec = SPECS[name];

  it.each(endpoints)('%s: method and path', (_, e) => {
    const { template, op } = operation(spec, name, e);
    expect(op, `${e.method} ${template}`).toBeDefined();
    // A spelled-differently template must still be the same URL once its parameters are filled.
    expect(template.replace(/\{\w+\}/g, '{}')).toBe(e.path.replace(/\{\w+\}/g, '{}'));
  });

  it.each(endpoints)('%s: query parameters', (_, e) => {
    const { parameters } = operation(spec, name, e);
    const accepted = parameters.filter((p) => p.in === 'query').map((p) => p.name);
    expect(accepted).toEqual(expect.arrayContaining([...e.query]));
  });

  it.each(endpoints)('%s: request body', (_, e) => {
    const { parameters } = operation(spec, name, e);
    const bodyParam = parameters.find((p) => p.in === 'body');
    if (e.body === undefined) {
      // We send no body, so the spec must not require one.
      expect(bodyParam?.required ?? false).toBe(false);
      return;
    }
    expect(bodyParam, 'the spec takes a body').toBeDefined();
    const ours = jsonSchema(e.body);
    expect(compare(spec, ours, bodyParam?.schema as Json, '(body)', false)).toEqual([]);
    const definition = resolve(spec, bodyParam?.schema as Json);
    const required = (definition?.required as string[] | undefined) ?? [];
    expect(ours.required ?? []).toEqual(expect.arrayContaining(required));
  });

  it.each(endpoints)('%s: every response field we read', (_, e) => {
    const { op } = operation(spec, name, e);
    const responses = (op?.responses ?? {}) as Record<string, Json>;
    const success = Object.entries(responses).filter(([code]) => code.startsWith('2'));
    expect(success.length).toBeGreaterThan(0);
    const withBody = success.map(([, r]) => (r.$ref ? resolve(spec, r) : r.schema) as Json | undefined).find(Boolean);
    const ours = jsonSchema(e.response);
    if (!ours.type && !ours.properties && !ours.anyOf) return; // we read nothing (204)
    expect(compare(spec, ours, withBody, '(response)', true)).toEqual([]);
  });
});

describe('the adapter sends only what the endpoint table lists', () => {
  it('the tracker names no API path of its own', () => {
    const source = readFileSync(new URL('../../src/adapters/gitea/tracker.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/['"`]\/(repos|user|settings|orgs|admin)\b/);
  });

  it('the comparison catches a field the spec does not have', () => {
    const bogus = jsonSchema(z.strictObject({ body: z.string(), labels: z.array(z.string()) }));
    const problems = compare(SPECS.gitea, bogus, { $ref: '#/definitions/CreateIssueCommentOption' }, '(body)', false);
    expect(problems).toEqual(['(body).labels: not in the spec']);
  });

  it('the comparison catches a field of the wrong type', () => {
    const bogus = jsonSchema(z.strictObject({ title: z.string(), labels: z.array(z.string()) }));
    const problems = compare(SPECS.gitea, bogus, { $ref: '#/definitions/CreateIssueOption' }, '(body)', false);
    expect(problems).toEqual(['(body).labels[]: we use string, the spec says integer']);
  });
});
