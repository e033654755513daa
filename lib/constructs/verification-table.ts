import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { VERIFICATION_TABLE, type TableDefinition } from '../../functions/adapters/table-definition';

export interface VerificationTableProps {
  /** Production: point-in-time recovery. */
  readonly protectData: boolean;
  /** Production after its first deploy (a first create must be able to roll back). */
  readonly deletionProtection: boolean;
  readonly removalPolicy: RemovalPolicy;
  /** Key and TTL attribute (functions/adapters/table-definition.ts); the verifications table unless told. */
  readonly definition?: TableDefinition;
}

/**
 * A table of the service, on-demand, TTL on, exactly as the local server creates it: the
 * verifications (one item per phone number) or the abuse counters (one item per counter and hour).
 */
export class VerificationTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: VerificationTableProps) {
    super(scope, id);
    const definition = props.definition ?? VERIFICATION_TABLE;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: definition.ttlAttribute,
      ...('stream' in definition && { stream: StreamViewType[definition.stream] }),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.protectData },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * Lets `grantee` make exactly these item calls on this table, nothing else (Table.grantWriteData
   * would add batch writes it never makes; grantReadData, queries and scans).
   */
  grantItemActions(grantee: IGrantable, ...actions: Array<'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem'>): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [this.table.tableArn] }));
  }
}
