import { Match } from 'aws-cdk-lib/assertions';
import { removeSynthOutput, synthStage } from '../support/cdk';

/** The synthesised stage stacks, the API: routes, throttling, access logs, the firewall, the gateway’s own answers (template assertions: what matters, not a snapshot). */
afterAll(removeSynthOutput);

describe.each(['dev', 'prod'])('the %s stack', (stage) => {
  const { template } = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'] } : {});
  const t = template();

  it('logs the path as sent, the WAF verdict and the user agent in the access log, never a body', () => {
    const stages = Object.values(t.findResources('AWS::ApiGateway::Stage')) as Array<{ Properties: { AccessLogSetting: { Format: string } } }>;
    const format = stages[0]?.Properties.AccessLogSetting.Format ?? '';
    for (const field of ['$context.path', '$context.wafResponseCode', '$context.identity.userAgent', '$context.requestId', '$context.status'])
      expect(format).toContain(field);
    expect(format).not.toMatch(/requestBody|\$input/);
  });

  it('leaves the account-wide API Gateway logging role to its own stack', () => {
    t.resourceCountIs('AWS::ApiGateway::Account', 0);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', Match.objectLike({ Name: `phone-verify-${stage}` }));
    expect(JSON.stringify(t.toJSON())).not.toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });

  it('throttles the stage and never logs request bodies', () => {
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: stage,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue(), DataTraceEnabled: false })],
      AccessLogSetting: Match.objectLike({ Format: Match.not(Match.stringLikeRegexp('requestBody|\\$input')) }),
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/"DataTraceEnabled":\s*true/);
  });

  it('routes every method of the three paths to their functions (405 as problem+json); no other path invokes anything', () => {
    const paths = Object.values(t.findResources('AWS::ApiGateway::Resource')).map((r) => (r as { Properties: { PathPart: string } }).Properties.PathPart);
    expect(paths.sort()).toEqual(['.well-known', 'check', 'jwks.json', 'v1', 'verifications']);
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')) as Array<{
      Properties: { HttpMethod: string; ResourceId: unknown; Integration?: { Type: string } };
    }>;
    const invoking = methods.filter((m) => m.Properties.Integration?.Type === 'AWS_PROXY');
    expect(invoking.map((m) => m.Properties.HttpMethod)).toEqual(['ANY', 'ANY', 'ANY']);
    expect(invoking.map((m) => JSON.stringify(m.Properties.ResourceId))).toEqual([
      expect.stringContaining('verifications'),
      expect.stringContaining('check'),
      expect.stringContaining('jwksjson'),
    ]);
    // The key set goes to the check function, which holds the keys.
    const targets = invoking.map((m) => JSON.stringify(m.Properties.Integration));
    expect(targets[2]).toBe(targets[1]);
    // Unknown paths (/, /v1, /anything): API Gateway's own 404 problem.
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"not_found".*\\$context.requestId|\\$context.requestId.*"code":"not_found"') },
    });
  });

  it(
    stage === 'prod'
      ? 'has a WAF: a per-IP rate rule that sees every spelling of the send route, a looser one on every route, and the AWS IP lists, each block readable from any origin'
      : 'has no WAF unless asked',
    () => {
      if (stage === 'prod') {
        const transformations = [
          { Priority: 0, Type: 'URL_DECODE' },
          { Priority: 1, Type: 'NORMALIZE_PATH' },
          { Priority: 2, Type: 'LOWERCASE' },
        ];
        const endsWith = (SearchString: string) => ({
          ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'ENDS_WITH', SearchString, TextTransformations: transformations },
        });
        // WAF answers its blocks itself, the problem document as application/json, readable from any origin (it holds no data).
        const rateLimited = {
          Block: {
            CustomResponse: {
              ResponseCode: 429,
              CustomResponseBodyKey: 'too-many-requests',
              ResponseHeaders: [
                { Name: 'Retry-After', Value: '60' },
                { Name: 'Access-Control-Allow-Origin', Value: '*' },
                { Name: 'Access-Control-Expose-Headers', Value: 'Retry-After' },
              ],
            },
          },
        };
        const forbidden = (rules: string[]) =>
          rules.map((Name) => ({
            Name,
            ActionToUse: {
              Block: {
                CustomResponse: {
                  ResponseCode: 403,
                  CustomResponseBodyKey: 'forbidden',
                  ResponseHeaders: [{ Name: 'Access-Control-Allow-Origin', Value: '*' }],
                },
              },
            },
          }));
        t.hasResourceProperties('AWS::WAFv2::WebACL', {
          Scope: 'REGIONAL',
          Rules: [
            Match.objectLike({
              Name: 'send-rate-per-ip',
              Action: rateLimited,
              Statement: {
                RateBasedStatement: {
                  AggregateKeyType: 'IP',
                  Limit: 100,
                  ScopeDownStatement: { OrStatement: { Statements: [endsWith('/v1/verifications'), endsWith('/v1/verifications/')] } },
                },
              },
            }),
            // Every route, looser: the check and the key set invoke a function and share the stage throttle too.
            Match.objectLike({ Name: 'rate-per-ip', Action: rateLimited, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 1000 } } }),
            Match.objectLike({
              Statement: {
                ManagedRuleGroupStatement: {
                  VendorName: 'AWS',
                  Name: 'AWSManagedRulesAmazonIpReputationList',
                  RuleActionOverrides: forbidden(['AWSManagedIPReputationList', 'AWSManagedReconnaissanceList']),
                },
              },
            }),
            Match.objectLike({
              Statement: {
                ManagedRuleGroupStatement: {
                  VendorName: 'AWS',
                  Name: 'AWSManagedRulesAnonymousIpList',
                  RuleActionOverrides: forbidden(['AnonymousIPList', 'HostingProviderIPList']),
                },
              },
            }),
          ],
        });
        const bodies = (
          Object.values(t.findResources('AWS::WAFv2::WebACL'))[0] as {
            Properties: { CustomResponseBodies: Record<string, { ContentType: string; Content: string }> };
          }
        ).Properties.CustomResponseBodies;
        expect(bodies['too-many-requests']?.ContentType).toBe('APPLICATION_JSON');
        expect(JSON.parse(bodies['too-many-requests']?.Content ?? '{}')).toMatchObject({
          status: 429,
          code: 'too_many_requests',
          type: 'urn:phone-verify:problem:too-many-requests',
        });
        expect(bodies.forbidden?.ContentType).toBe('APPLICATION_JSON');
        expect(JSON.parse(bodies.forbidden?.Content ?? '{}')).toMatchObject({ status: 403, code: 'forbidden', type: 'urn:phone-verify:problem:forbidden' });
        t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
      } else {
        t.resourceCountIs('AWS::WAFv2::WebACL', 0);
      }
    },
  );

  it('has no custom domain unless configured', () => {
    t.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('answers the gateway’s own throttle with 429 and Retry-After, a WAF list block with 403 forbidden (problem+json, not a 5xx)', () => {
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      StatusCode: '429',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.Retry-After': "'1'",
      }),
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"too_many_requests"') },
    });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'WAF_FILTERED',
      StatusCode: '403',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Content-Type': "'application/problem+json'" }),
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"forbidden"') },
    });
    const waf = JSON.stringify(t.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: 'WAF_FILTERED' } }));
    expect(waf).not.toContain('gatewayresponse.header.Retry-After'); // a listed address: not worth a retry
  });

  it(
    stage === 'prod'
      ? 'lets a browser at a listed origin read every gateway error: the request’s Origin echoed, Vary: Origin, the headers exposed'
      : 'lets any browser read every gateway error (CORS *)',
    () => {
      const responses = Object.values(t.findResources('AWS::ApiGateway::GatewayResponse')) as Array<{
        Properties: { ResponseParameters: Record<string, string> };
      }>;
      expect(responses.length).toBeGreaterThanOrEqual(7);
      for (const r of responses) {
        expect(r.Properties.ResponseParameters).toMatchObject({
          'gatewayresponse.header.Access-Control-Allow-Origin': stage === 'prod' ? 'method.request.header.Origin' : "'*'",
          'gatewayresponse.header.Access-Control-Expose-Headers': "'Retry-After, X-Request-Id, Idempotent-Replayed'",
        });
        if (stage === 'prod') expect(r.Properties.ResponseParameters['gatewayresponse.header.Vary']).toBe("'Origin'");
      }
    },
  );

  it('outputs the API URL, the JWKS URL, the signing key, table, secret names and dashboard URL', () => {
    for (const name of ['ApiUrl', 'JwksUrl', 'TokenSigningKeyArn', 'TableName', 'SensSecretName', 'DashboardUrl', 'EventBusName', 'EventsDeadLetterQueueUrl'])
      t.hasOutput(name, {});
  });
});
