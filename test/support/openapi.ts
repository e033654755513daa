import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import type { HttpAnswer } from './http-events';

type Json = Record<string, unknown>;

export const OPENAPI_PATH = join(__dirname, '..', '..', 'openapi.yaml');
export const openapi = parse(readFileSync(OPENAPI_PATH, 'utf8')) as Json;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openapi, 'openapi');

/** Follows a local `$ref` (`#/components/...`) in the document. */
export function resolve(node: unknown): Json {
  let current = node as Json;
  while (typeof current.$ref === 'string') {
    current = (current.$ref as string)
      .slice(2)
      .split('/')
      .reduce<unknown>((n, key) => (n as Json)[key.replaceAll('~1', '/').replaceAll('~0', '~')], openapi) as Json;
  }
  return current;
}

/** JSON pointer (for ajv) of a `$ref` or a path inside the document. */
const pointer = (...keys: string[]) => `openapi#/${keys.map((k) => k.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/** The documented response for an answer: the operation's, or the 404/405 that apply to every path. */
function documentedResponse(path: string, method: string, status: number): { ref: string[]; spec: Json } | undefined {
  const paths = openapi.paths as Record<string, Json>;
  if (!paths[path])
    return status === 404 ? { ref: ['components', 'responses', 'NotFound'], spec: resolve({ $ref: '#/components/responses/NotFound' }) } : undefined;
  const operation = paths[path]?.[method.toLowerCase()] as Json | undefined;
  if (!operation)
    return status === 405
      ? { ref: ['components', 'responses', 'MethodNotAllowed'], spec: resolve({ $ref: '#/components/responses/MethodNotAllowed' }) }
      : undefined;
  const response = (operation.responses as Json)[String(status)] as Json | undefined;
  if (!response) return undefined;
  const ref = typeof response.$ref === 'string' ? response.$ref.slice(2).split('/') : ['paths', path, method.toLowerCase(), 'responses', String(status)];
  return { ref, spec: resolve(response) };
}

/** Everything about `answer` that openapi.yaml contradicts (empty: it conforms). */
export function nonConformance(path: string, method: string, answer: HttpAnswer): string[] {
  const documented = documentedResponse(path, method, answer.status);
  if (!documented) return [`${method} ${path}: status ${answer.status} is not documented`];
  const problems: string[] = [];
  const contentType = answer.headers['Content-Type'] ?? '';
  const content = documented.spec.content as Json;
  if (!(contentType in content)) problems.push(`content type ${contentType} not in ${Object.keys(content).join(', ')}`);
  else {
    const validate = ajv.getSchema(pointer(...documented.ref, 'content', contentType, 'schema'));
    if (!validate) problems.push('no schema');
    else if (!validate(answer.json)) problems.push(...(validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
  }
  for (const [name, header] of Object.entries((documented.spec.headers ?? {}) as Json)) {
    const spec = resolve(header);
    const value = answer.headers[name];
    if (value === undefined) {
      if (spec.required) problems.push(`header ${name} missing`);
      continue;
    }
    const schema = resolve(spec.schema) as Json;
    const validate = ajv.compile({ ...schema });
    if (!validate(value)) problems.push(`header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}
