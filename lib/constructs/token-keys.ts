import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
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

  /** The function that signs: `kms:Sign` with the signing key only, `kms:GetPublicKey` on the keys it publishes. Nothing else. */
  grantSignAndPublish(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Sign'], resources: [this.signingKey.keyArn] }));
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [...this.keys.values()].map((k) => k.keyArn) }),
    );
  }
}
