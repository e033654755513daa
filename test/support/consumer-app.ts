import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeBlocks, sections } from './markdown';
import { SETUPS } from './documented-setups';

const ROOT = join(__dirname, '..', '..');

/** The `ts` blocks of section `heading` of docs page `page` (the whole page when `heading` is omitted), in order, as the reader copies them. */
function documentedCode(page: string, heading?: string): string {
  const markdown = readFileSync(join(ROOT, 'docs', page), 'utf8');
  const text = heading === undefined ? markdown : sections(markdown).get(heading);
  const blocks = codeBlocks(text ?? '').filter((b) => b.info === 'ts');
  if (blocks.length === 0) throw new Error(`docs/${page}${heading ? ` § ${heading}` : ''} has no ts block`);
  return blocks.map((b) => b.body).join('\n');
}

/**
 * The CDK app the docs give a consumer: the construct in a stack of its own, and API Gateway's
 * account-level logging role in another that it waits for (docs/cdk-construct.md), the rule that subscribes to Phone Number Verified (docs/events.md),
 * and cdk-nag's AwsSolutions checks, added before the app synthesises. The app writes to
 * `CDK_OUTDIR` (as under the CDK CLI) and throws on any cdk-nag finding.
 */
export function consumerApp(): string {
  return [
    documentedCode('cdk-construct.md'),
    documentedCode('events.md', 'Subscribe: a rule in your own CDK app'),
    "import { Validations } from 'aws-cdk-lib';",
    "import { AwsSolutionsChecks } from 'cdk-nag';",
    'Validations.of(app).addPlugins(new AwsSolutionsChecks(app));',
    'app.synth();',
    '',
  ].join('\n');
}

/**
 * A CDK app of the consumer's with every documented setup (test/support/documented-setups.ts) as
 * the construct in a stack of its own, and cdk-nag's AwsSolutions checks added before it
 * synthesises: the setups as a consumer's aws-cdk-lib and cdk-nag see them.
 */
export function documentedSetupsApp(): string {
  const setups = SETUPS.map(([label, stage, overrides]) => {
    const { account, region, logRetentionDays, ...props } = overrides;
    if (logRetentionDays !== undefined) throw new Error(`${label}: logRetentionDays is cdk.json's; give the construct logRetention`);
    return { label, stage, env: account ? { account, region } : undefined, props };
  });
  return `import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PhoneVerification } from 'phone-verify/cdk';

const app = new App();
const setups: Array<{ label: string; stage: string; env?: { account: string; region: string }; props: object }> = ${JSON.stringify(setups, null, 2)};
setups.forEach(({ stage, env, props }, i) => new PhoneVerification(new Stack(app, \`Setup\${i}\`, env ? { env } : {}), 'Verify', { stage, ...props }));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
`;
}
