import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { applicationFunctions, PROD_MINIMUM, removeSynthOutput, synthStage } from '../support/cdk';

/**
 * An aws-cdk-lib newer than ours knows a newer Node.js runtime (2.278 adds nodejs26.x), and
 * cdk-nag's AwsSolutions-L1 then asks every function to run it. Here aws-cdk-lib is taught one
 * the way a release teaches it (a Runtime registers itself in Runtime.ALL, which cdk-nag reads):
 * this file's own module registry, so no other test sees it.
 */
afterAll(removeSynthOutput);

const PROD = { ...PROD_MINIMUM, corsAllowedOrigins: ['https://app.example.com'] };
const runtimes = (stack: ReturnType<typeof synthStage>) =>
  applicationFunctions(stack.template()).map((f) => (f as { Properties: { Runtime: string } }).Properties.Runtime);

describe('a newer Node.js runtime in aws-cdk-lib', () => {
  const before = synthStage('prod', PROD);
  new Runtime('nodejs26.x', RuntimeFamily.NODEJS, { supportsInlineCode: true });

  it('before it: nodejs24.x everywhere and nothing to acknowledge', () => {
    expect(runtimes(before)).toEqual(['nodejs24.x', 'nodejs24.x', 'nodejs24.x']);
    expect(before.stack.verification.nagAcknowledgements.filter((a) => a.id === 'AwsSolutions-L1')).toEqual([]);
  });

  const after = synthStage('prod', PROD, { allowFindings: true });

  it('keeps nodejs24.x by default and says why to cdk-nag, function by function: the stack stays clean', () => {
    const stack = after;
    expect(runtimes(stack)).toEqual(['nodejs24.x', 'nodejs24.x', 'nodejs24.x']);
    expect(stack.violations()).toEqual([]);
    const l1 = stack.stack.verification.nagAcknowledgements.filter((a) => a.id === 'AwsSolutions-L1');
    expect(l1.map((a) => a.construct.node.path)).toEqual([
      'PhoneVerify-prod/Verify/SendCode/Function',
      'PhoneVerify-prod/Verify/CheckCode/Function',
      'PhoneVerify-prod/Verify/Events/Function/Function',
    ]);
    expect(l1[0]!.reason).toMatch(/nodejs24\.x is the runtime these functions are built and tested for .* nodejs26\.x is newer/);
  });

  it('brings the finding back when that acknowledgement is left out (it is not dead)', () => {
    const index = after.stack.verification.nagAcknowledgements.findIndex((a) => a.id === 'AwsSolutions-L1');
    expect(synthStage('prod', PROD, { leaveOut: index }).violations()).toEqual(['AwsSolutions-L1 PhoneVerify-prod/Verify/SendCode/Function/Resource']);
  });

  it('runs the newer runtime when the stage sets lambdaRuntime, with nothing to acknowledge', () => {
    const stack = synthStage('prod', { ...PROD, lambdaRuntime: 'nodejs26.x' });
    expect(runtimes(stack)).toEqual(['nodejs26.x', 'nodejs26.x', 'nodejs26.x']);
    expect(stack.stack.verification.nagAcknowledgements.filter((a) => a.id === 'AwsSolutions-L1')).toEqual([]);
  });

  it.each([
    ['nodejs22.x', /must be nodejs24\.x or a later nodejsNN\.x, not "nodejs22\.x"/],
    ['python3.13', /not "python3\.13"/],
    ['nodejs28.x', /this aws-cdk-lib does not know nodejs28\.x; upgrade aws-cdk-lib or choose nodejs26\.x/],
  ])('refuses lambdaRuntime %s at synth time', (lambdaRuntime, message) => {
    expect(() => synthStage('dev', { lambdaRuntime })).toThrow(message);
  });
});
