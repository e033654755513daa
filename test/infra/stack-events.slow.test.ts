import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { PROD_MINIMUM, removeSynthOutput, synthStage } from '../support/cdk';

/** The lifecycle events in the synthesised stack (docs/events.md): stream, mapping, bus, queue, schemas, least privilege, webhook. */
afterAll(removeSynthOutput);

type Statement = { Action: string | string[]; Resource: unknown };
type Policy = { Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } } };

describe.each(['dev', 'prod'])('the %s stack’s lifecycle events', (stage) => {
  const { template } = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'] } : {});
  const t = template();

  it('streams the verifications table (new and old images) to the events function: in order, bisected, bounded, partial batches, a queue for what fails', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'phoneNumber' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    t.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'bucket' }], StreamSpecification: Match.absent() });
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^VerifyEventsFunction') },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VerifyVerificationsTable'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 20,
      MaximumRecordAgeInSeconds: 6 * 3600,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VerifyEventsDeadLetters'), 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'] }) }] },
    });
  });

  it('creates the bus phone-verify-<stage> and tells the function where to publish and how to show numbers', () => {
    t.hasResourceProperties('AWS::Events::EventBus', { Name: `phone-verify-${stage}` });
    // Ten records at their worst (every PutEvents round and dead-letter attempt at its limit).
    t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 120, Environment: { Variables: Match.objectLike({ EVENTS_PHONE_NUMBER: 'full' }) } });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^VerifyEventsBus') },
          EVENTS_PHONE_NUMBER: 'full',
          DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^VerifyEventsDeadLetters') },
        }),
      },
    });
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
  });

  it('grants the stream and PutEvents to the events function only, and nothing of the stream to the HTTP functions', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')) as Policy[];
    const actionsOf = (prefix: RegExp) =>
      policies
        .filter((p) => p.Properties.Roles.some((r) => prefix.test(r.Ref)))
        .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat()));
    const events = actionsOf(/^VerifyEventsFunction/);
    expect(events).toEqual(expect.arrayContaining(['events:PutEvents', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream']));
    expect(events.filter((a) => /^dynamodb:(Put|Update|Delete|Get)Item$|^kms:/.test(a))).toEqual([]);
    for (const http of [/^VerifySendCode/, /^VerifyCheckCode/]) {
      expect(actionsOf(http).filter((a) => /^events:|^dynamodb:.*Stream|GetRecords|GetShardIterator/.test(a))).toEqual([]);
    }
    const putEvents = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s) => [s.Action].flat().includes('events:PutEvents'));
    expect(putEvents.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^VerifyEventsBus/), 'Arn'] }]);
  });

  it('registers the four JSON Schemas of docs/events/ as they are, in Draft 4', () => {
    const schemas = Object.values(t.findResources('AWS::EventSchemas::Schema')) as Array<{ Properties: { Type: string; Content: string } }>;
    const docs = join(__dirname, '..', '..', 'docs', 'events');
    const files = readdirSync(docs).map((f) => JSON.parse(readFileSync(join(docs, f), 'utf8')) as unknown);
    expect(schemas.map((s) => s.Properties.Type)).toEqual(Array(4).fill('JSONSchemaDraft4'));
    expect(schemas.map((s) => JSON.parse(s.Properties.Content) as unknown)).toEqual(expect.arrayContaining(files));
    expect(files).toHaveLength(4);
    t.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: `phone-verify-${stage}` });
  });

  it('charts the events function, its lag and its dead-letter queue on the dashboard', () => {
    const dashboard = JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('Lifecycle events');
    expect(dashboard).toContain('IteratorAge');
    expect(dashboard).toContain('ApproximateNumberOfMessagesVisible');
    // The providers' widget names what the functions use in AWS by default: SENS.
    expect(dashboard).toContain('SMS providers, in order: sens');
  });

  it('has no webhook unless one is configured', () => {
    t.resourceCountIs('AWS::Events::ApiDestination', 0);
    t.resourceCountIs('AWS::Events::Connection', 0);
    t.resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('options of the lifecycle events', () => {
  const webhook = { endpoint: 'https://hooks.example.com/phone-verify', headerValueSecret: 'phone-verify/prod/webhook' };

  it('a webhook: an API destination with its connection’s header from Secrets Manager, retried for 24 hours, its own dead-letter queue and alarm', () => {
    const t = synthStage('prod', { ...PROD_MINIMUM, corsAllowedOrigins: ['https://app.example.com'], webhook }).template();
    t.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: 'Authorization', ApiKeyValue: Match.stringLikeRegexp('resolve:secretsmanager:phone-verify/prod/webhook') },
      },
    });
    t.hasResourceProperties('AWS::Events::ApiDestination', { HttpMethod: 'POST', InvocationEndpoint: webhook.endpoint });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^VerifyEventsBus') },
      EventPattern: { source: ['phone-verify'] },
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VerifyEventsWebhookDeadLetters'), 'Arn'] } },
        }),
      ],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('webhook dead-letter queue') });
    t.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('refuses a webhook that is not https', () => {
    expect(() => synthStage('dev', { webhook: { ...webhook, endpoint: 'http://hooks.example.com/' } })).toThrow(/webhook.endpoint must be an https URL/);
  });

  it('a bus of the app’s, by name: none created, the function publishes there; masked numbers when asked', () => {
    const t = synthStage('dev', { eventBusName: 'shared-bus', serviceSettings: { EVENTS_PHONE_NUMBER: 'masked' } }).template();
    t.resourceCountIs('AWS::Events::EventBus', 0);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: 'shared-bus', EVENTS_PHONE_NUMBER: 'masked' }) },
    });
  });

  it('refuses an EVENTS_PHONE_NUMBER it does not know, at synth', () => {
    expect(() => synthStage('dev', { serviceSettings: { EVENTS_PHONE_NUMBER: 'hashed' } })).toThrow(/EVENTS_PHONE_NUMBER must be "full" or "masked"/);
  });
});
