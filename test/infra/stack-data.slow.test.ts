import { Match } from 'aws-cdk-lib/assertions';
import { removeSynthOutput, synthStage } from '../support/cdk';

/** The synthesised stage stacks, the data: tables, their protection, who may touch them, the secrets (template assertions: what matters, not a snapshot). */
afterAll(removeSynthOutput);

describe.each(['dev', 'prod'])('the %s stack', (stage) => {
  const { template } = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'] } : {});
  const t = template();

  it('keys the verifications on the E.164 phone number and the abuse counters on their bucket, each with TTL, on demand, encrypted', () => {
    t.resourceCountIs('AWS::DynamoDB::Table', 2);
    for (const key of ['phoneNumber', 'bucket']) {
      t.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it(
    stage === 'prod' ? 'protects both tables: PITR, deletion protection, kept except after a failed first create' : 'lets both tables go with the stack',
    () => {
      const tables = Object.values(t.findResources('AWS::DynamoDB::Table')) as Array<{
        DeletionPolicy?: string;
        UpdateReplacePolicy?: string;
        Properties: Record<string, unknown>;
      }>;
      expect(tables).toHaveLength(2);
      for (const table of tables) {
        if (stage === 'prod') {
          // RetainExceptOnCreate: a rolled-back first deploy leaves no named table behind to block the retry.
          expect({ deletion: table.DeletionPolicy, replace: table.UpdateReplacePolicy }).toEqual({ deletion: 'RetainExceptOnCreate', replace: 'Retain' });
          expect(table.Properties).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
        } else {
          expect(table.DeletionPolicy).toBe('Delete');
          expect(table.Properties.DeletionProtectionEnabled).toBe(false);
          expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
        }
      }
    },
  );

  it('lets each function do only the DynamoDB actions it uses, on its tables only; only the send function counts; only the events function reads the stream', () => {
    const policies = Object.entries(t.findResources('AWS::IAM::Policy')) as Array<
      [string, { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }]
    >;
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const dynamoOf = (fn: string) =>
      policies
        .filter(([id]) => id.startsWith(`Verify${fn}`))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
        .map((s) => ({ actions: [s.Action].flat().sort(), table: JSON.stringify(s.Resource).match(/"Verify(VerificationsTable|LimitsTable)/)?.[1] }));
    expect(dynamoOf('SendCode')).toEqual([
      { actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], table: 'VerificationsTable' },
      { actions: ['dynamodb:UpdateItem'], table: 'LimitsTable' },
    ]);
    // Its GetItem: the one consistent read after a decision or count whose answer was lost (docs/data-model.md).
    expect(dynamoOf('CheckCode')).toEqual([{ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], table: 'VerificationsTable' }]);
    // The events function reads the verifications table's stream, nothing of its items (ListStreams has no resource-level permission).
    expect(dynamoOf('EventsFunction')).toEqual([
      { actions: ['dynamodb:ListStreams'], table: undefined },
      { actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], table: 'VerificationsTable' },
    ]);
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))).toHaveLength(5);
    const secretReads = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretReads).toHaveLength(2);
    for (const s of secretReads) expect(JSON.stringify(s.Resource)).not.toContain('"*"');
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.endsWith('*'))).toEqual([]);
  });

  it('generates the code-hash secret (no value in the template) and a SENS placeholder; no token secret exists', () => {
    t.resourceCountIs('AWS::SecretsManager::Secret', 2);
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: Match.absent(), // the code-hash key: a generated name, so a retained one never blocks a redeploy
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `phone-verify/${stage}/sens`,
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'secretKey' }),
    });
    expect(JSON.stringify(t.findResources('AWS::SecretsManager::Secret'))).not.toMatch(/"SecretString":/); // a literal value would be here
  });

  it(
    stage === 'prod'
      ? 'keeps the token key in KMS: P-256 for signing, an alias for people, retained with a 30-day pending window'
      : 'keeps the token key in KMS: P-256 for signing, an alias for people, deleted with the stack after 7 days',
    () => {
      t.resourceCountIs('AWS::KMS::Key', 1);
      t.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', PendingWindowInDays: stage === 'prod' ? 30 : 7 }),
        DeletionPolicy: stage === 'prod' ? 'RetainExceptOnCreate' : 'Delete',
      });
      t.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/phone-verify/${stage}/token-k1` });
    },
  );

  it('lets only the check function sign, with every token key of the stage, and read the public keys it publishes', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')) as Array<{
      Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } };
    }>;
    const withKms = policies.filter((p) => JSON.stringify(p).includes('kms:'));
    expect(withKms).toHaveLength(1);
    const statements = withKms[0]!.Properties.PolicyDocument.Statement.filter((st) => JSON.stringify(st.Action).includes('kms:'));
    expect(statements.flatMap((st) => st.Action).sort()).toEqual(['kms:GetPublicKey', 'kms:Sign']);
    expect(JSON.stringify(statements)).toMatch(/TokenKeysKeyk1/);
    expect(JSON.stringify(withKms[0])).not.toMatch(/"\*"/);
    expect(JSON.stringify(withKms[0])).toMatch(/CheckCode/);
  });

  it('denies kms:Sign in each token key’s own policy to every principal but the check function’s role, administrators included', () => {
    const keys = Object.values(t.findResources('AWS::KMS::Key')) as Array<{ Properties: { KeyPolicy: { Statement: Array<Record<string, unknown>> } } }>;
    expect(keys).toHaveLength(1);
    const statements = keys[0]!.Properties.KeyPolicy.Statement;
    expect(statements.filter((st) => st.Effect === 'Deny')).toEqual([
      {
        Sid: 'OnlyTheCheckFunctionSigns',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:Sign',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [expect.stringMatching(/^VerifyCheckCodeRole/), 'Arn'] } } },
      },
    ]);
    // The account still administers the key (an explicit deny of Sign wins over its kms:*).
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: 'kms:*' }));
  });
});
