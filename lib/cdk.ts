/**
 * `phone-verify/cdk`: the whole service as one construct for your own CDK app.
 *
 *   import { PhoneVerification } from 'phone-verify/cdk';
 *   const verify = new PhoneVerification(stack, 'Verify', { stage: 'prod', alarmEmail: 'ops@example.com' });
 *   new CfnOutput(stack, 'VerifyUrl', { value: verify.apiUrl });
 */
export { PhoneVerification, acknowledgeAll } from './phone-verification';
export { ApiGatewayCloudWatchRole } from './api-gateway-account-stack';
export type { Acknowledgement, PhoneVerificationProps } from './phone-verification';
export type { CustomDomain, Preset, ServiceSettingName, ServiceSettings, SettingsOverrides, StageSettings } from './config';
