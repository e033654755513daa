import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StageOverrides } from '../../lib/config';
import { codeBlocks, sections } from './markdown';

/**
 * Every setup the docs give an operator, as the stage settings it amounts to: synthesised with
 * cdk-nag by test/infra/documented-setups.slow.test.ts on this repository's aws-cdk-lib, and by
 * scripts/check-newest-cdk.ts on the newest the peer range allows. A newly documented option (a
 * provider, the guard, the challenge…) adds a row here.
 */

const ROOT = join(__dirname, '..', '..');

/** What prod needs before it synthesises: where it deploys and who hears its alarms. */
export const PROD_MINIMUM: StageOverrides = { account: '123456789012', region: 'ap-northeast-2', alarmEmail: 'ops@example.com' };

const PROD: StageOverrides = { ...PROD_MINIMUM, corsAllowedOrigins: ['https://app.example.com'] };

/** The prod entry of the cdk.json example in docs/deploy.md ("Settings per stage"), as an operator copies it. */
export const DOCUMENTED_PROD_ENTRY = (() => {
  const section = sections(readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8')).get('Settings per stage') ?? '';
  const block = codeBlocks(section).find((b) => b.info === 'json');
  return (JSON.parse(`{${block?.body ?? ''}}`) as { 'phone-verify': { prod: StageOverrides } })['phone-verify'].prod;
})();

/** The prod entry of docs/challenge.md's example ("Turn it on"), as an operator copies it. */
export const DOCUMENTED_CHALLENGE_ENTRY = (() => {
  const section = sections(readFileSync(join(ROOT, 'docs', 'challenge.md'), 'utf8')).get('Turn it on') ?? '';
  const block = codeBlocks(section).find((b) => b.info === 'json');
  return (JSON.parse(`{${block?.body ?? ''}}`) as { prod: StageOverrides }).prod;
})();

/** Each documented setup: where the docs give it, its stage name, and its settings. */
export const SETUPS: ReadonlyArray<readonly [string, string, StageOverrides]> = [
  ['dev, as it comes', 'dev', {}],
  ['prod with the minimum a first deploy needs (docs/deploy.md, "The commands")', 'prod', PROD_MINIMUM],
  ['prod as the cdk.json example of docs/deploy.md ("Settings per stage") writes it', 'prod', DOCUMENTED_PROD_ENTRY],
  [
    'prod with the providers sens,aws,lambda (docs/providers.md)',
    'prod',
    {
      ...PROD,
      smsProviders: ['sens', 'aws', 'lambda'],
      awsSms: {
        originationIdentity: 'arn:aws:sms-voice:ap-northeast-2:123456789012:phone-number/phone-0123456789abcdef',
        protectConfigurationId: 'protect-0123',
      },
      smsHookFunctionArn: 'arn:aws:lambda:ap-northeast-2:123456789012:function:sms-hook',
    },
  ],
  ['prod with End User Messaging picking its own identity (docs/providers.md)', 'prod', { ...PROD, smsProviders: ['sens', 'aws'] }],
  [
    'prod with the webhook (docs/events.md, "A webhook")',
    'prod',
    { ...PROD, webhook: { endpoint: 'https://hooks.example.com/phone-verify', headerValueSecret: 'phone-verify/prod/webhook' } },
  ],
  ['prod with WAF logging (docs/deploy.md)', 'prod', { ...PROD, waf: { logging: true } }],
  ['prod with a bot challenge, as docs/challenge.md ("Turn it on") writes it', 'prod', { ...PROD, ...DOCUMENTED_CHALLENGE_ENTRY }],
  [
    'prod called by a backend (docs/deploy.md, "Called by your backend rather than by browsers?")',
    'prod',
    { ...PROD, waf: { clientIpHeader: 'X-Forwarded-For' } },
  ],
  [
    'prod on a custom domain with the execute-api endpoint closed (docs/deploy.md)',
    'prod',
    {
      ...PROD,
      customDomain: {
        domainName: 'verify.example.com',
        certificateArn: 'arn:aws:acm:ap-northeast-2:123456789012:certificate/abc',
        hostedZoneId: 'Z123',
        hostedZoneName: 'example.com',
        disableExecuteApiEndpoint: true,
      },
    },
  ],
  [
    'prod mid-rotation: two token keys, the new one signing (docs/operate.md, "Rotate the token key")',
    'prod',
    { ...PROD, tokenKeys: { keys: ['k1', 'k2'], signWith: 'k2' } },
  ],
  ['a stage of another name with the production preset (docs/deploy.md)', 'live', { ...PROD, preset: 'production' }],
  ['a first production deploy (npm run deploy, before the protections come on)', 'prod', { ...PROD, firstDeploy: true }],
];
