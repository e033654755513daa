import { Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** The send route as WAF compares it (after URL-decoding, path normalising and lower-casing). */
const SEND_PATH = '/v1/verifications';

export interface ApiFirewallProps {
  readonly api: RestApi;
  /** The web ACL's name, also its CloudWatch metric name. */
  readonly name: string;
  readonly sendRequestsPer5MinPerIp: number;
}

/**
 * A WAF web ACL on the API's stage: a rate-based rule per client IP on the send route (SMS
 * pumping costs real money per message) and AWS's managed IP-reputation and anonymous-IP lists.
 * The rate rule sees every spelling of the route that API Gateway forgives (case, a trailing
 * slash, percent-escapes, `//`).
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
    const managed = (name: string, priority: number) => ({
      name,
      priority,
      overrideAction: { none: {} },
      visibilityConfig: visibility(name),
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: [
        {
          name: 'send-rate-per-ip',
          priority: 0,
          action: { block: {} },
          visibilityConfig: visibility('send-rate-per-ip'),
          statement: {
            rateBasedStatement: {
              limit: props.sendRequestsPer5MinPerIp,
              aggregateKeyType: 'IP',
              scopeDownStatement: { orStatement: { statements: [endsWith(SEND_PATH), endsWith(`${SEND_PATH}/`)] } },
            },
          },
        },
        managed('AWSManagedRulesAmazonIpReputationList', 1),
        managed('AWSManagedRulesAnonymousIpList', 2),
      ],
    });
    const stack = Stack.of(this);
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: `arn:${stack.partition}:apigateway:${stack.region}::/restapis/${props.api.restApiId}/stages/${props.api.deploymentStage.stageName}`,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
