import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PROBLEM_HTTP } from '../functions/http/problem';
import { PROBLEM_CODES, type ProblemCode } from '../functions/http/problem-codes';
import { OPENAPI_PATH, openapi, resolve } from './support/openapi';

const ROOT = join(__dirname, '..');
const lintFile = (file: string) =>
  JSON.parse(
    execFileSync(process.execPath, [join(__dirname, 'support', 'lint-openapi.mjs'), file, join(ROOT, 'redocly.yaml')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 25_000,
    }),
  ) as Array<{ rule: string }>;

describe('openapi.yaml', () => {
  it('passes the Redocly linter (recommended-strict)', () => {
    expect(lintFile(OPENAPI_PATH)).toEqual([]);
  }, 30_000);

  it('is really linted: a copy with a dangling $ref and no operationId is refused', () => {
    const broken = structuredClone(openapi) as { paths: Record<string, { post: Record<string, unknown> }> };
    const post = broken.paths['/v1/verifications']?.post ?? {};
    post.requestBody = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } } };
    delete post.operationId;
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'broken.yaml');
    writeFileSync(file, stringify(broken));
    expect(lintFile(file).map((p) => p.rule)).toEqual(expect.arrayContaining(['no-unresolved-refs', 'operation-operationId']));
  }, 30_000);

  it('lists exactly the problem codes the code can emit', () => {
    expect([...(resolve({ $ref: '#/components/schemas/ProblemCode' }).enum as string[])].sort()).toEqual([...PROBLEM_CODES].sort());
  });

  it('documents every code under a response with the status the code maps it to', () => {
    const documented = new Map<string, Set<number>>();
    for (const response of Object.values(openapi.components as { responses: Record<string, unknown> }).flatMap((c) =>
      Object.values(c as object),
    ) as unknown[]) {
      const schema = (
        resolve(response).content as
          Record<string, { schema: { allOf?: Array<{ properties?: { status?: { const: number }; code?: { const?: string; enum?: string[] } } }> } }> | undefined
      )?.['application/problem+json']?.schema;
      const narrowed = schema?.allOf?.[1]?.properties;
      if (!narrowed?.code || !narrowed.status) continue;
      for (const code of narrowed.code.enum ?? [narrowed.code.const ?? ''])
        documented.set(code, new Set([...(documented.get(code) ?? []), narrowed.status.const]));
    }
    for (const code of PROBLEM_CODES) {
      expect({ code, statuses: [...(documented.get(code) ?? [])] }).toEqual({ code, statuses: [PROBLEM_HTTP[code as ProblemCode].status] });
    }
  });

  it('documents the headers clients rely on', () => {
    const text = JSON.stringify(openapi);
    for (const header of ['Retry-After', 'X-Request-Id', 'Idempotency-Key', 'Idempotent-Replayed', 'Allow']) expect(text).toContain(header);
  });
});
