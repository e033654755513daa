import { ArnFormat, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** The send route as WAF compares it (after URL-decoding, path normalising and lower-casing). */
const SEND_PATH = '/v1/verifications';

export interface ApiFirewallProps {
  readonly api: RestApi;
  /** The web ACL's name, also its CloudWatch metric name. */
  readonly name: string;
  readonly sendRequestsPer5MinPerIp: number;
  /** The looser limit on every route together (the check and the key set invoke a function too). */
  readonly requestsPer5MinPerIp: number;
  /**
   * Behind a backend or a proxy every user shares its address: the rate rule then counts this
   * header's (the first) address instead, e.g. `X-Forwarded-For`. Unset: browsers call the API directly.
   */
  readonly clientIpHeader?: string | undefined;
  /** AWS's anonymous-IP list (VPNs, Tor, hosting providers). A backend calling from a cloud host would be on it. */
  readonly anonymousIpList: boolean;
  /** The problem documents WAF answers with itself (custom responses: `application/json`): 429 for the rate rules, 403 for the lists. */
  readonly rateLimitedBody: string;
  readonly forbiddenBody: string;
  /** Log every request WAF judges to CloudWatch (`aws-waf-logs-<name>`), kept this long; undefined: no log. */
  readonly logRetention?: RetentionDays | undefined;
  readonly removalPolicy: RemovalPolicy;
}

/** How long a caller over the rate waits: the rate rule counts over 5 minutes and lifts within about a minute. */
export const WAF_RETRY_AFTER_SECONDS = 60;

/**
 * What each managed list blocks, by rule name: those blocks answer with our 403 (AWS's own
 * default-Count rules, such as AWSManagedIPDDoSList, keep counting). A rule AWS adds later blocks
 * with WAF's default answer, which API Gateway turns into its WAF_FILTERED 403 problem.
 */
const BLOCKING_RULES: Readonly<Record<string, readonly string[]>> = {
  AWSManagedRulesAmazonIpReputationList: ['AWSManagedIPReputationList', 'AWSManagedReconnaissanceList'],
  AWSManagedRulesAnonymousIpList: ['AnonymousIPList', 'HostingProviderIPList'],
};

/**
 * WAF's own answers hold no data and cannot see the stage's allowlist, and they can carry only
 * fixed headers: `*`, so a browser can read them (docs/api.md, "What API Gateway and the WAF
 * answer themselves").
 */
const ANY_ORIGIN = [{ name: 'Access-Control-Allow-Origin', value: '*' }];

/**
 * A WAF web ACL on the API's stage: rate-based rules per client IP, a strict one on the send
 * route (SMS pumping costs real money per message) and a looser one on every route (one address
 * must not use up the stage throttle everyone shares), and AWS's managed IP-reputation and
 * anonymous-IP lists. The send rule sees every spelling of the route that API Gateway forgives
 * (case, a trailing slash, percent-escapes, `//`).
 */
export class ApiFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  /** The web ACL's name, the `WebACL` dimension of its CloudWatch metrics. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    this.name = props.name;
    const visibility = (name: string) => ({ cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true });
    const normalised = [
      { priority: 0, type: 'URL_DECODE' },
      { priority: 1, type: 'NORMALIZE_PATH' },
      { priority: 2, type: 'LOWERCASE' },
    ];
    // The path WAF sees starts with the stage name (/prod/v1/verifications) unless a custom domain maps it away.
    const endsWith = (searchString: string) => ({
      byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'ENDS_WITH', searchString, textTransformations: normalised },
    });
    // 429 with Retry-After, in the problem format (docs/api.md): the caller only has to slow down.
    const rateLimited = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: 'too-many-requests',
          responseHeaders: [
            { name: 'Retry-After', value: String(WAF_RETRY_AFTER_SECONDS) },
            ...ANY_ORIGIN,
            { name: 'Access-Control-Expose-Headers', value: 'Retry-After' },
          ],
        },
      },
    };
    const perIp = props.clientIpHeader
      ? { aggregateKeyType: 'FORWARDED_IP', forwardedIpConfig: { headerName: props.clientIpHeader, fallbackBehavior: 'MATCH' } }
      : { aggregateKeyType: 'IP' };
    const managed = (name: string, priority: number) => ({
      name,
      priority,
      overrideAction: { none: {} },
      visibilityConfig: visibility(name),
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          // A listed address: 403, not worth a retry.
          ruleActionOverrides: (BLOCKING_RULES[name] ?? []).map((rule) => ({
            name: rule,
            actionToUse: { block: { customResponse: { responseCode: 403, customResponseBodyKey: 'forbidden', responseHeaders: ANY_ORIGIN } } },
          })),
        },
      },
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      customResponseBodies: {
        'too-many-requests': { contentType: 'APPLICATION_JSON', content: props.rateLimitedBody },
        forbidden: { contentType: 'APPLICATION_JSON', content: props.forbiddenBody },
      },
      rules: [
        {
          name: 'send-rate-per-ip',
          priority: 0,
          action: rateLimited,
          visibilityConfig: visibility('send-rate-per-ip'),
          statement: {
            rateBasedStatement: {
              limit: props.sendRequestsPer5MinPerIp,
              ...perIp,
              scopeDownStatement: { orStatement: { statements: [endsWith(SEND_PATH), endsWith(`${SEND_PATH}/`)] } },
            },
          },
        },
        {
          name: 'rate-per-ip',
          priority: 1,
          action: rateLimited,
          visibilityConfig: visibility('rate-per-ip'),
          statement: { rateBasedStatement: { limit: props.requestsPer5MinPerIp, ...perIp } },
        },
        managed('AWSManagedRulesAmazonIpReputationList', 2),
        ...(props.anonymousIpList ? [managed('AWSManagedRulesAnonymousIpList', 3)] : []),
      ],
    });
    if (props.logRetention !== undefined) {
      // WAF logs headers, the path and the query, never the body (where the number is); the query is
      // redacted all the same, should a client ever put a number or a code in it.
      const logs = new LogGroup(this, 'Logs', {
        logGroupName: `aws-waf-logs-${props.name}`,
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      new CfnLoggingConfiguration(this, 'Logging', {
        resourceArn: this.webAcl.attrArn,
        logDestinationConfigs: [
          Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logs.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        ],
        redactedFields: [{ queryString: {} }],
      });
    }
    const stack = Stack.of(this);
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: `arn:${stack.partition}:apigateway:${stack.region}::/restapis/${props.api.restApiId}/stages/${props.api.deploymentStage.stageName}`,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
