import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CHECK_PARTS } from '../../functions/check-code';
import { lambdaHandler, type Route } from '../../functions/http/api';
import type { RuntimeParts, ServiceRuntime } from '../../functions/runtime';
import { SEND_PARTS } from '../../functions/send-code';
import { proxyEvent } from '../../local/proxy-event';
import { TEST_TOKEN_SIGNING_KEY } from './token-keys';

/** API Gateway events in, parsed answers out: the handlers as a test drives them, with no DynamoDB of their own. */

/** Both routes' parts in one runtime: tests drive sends and checks through it. */
export const ALL_PARTS: RuntimeParts = { ...SEND_PARTS, ...CHECK_PARTS };

export const TEST_SECRETS = {
  TOKEN_SIGNING_KEY: TEST_TOKEN_SIGNING_KEY,
  CODE_HASH_SECRET: 'test-code-hash-secret-0123456789abcdef',
};

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly json: Record<string, unknown>;
}

/** A Lambda handler for `route` bound to `runtime`, answering parsed responses. */
export function handlerFor(route: Route | readonly Route[], runtime: ServiceRuntime): (event: APIGatewayProxyEvent) => Promise<HttpAnswer> {
  const handler = lambdaHandler(route, async () => runtime);
  return async (event) => parseResult(await handler(event));
}

export function parseResult(result: APIGatewayProxyResult): HttpAnswer {
  const json = result.body === '' ? {} : (JSON.parse(result.body) as Record<string, unknown>);
  return { status: result.statusCode, headers: result.headers as Record<string, string>, json };
}

/** An API Gateway REST proxy event, as the stack's routes deliver it (`local/proxy-event.ts`). */
export function apiEvent(options: {
  path: string;
  method?: string;
  body?: string | null;
  headers?: Record<string, string>;
  base64?: boolean;
  multiValueHeaders?: Record<string, string[]>;
  /** The caller's address, as API Gateway sets `requestContext.identity.sourceIp`. */
  sourceIp?: string;
}): APIGatewayProxyEvent {
  const headers = options.multiValueHeaders ?? Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, [v]]));
  const body = options.body ? Buffer.from(options.body, options.base64 ? 'base64' : 'utf8') : undefined;
  return proxyEvent({ method: options.method ?? 'POST', path: options.path, headers, body, sourceIp: options.sourceIp });
}

export function postEvent(path: string, body: unknown, headers: Record<string, string> = {}, sourceIp?: string): APIGatewayProxyEvent {
  return apiEvent({
    path,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(sourceIp && { sourceIp }),
  });
}
