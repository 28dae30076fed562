import { readFileSync } from 'node:fs';

/**
 * A small Swagger 2.0 schema checker, enough to hold the sandbox to Gitea's spec: `$ref` into
 * `definitions`, `type` (object, array, string, integer, number, boolean), `properties`,
 * `required`, `items`, `enum`, `additionalProperties`, and `format: date-time`. Like Gitea, a
 * property that is not required may be null.
 */

export interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly additionalProperties?: Schema | boolean;
}

export interface SwaggerSpec {
  readonly definitions: Readonly<Record<string, Schema>>;
  readonly responses: Readonly<Record<string, { readonly schema?: Schema }>>;
  readonly paths: Readonly<Record<string, Readonly<Record<string, { readonly responses: Readonly<Record<string, { readonly $ref?: string; readonly schema?: Schema }>> }>>>>;
}

/** Gitea's spec, vendored in test/fixtures/specs (see its README for provenance). */
export function loadGiteaSpec(): SwaggerSpec {
  return JSON.parse(readFileSync(new URL('../fixtures/specs/gitea-openapi.json', import.meta.url), 'utf8')) as SwaggerSpec;
}

/** The schema of one documented response, or undefined when it has no body (204, notFound). */
export function responseSchema(spec: SwaggerSpec, path: string, method: string, status: number): Schema | undefined {
  const op = spec.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`the spec has no ${method.toUpperCase()} ${path}`);
  const response = op.responses[String(status)];
  if (!response) throw new Error(`the spec documents no ${status} for ${method.toUpperCase()} ${path}`);
  if (response.schema) return response.schema;
  if (!response.$ref) return undefined;
  const name = response.$ref.replace('#/responses/', '');
  const shared = spec.responses[name];
  if (!shared) throw new Error(`unresolved response ${response.$ref}`);
  return shared.schema;
}

function resolve(spec: SwaggerSpec, schema: Schema): Schema {
  let s = schema;
  for (let depth = 0; s.$ref !== undefined; depth++) {
    if (depth > 20) throw new Error(`$ref loop at ${schema.$ref}`);
    const name = s.$ref.replace('#/definitions/', '');
    const target = spec.definitions[name];
    if (!target) throw new Error(`unresolved ${s.$ref}`);
    s = target;
  }
  return s;
}

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

export interface ValidateOptions {
  /** also report object fields the schema does not name (catches misspelt fields) */
  readonly strict?: boolean;
}

/** Every place where `value` does not fit `schema`, as "path: problem" lines; [] when it fits. */
export function validate(spec: SwaggerSpec, schema: Schema, value: unknown, options: ValidateOptions = {}, at = '$'): string[] {
  const s = resolve(spec, schema);
  const type = s.type ?? (s.properties ? 'object' : undefined);
  const problems: string[] = [];
  switch (type) {
    case undefined:
      return [];
    case 'object': {
      if (kindOf(value) !== 'object') return [`${at}: expected object, got ${kindOf(value)}`];
      const obj = value as Record<string, unknown>;
      for (const name of s.required ?? []) {
        if (obj[name] === undefined || obj[name] === null) problems.push(`${at}.${name}: required`);
      }
      for (const [name, v] of Object.entries(obj)) {
        const prop = s.properties?.[name] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
        if (!prop && options.strict && s.properties) problems.push(`${at}.${name}: not in the schema`);
        if (!prop || v === null || v === undefined) continue;
        problems.push(...validate(spec, prop, v, options, `${at}.${name}`));
      }
      return problems;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected array, got ${kindOf(value)}`];
      return s.items ? value.flatMap((item, i) => validate(spec, s.items as Schema, item, options, `${at}[${i}]`)) : [];
    case 'string':
      if (typeof value !== 'string') return [`${at}: expected string, got ${kindOf(value)}`];
      if (s.enum && !s.enum.includes(value)) problems.push(`${at}: "${value}" is not one of ${s.enum.join(', ')}`);
      if (s.format === 'date-time' && Number.isNaN(Date.parse(value))) problems.push(`${at}: "${value}" is not a date-time`);
      return problems;
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: expected integer, got ${kindOf(value)}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: expected number, got ${kindOf(value)}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected boolean, got ${kindOf(value)}`];
    default:
      return [`${at}: the checker does not know type "${type}"`];
  }
}
