import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * cdk-nag AwsSolutions on the whole app: everything not acknowledged fails the synth. The
 * acknowledgements come with the constructs (lib/phone-verification.ts,
 * lib/api-gateway-account-stack.ts), so a consumer's app gets them too.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
