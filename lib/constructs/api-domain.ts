import { BasePathMapping, DomainName, EndpointType, SecurityPolicy, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { CustomDomain } from '../config';

/** The API on a name of the operator's: an existing certificate and hosted zone, a base path mapping, a Route 53 alias. */
export class ApiDomain extends Construct {
  readonly domainName: DomainName;

  constructor(scope: Construct, id: string, props: { readonly api: RestApi; readonly domain: CustomDomain }) {
    super(scope, id);
    const { domain } = props;
    this.domainName = new DomainName(this, 'Domain', {
      domainName: domain.domainName,
      certificate: 'certificate' in domain ? domain.certificate : Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new BasePathMapping(this, 'Mapping', { domainName: this.domainName, restApi: props.api, stage: props.api.deploymentStage });
    const zone =
      'hostedZone' in domain
        ? domain.hostedZone
        : HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.hostedZoneName });
    new ARecord(this, 'Alias', { zone, recordName: domain.domainName, target: RecordTarget.fromAlias(new ApiGatewayDomain(this.domainName)) });
  }
}
