import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { VERIFICATION_TABLE } from '../../functions/adapters/table-definition';

export interface VerificationTableProps {
  /** Prod: point-in-time recovery, deletion protection and RETAIN; otherwise DESTROY with the stack. */
  readonly protectData: boolean;
}

/** One item per phone number (partition key only), on-demand, TTL on: the table the local server creates too. */
export class VerificationTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: VerificationTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: VERIFICATION_TABLE.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: VERIFICATION_TABLE.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.protectData },
      deletionProtection: props.protectData,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
