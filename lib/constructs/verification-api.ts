import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  Cors,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  AccessLogField,
  MethodLoggingLevel,
  MockIntegration,
  PassthroughBehavior,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiDomain } from './api-domain';
import { ApiFirewall } from './api-firewall';
import { demoPageHtml } from '../artifacts';
import { ALLOWED_REQUEST_HEADERS, EXPOSED_HEADERS } from '../../functions/http/cors';
import { problemText } from '../../functions/http/messages';
import { PROBLEM_HTTP, problemType } from '../../functions/http/problem';
import type { ProblemCode } from '../../functions/http/problem-codes';
import type { StageSettings } from '../config';

export interface VerificationApiProps {
  readonly settings: StageSettings;
  readonly sendCode: IFunction;
  readonly checkCode: IFunction;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The REST API: `POST /v1/verifications`, `POST /v1/verifications/check` and
 * `GET /.well-known/jwks.json`. Every method of
 * a known path reaches its function (which answers 405); every other path is answered by API
 * Gateway itself with the spec's 404 problem, so scanners never spend a function's time. Stage
 * throttling, JSON access logs without bodies, CORS preflight, WAF, and optionally a custom domain.
 */
export class VerificationApi extends Construct {
  readonly api: RestApi;
  /** The stage's WAF, when `waf.enabled`. */
  readonly firewall?: ApiFirewall;
  readonly domain?: ApiDomain;

  constructor(scope: Construct, id: string, props: VerificationApiProps) {
    super(scope, id);
    const { settings: config } = props;
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: config.logRetention, removalPolicy: props.removalPolicy });
    const anyOrigin = config.corsAllowedOrigins.includes('*');
    this.api = new RestApi(this, 'Api', {
      restApiName: `phone-verify-${config.stage}`,
      description: `phone-verify (${config.stage}): send and check one-time SMS codes`,
      endpointTypes: [EndpointType.REGIONAL],
      // With a custom domain the default endpoint may be closed (docs/deploy.md, "Settings per stage").
      disableExecuteApiEndpoint: config.customDomain?.disableExecuteApiEndpoint ?? false,
      // JSON bodies arrive base64-encoded, so the function sees the exact bytes (UTF-8 and size checks).
      binaryMediaTypes: ['application/json'],
      // The CloudWatch role is account-wide: lib/api-gateway-account-stack.ts, never a stage's.
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.stage,
        throttlingRateLimit: config.throttle.rateLimit,
        throttlingBurstLimit: config.throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        // Never the request body (it holds one-time codes); the path as sent, the WAF verdict and
        // the user agent, so an attack can be read from the logs.
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
            requestTime: AccessLogField.contextRequestTime(),
            httpMethod: AccessLogField.contextHttpMethod(),
            path: AccessLogField.contextPath(),
            resourcePath: AccessLogField.contextResourcePath(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            latencyMs: AccessLogField.contextResponseLatency(),
            wafResponseCode: AccessLogField.contextWafResponseCode(),
            errorMessage: AccessLogField.contextErrorMessage(),
          }),
        ),
        // Execution logs would need a log group API Gateway creates without a retention; the
        // access log above and the functions' own logs say what an operator needs.
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        tracingEnabled: config.tracing,
        // Per-method metrics are billed as custom metrics, and nothing here reads them.
        metricsEnabled: config.apiDetailedMetrics ?? false,
      },
      ...(config.corsAllowedOrigins.length > 0 && {
        defaultCorsPreflightOptions: {
          allowOrigins: anyOrigin ? Cors.ALL_ORIGINS : [...config.corsAllowedOrigins],
          allowMethods: ['OPTIONS', 'POST'],
          allowHeaders: [...ALLOWED_REQUEST_HEADERS],
          exposeHeaders: [...EXPOSED_HEADERS],
          statusCode: 204,
          maxAge: Duration.minutes(10),
        },
      }),
    });

    const send = new LambdaIntegration(props.sendCode);
    const check = new LambdaIntegration(props.checkCode);
    // ANY, not POST: a wrong method must reach the function to get the spec's 405 problem. No
    // other path has a method: API Gateway answers it (MISSING_AUTHENTICATION_TOKEN, below) with 404.
    const verifications = this.api.root.addResource('v1').addResource('verifications');
    verifications.addMethod('ANY', send);
    verifications.addResource('check').addMethod('ANY', check);
    // The key set, from the function that holds the keys; any origin may read it (public keys).
    this.api.root.addResource('.well-known').addResource('jwks.json').addMethod('ANY', check);

    if (config.demoPage) this.addDemoPage(config.challenge);
    this.addProblemResponses(config.corsAllowedOrigins);
    if (config.waf.enabled)
      this.firewall = new ApiFirewall(this, 'Firewall', {
        api: this.api,
        name: `phone-verify-${config.stage}`,
        sendRequestsPer5MinPerIp: config.waf.sendRequestsPer5MinPerIp,
        requestsPer5MinPerIp: config.waf.requestsPer5MinPerIp,
        clientIpHeader: config.waf.clientIpHeader,
        anonymousIpList: config.waf.anonymousIpList ?? !config.waf.clientIpHeader,
        rateLimitedBody: JSON.stringify(gatewayProblem('too_many_requests', 'the firewall')),
        forbiddenBody: JSON.stringify(gatewayProblem('forbidden', 'the firewall')),
        logRetention: config.waf.logging ? config.logRetention : undefined,
        removalPolicy: props.removalPolicy,
      });
    if (config.customDomain) this.domain = new ApiDomain(this, 'Domain', { api: this.api, domain: config.customDomain });
    // RestApi prints its execute-api URL as a stack output; a closed endpoint's URL answers nothing.
    if (config.customDomain?.disableExecuteApiEndpoint) this.api.node.tryRemoveChild('Endpoint');
  }

  /** `GET /` answers the demo page straight from API Gateway (a mock integration: no function, no bucket). */
  private addDemoPage(challenge: StageSettings['challenge']): void {
    // The page renders the stage's widget, where it has a challenge (docs/challenge.md).
    const html = demoPageHtml(challenge && { provider: challenge.provider, siteKey: challenge.siteKey, action: challenge.action });
    this.api.root.addMethod(
      'GET',
      new MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        passthroughBehavior: PassthroughBehavior.NEVER,
        integrationResponses: [
          {
            statusCode: '200',
            responseParameters: { 'method.response.header.Content-Type': "'text/html; charset=utf-8'" },
            // #[[ ... ]]# keeps Velocity (the template language) from reading the page's # and $.
            responseTemplates: { 'text/html': `#[[${html}]]#` },
          },
        ],
      }),
      { methodResponses: [{ statusCode: '200', responseParameters: { 'method.response.header.Content-Type': true } }] },
    );
  }

  /**
   * What API Gateway answers by itself (throttled, WAF-blocked, too large, broken) is problem+json
   * too, and a browser at a listed origin can read it: these answers carry no data and cannot see
   * the allowlist, so they echo the request's Origin (docs/api.md, "Browsers (CORS)").
   */
  private addProblemResponses(origins: readonly string[]): void {
    const answers: Array<[ResponseType, ProblemCode, number | undefined]> = [
      // A path with no method: what API Gateway calls a missing token is an unknown path here.
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, 'not_found', undefined],
      // 429, not 503: the client is told to slow down, and the 5xx alarm does not fire for it.
      [ResponseType.THROTTLED, 'too_many_requests', 1],
      // A WAF block without a custom response of its own (api-firewall.ts answers the rules it knows itself).
      [ResponseType.WAF_FILTERED, 'forbidden', undefined],
      [ResponseType.REQUEST_TOO_LARGE, 'payload_too_large', undefined],
      [ResponseType.INTEGRATION_TIMEOUT, 'service_unavailable', 1],
      [ResponseType.DEFAULT_4XX, 'invalid_request', undefined],
      [ResponseType.DEFAULT_5XX, 'internal_error', undefined],
    ];
    const cors =
      origins.length === 0
        ? {}
        : {
            'Access-Control-Allow-Origin': origins.includes('*') ? "'*'" : 'method.request.header.Origin',
            'Access-Control-Expose-Headers': `'${EXPOSED_HEADERS.join(', ')}'`,
            ...(!origins.includes('*') && { Vary: "'Origin'" }),
          };
    for (const [type, code, retryAfter] of answers) {
      // API Gateway adds its request id as x-amzn-RequestId; the body names it too. Gateway
      // responses cannot negotiate a language: they speak English (Content-Language says so).
      this.api.addGatewayResponse(`Problem${type.responseType}`, {
        type,
        statusCode: String(PROBLEM_HTTP[code].status),
        responseHeaders: {
          'Content-Type': "'application/problem+json'",
          'Content-Language': "'en'",
          ...(retryAfter !== undefined && { 'Retry-After': `'${retryAfter}'` }),
          ...cors,
        },
        templates: { 'application/json': JSON.stringify(gatewayProblem(code, 'API gateway')) },
      });
    }
  }
}

/**
 * A problem document answered without the functions. API Gateway fills in its request id; a WAF
 * custom response is sent as it is (no variables), so it names only who answered.
 */
function gatewayProblem(code: ProblemCode, by: 'API gateway' | 'the firewall') {
  const { title, detail } = problemText('en', code, {});
  const who = by === 'API gateway' ? 'API gateway, request $context.requestId' : by;
  return { type: problemType(code), title, status: PROBLEM_HTTP[code].status, detail: `${detail} (${who})`, code };
}
