import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The stage's token keys by name: which sign and which the JWKS publishes (docs/tokens.md, "Rotating the key"). */
export interface TokenKeySettings {
  /** Every key the stack keeps and publishes: the signing key, the next one ahead of use, the previous ones until their tokens expire. */
  readonly keys: readonly string[];
  /** The one that signs (one of `keys`). */
  readonly signWith: string;
}

export const DEFAULT_TOKEN_KEYS: TokenKeySettings = { keys: ['k1'], signWith: 'k1' };

const KEY_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** @throws Error naming what is wrong with `settings` */
export function checkTokenKeySettings(settings: TokenKeySettings): void {
  if (settings.keys.length === 0) throw new Error('tokenKeys.keys must name at least one key');
  const bad = settings.keys.filter((k) => !KEY_NAME.test(k));
  if (bad.length > 0) throw new Error(`tokenKeys.keys: "${bad[0]}" is not a key name (lower-case letters, digits and -)`);
  if (new Set(settings.keys).size !== settings.keys.length) throw new Error('tokenKeys.keys names a key twice');
  if (!settings.keys.includes(settings.signWith)) throw new Error(`tokenKeys.signWith "${settings.signWith}" must be one of tokenKeys.keys`);
}

/**
 * The asymmetric KMS keys that sign tokens (ECC_NIST_P256, SIGN_VERIFY): the private key never
 * leaves KMS. Each has an alias for people (`alias/phone-verify/<stage>/token-<name>`); the
 * functions name keys by ARN. Prod keeps them (RETAIN_ON_UPDATE_OR_DELETE, 30-day pending window:
 * a key deleted by mistake could not verify a token again, but nothing is encrypted with it); other
 * stages delete them with a 7-day window, the shortest KMS allows.
 */
export class TokenKeys extends Construct {
  readonly signingKey: Key;
  /** Every key, by name, the signing key included. */
  readonly keys: ReadonlyMap<string, Key>;

  constructor(scope: Construct, id: string, props: { readonly stage: string; readonly settings: TokenKeySettings; readonly protect: boolean }) {
    super(scope, id);
    checkTokenKeySettings(props.settings);
    this.keys = new Map(
      props.settings.keys.map((name) => [
        name,
        new Key(this, `Key-${name}`, {
          keySpec: KeySpec.ECC_NIST_P256,
          keyUsage: KeyUsage.SIGN_VERIFY,
          alias: `phone-verify/${props.stage}/token-${name}`,
          description: `phone-verify ${props.stage}: signs verification tokens (ES256), key ${name}`,
          removalPolicy: props.protect ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY,
          pendingWindow: Duration.days(props.protect ? 30 : 7),
        }),
      ]),
    );
    this.signingKey = this.keys.get(props.settings.signWith)!;
  }

  /** Every key ARN but the signing key's: what the JWKS publishes beside it. */
  get publishedKeyArns(): string[] {
    return [...this.keys.values()].filter((k) => k !== this.signingKey).map((k) => k.keyArn);
  }

  /**
   * The function that signs, and nothing else: `kms:Sign` with every key of the stage and
   * `kms:GetPublicKey` on the keys it publishes. Every key, not just the signing one:
   * CloudFormation updates the role's policy before the function's code, so a policy that follows
   * `signWith` from one key to the next would refuse the old code's signatures mid-deploy. And
   * each key's own policy denies `kms:Sign` to every other principal of the account,
   * administrators included: an IAM policy with `kms:Sign` on `*` must not mint tokens every
   * backend accepts (docs/tokens.md, "The keys").
   */
  grantSignAndPublish(role: IRole): void {
    const keys = [...this.keys.values()];
    const arns = keys.map((k) => k.keyArn);
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Sign'], resources: arns }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: arns }));
    for (const key of keys)
      key.addToResourcePolicy(
        new PolicyStatement({
          sid: 'OnlyTheCheckFunctionSigns',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['kms:Sign'],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
        }),
      );
  }
}
