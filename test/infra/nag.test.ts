import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { removeSynthOutput, synthStage } from '../support/cdk';

afterAll(removeSynthOutput);

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'])('finds nothing unacknowledged in the %s stack', (stage) => {
    const app = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'], alarmEmail: 'ops@example.com' } : {}, { nag: true });
    expect(app.violations()).toEqual([]);
  });

  it('is really checking: an unprotected table added to the stack is reported', () => {
    const app = synthStage('dev', {}, { nag: true });
    new Table(app.stack, 'Careless', { partitionKey: { name: 'k', type: AttributeType.STRING } });
    expect(app.violations()).toContain('AwsSolutions-DDB3 PhoneVerify-dev/Careless/Resource');
  });
});
