import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ROUTE_PATHS } from '../functions/http/api';

export interface ProxyRequest {
  readonly method: string;
  readonly path: string;
  /** Every value of every header, as API Gateway's `multiValueHeaders`. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body?: Buffer | undefined;
  readonly query?: Readonly<Record<string, string>> | undefined;
  readonly requestId?: string | undefined;
  /** The address the connection came from (API Gateway's `requestContext.identity.sourceIp`). */
  readonly sourceIp?: string | undefined;
}

/**
 * The API Gateway REST proxy event the stack's routes deliver for `request`: `resource` is the
 * matched route, or `/{proxy+}` for any other path; the body comes base64-encoded, as the API's
 * binary media type makes it. The local server and the tests both build events here.
 */
export function proxyEvent(request: ProxyRequest): APIGatewayProxyEvent {
  const resource = matchedResource(request.path);
  const multiValueHeaders = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, [...v]]));
  const body = request.body && request.body.length > 0 ? request.body : undefined;
  return {
    httpMethod: request.method,
    path: request.path,
    resource,
    headers: Object.fromEntries(Object.entries(multiValueHeaders).map(([k, v]) => [k, v.at(-1)])),
    multiValueHeaders,
    queryStringParameters: request.query ? { ...request.query } : null,
    multiValueQueryStringParameters: null,
    pathParameters: resource === '/{proxy+}' ? { proxy: request.path.slice(1) } : null,
    stageVariables: null,
    body: body ? body.toString('base64') : null,
    isBase64Encoded: body !== undefined,
    requestContext: {
      requestId: request.requestId ?? randomUUID(),
      stage: 'local',
      httpMethod: request.method,
      path: request.path,
      resourcePath: resource,
      // API Gateway names an IPv4 caller in dotted form; Node's dual-stack sockets say ::ffff:127.0.0.1.
      ...(request.sourceIp && { identity: { sourceIp: request.sourceIp.replace(/^::ffff:(?=[0-9.]+$)/, '') } }),
    } as APIGatewayProxyEvent['requestContext'],
  };
}

/**
 * The resource API Gateway matches: it forgives a trailing slash and decodes percent-escapes, so
 * `/v1/verifications/` and `/v1/%76erifications` reach the send route's function with the
 * spelling in `path`. The functions compare `path` itself (docs/api.md: exact routes).
 */
export function matchedResource(path: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return '/{proxy+}';
  }
  const trimmed = decoded.length > 1 ? decoded.replace(/\/$/, '') : decoded;
  return (ROUTE_PATHS as readonly string[]).includes(trimmed) ? trimmed : '/{proxy+}';
}
