import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, type SecretSource, type SensCredentials } from '../config';
import { secretTooShort } from '../domain/secret';

export interface ServiceSecrets {
  readonly codeHashSecret: string;
  /** From the SENS secret in AWS; undefined when none is configured or it is not filled in. */
  readonly sensCredentials?: SensCredentials | undefined;
  /** Why there are no SENS credentials although a SENS secret is configured (e.g. still placeholders). */
  readonly sensProblem?: string | undefined;
  /** The bot-challenge service's secret key in AWS (locally it is CHALLENGE_SECRET, in the config). */
  readonly challengeSecret?: RereadSecret | undefined;
}

/** A secret's value, or why there is none (not filled in, unreadable): said without the value. */
export type SecretValue = { readonly value: string } | { readonly problem: string };

/**
 * Loads the secrets once per process (a Lambda container caches them for its lifetime):
 * from Secrets Manager in AWS, or from variables locally, with random ones where unset.
 */
export async function loadSecrets(source: SecretSource, client?: SecretsManagerClient): Promise<ServiceSecrets> {
  if (source.kind === 'env') return { codeHashSecret: source.codeHashSecret ?? processSecret('CODE_HASH_SECRET') };
  // Hard limits like DynamoDB's (functions/runtime.ts): a Secrets Manager that stops answering
  // fails the cold start within about 3 s, never the whole function timeout.
  const sm =
    client ?? new SecretsManagerClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true } });
  const fetchSecret = async (arn: string) => {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!out.SecretString) throw new ConfigError(`secret ${arn} has no string value`);
    return { value: out.SecretString };
  };
  /** A key for a keyed hash: the same length rule as a variable's (domain/secret.ts). */
  const fetchKey = async (arn: string) => {
    const key = await fetchSecret(arn);
    const tooShort = secretTooShort(`secret ${arn}`, key.value);
    if (tooShort) throw new ConfigError(tooShort);
    return key;
  };
  const challengeArn = source.challengeSecretArn;
  const challengeSecret = challengeArn ? new RereadSecret(async () => (await fetchSecret(challengeArn)).value, parseChallengeSecret) : undefined;
  // All at once, at the cold start; the challenge's read never fails the start (it says why instead).
  const [codeHash, sens] = await Promise.all([
    fetchKey(source.codeHashSecretArn),
    source.sensSecretArn ? fetchSecret(source.sensSecretArn) : undefined,
    challengeSecret?.read(),
  ]);
  return { codeHashSecret: codeHash.value, ...readSensSecret(sens?.value), ...(challengeSecret && { challengeSecret }) };
}

/** While a re-read secret has no value, it is asked again at most this often: filling it in takes effect within this. */
export const SECRET_REREAD_MS = 30_000;

/**
 * A secret that must not take the function down while it is not filled in or cannot be read (the
 * challenge's: only the sends that need it answer 503). Read at the cold start; once it has a
 * value the value is kept for the container's life, like every secret; until then it is asked
 * again at most every `SECRET_REREAD_MS`, so filling it in (or a Secrets Manager hiccup passing)
 * takes effect without a deploy.
 */
export class RereadSecret {
  private value: SecretValue | undefined;
  private pending: Promise<SecretValue> | undefined;
  private problemAt = 0;

  constructor(
    private readonly fetch: () => Promise<string>,
    private readonly judge: (raw: string) => SecretValue,
    private readonly now: () => number = Date.now,
  ) {}

  read(): Promise<SecretValue> {
    if (this.value && ('value' in this.value || this.now() - this.problemAt < SECRET_REREAD_MS)) return Promise.resolve(this.value);
    this.pending ??= this.fetch()
      .then(this.judge, (error: unknown) => ({ problem: `could not be read (${(error as Error).name})` }))
      .then((read) => {
        this.value = read;
        this.problemAt = this.now();
        this.pending = undefined;
        return read;
      });
    return this.pending;
  }
}

/** The challenge secret: the service's secret key as it is, filled once by the operator (docs/challenge.md); `REPLACE_ME` until then. */
export function parseChallengeSecret(raw: string): SecretValue {
  const value = raw.trim();
  if (value === '' || value.startsWith('REPLACE')) return { problem: 'not filled in yet: see docs/challenge.md, "Fill the challenge secret"' };
  return { value };
}

/** A SENS secret that is not filled in must not take the whole function down: sends answer 502 and the alarm fires. */
function readSensSecret(json: string | undefined): Pick<ServiceSecrets, 'sensCredentials' | 'sensProblem'> {
  if (json === undefined) return {};
  try {
    return { sensCredentials: parseSensSecret(json) };
  } catch (error) {
    return { sensProblem: (error as Error).message };
  }
}

/** The SENS secret: `{ "serviceId", "accessKey", "secretKey", "from" }`, filled once by the operator. */
export function parseSensSecret(json: string): SensCredentials {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new ConfigError('the SENS secret is not JSON: see docs/operate.md, "Fill the SENS secret"');
  }
  const field = (name: string) => {
    const v = value[name];
    if (typeof v !== 'string' || v === '' || v.startsWith('REPLACE')) {
      throw new ConfigError(`the SENS secret has no ${name}: see docs/operate.md, "Fill the SENS secret"`);
    }
    return v;
  };
  const optional = (name: string) => {
    const v = value[name];
    return typeof v === 'string' && v !== '' && !v.startsWith('REPLACE') ? v : undefined;
  };
  return {
    serviceId: field('serviceId'),
    accessKey: field('accessKey'),
    secretKey: field('secretKey'),
    from: field('from').replace(/-/g, ''),
    alimtalkServiceId: optional('alimtalkServiceId'),
    plusFriendId: optional('plusFriendId'),
  };
}

const processSecrets = new Map<string, string>();

/** A random secret for `name`, the same for every runtime of this process (the local server has one per route). */
function processSecret(name: string): string {
  let secret = processSecrets.get(name);
  if (!secret) processSecrets.set(name, (secret = randomSecret()));
  return secret;
}

function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
