import type { Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { removeSynthOutput, synthStage } from '../support/cdk';

afterAll(removeSynthOutput);

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'])('finds nothing unacknowledged in the %s stack', (stage) => {
    const app = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'] } : {}, { allowFindings: true });
    expect(app.violations()).toEqual([]);
  });

  it.each(['dev', 'prod'])('has no dead acknowledgement in the %s stack: leaving out any one brings its finding back', (stage) => {
    const { stack } = synthStage(stage);
    const count = stack.verification.nagAcknowledgements.length;
    expect(count).toBe(stage === 'prod' ? 8 : 11); // 2 SMG4, APIG2/4/6, COG4, the events role's IAM5 and its queue's SQS3; dev adds APIG3 and DDB3 ×2
    const dead: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const app = synthStage(stage, {}, { leaveOut: i });
      const left = app.stack.verification.nagAcknowledgements[i];
      // The whole id: a finding on a resource (`AwsSolutions-IAM5[Resource::*]`) is reported under it.
      const rule = left?.id ?? '?';
      if (!app.violations().some((v) => v.startsWith(`${rule} `))) dead.push(`${left?.id} on ${left?.construct.node.path}`);
    }
    expect(dead).toEqual([]);
  });

  it('is really checking: an unprotected table added to the stack is reported', () => {
    const careless = (stack: Stack) => new Table(stack, 'Careless', { partitionKey: { name: 'k', type: AttributeType.STRING } });
    const app = synthStage('dev', {}, { extend: careless, allowFindings: true });
    expect(app.violations()).toEqual(['AwsSolutions-DDB3 PhoneVerify-dev/Careless/Resource']);
    // And by default a finding fails the synthesis itself: no test reads a template cdk-nag refused.
    expect(() => synthStage('dev', {}, { extend: careless })).toThrow(/AwsSolutions-DDB3 PhoneVerify-dev\/Careless\/Resource/);
  });
});
