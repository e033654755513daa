import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RereadSecret, SECRET_REREAD_MS, loadSecrets, parseChallengeSecret, parseSensSecret } from '../../functions/adapters/secrets';
import { ConfigError } from '../../functions/config';
import { checkCodeRoute } from '../../functions/check-code';
import { buildRuntime } from '../../functions/runtime';
import { CodeHasher } from '../../functions/domain/code';
import { SEND_PARTS, sendCodeRoute } from '../../functions/send-code';
import { handlerFor, postEvent } from '../support/http-events';

/** Answers GetSecretValue from a map, like Secrets Manager would; counts the calls. */
function fakeSecretsManager(values: Record<string, { SecretString: string; VersionId: string }>) {
  const calls: string[] = [];
  const client = {
    send: async (command: { input: { SecretId: string } }) => {
      calls.push(command.input.SecretId);
      const value = values[command.input.SecretId];
      if (!value) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return value;
    },
  } as unknown as SecretsManagerClient;
  return { client, calls };
}

const SENS = JSON.stringify({ serviceId: 'ncp:sms:kr:1:x', accessKey: 'AK', secretKey: 'SK', from: '02-1234-5678' });

describe('loadSecrets from Secrets Manager', () => {
  it('reads only the ARNs this function has', async () => {
    const { client, calls } = fakeSecretsManager({ hash: { SecretString: 'h'.repeat(64), VersionId: 'v1' } });
    const secrets = await loadSecrets({ kind: 'aws', codeHashSecretArn: 'hash' }, client);
    expect(secrets).toEqual({ codeHashSecret: 'h'.repeat(64) });
    expect(calls).toEqual(['hash']);
  });

  it('refuses a key from Secrets Manager shorter than 32 bytes, by the same rule as a variable', async () => {
    const { client } = fakeSecretsManager({ hash: { SecretString: 'h'.repeat(31), VersionId: 'v1' } });
    const refused = await loadSecrets({ kind: 'aws', codeHashSecretArn: 'hash' }, client).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toBe('secret hash is 31 bytes; it must be at least 32');
  });

  it('reads SENS credentials, dropping hyphens from the caller number', async () => {
    const { client } = fakeSecretsManager({ hash: { SecretString: 'h'.repeat(64), VersionId: 'v1' }, sens: { SecretString: SENS, VersionId: 'v1' } });
    const secrets = await loadSecrets({ kind: 'aws', codeHashSecretArn: 'hash', sensSecretArn: 'sens' }, client);
    expect(secrets.sensCredentials).toEqual({ serviceId: 'ncp:sms:kr:1:x', accessKey: 'AK', secretKey: 'SK', from: '0212345678' });
  });

  it('keeps the function alive when the SENS secret still holds placeholders, and says why', async () => {
    const placeholder = JSON.stringify({ serviceId: 'REPLACE_ME', accessKey: 'REPLACE_ME', from: 'REPLACE_ME', secretKey: 'generated' });
    const { client } = fakeSecretsManager({ hash: { SecretString: 'h'.repeat(64), VersionId: 'v1' }, sens: { SecretString: placeholder, VersionId: 'v1' } });
    const secrets = await loadSecrets({ kind: 'aws', codeHashSecretArn: 'hash', sensSecretArn: 'sens' }, client);
    expect(secrets.sensCredentials).toBeUndefined();
    expect(secrets.sensProblem).toMatch(/serviceId/);
  });

  it('generates one code-hash secret per process locally when none is set (both routes of npm start share it)', async () => {
    const first = await loadSecrets({ kind: 'env' });
    expect(first.codeHashSecret.length).toBeGreaterThanOrEqual(32);
    expect((await loadSecrets({ kind: 'env' })).codeHashSecret).toBe(first.codeHashSecret);
    expect((await loadSecrets({ kind: 'env', codeHashSecret: 'c'.repeat(32) })).codeHashSecret).toBe('c'.repeat(32));
  });
});

describe('parseSensSecret', () => {
  it.each([
    ['not JSON', '{'],
    ['a missing field', JSON.stringify({ serviceId: 'a', accessKey: 'b', secretKey: 'c' })],
    ['an empty field', JSON.stringify({ serviceId: '', accessKey: 'b', secretKey: 'c', from: 'd' })],
  ])('refuses %s with a pointer to the page that says how to fill it', (_label, json) => {
    expect(() => parseSensSecret(json)).toThrow(ConfigError);
    expect(() => parseSensSecret(json)).toThrow(/docs\/operate\.md/);
  });
});

describe('a stage whose SENS secret is not filled in yet', () => {
  it('answers sends with 502 sms_delivery_failed (nothing charged) instead of failing the function', async () => {
    const placeholder = JSON.stringify({ serviceId: 'REPLACE_ME', accessKey: 'REPLACE_ME', from: 'REPLACE_ME', secretKey: 'x' });
    const { client } = fakeSecretsManager({ hash: { SecretString: 'h'.repeat(64), VersionId: 'v1' }, sens: { SecretString: placeholder, VersionId: 'v1' } });
    const released: string[] = [];
    const runtime = await buildRuntime(
      { CODE_HASH_SECRET_ARN: 'hash', SENS_SECRET_ARN: 'sens', SMS_PROVIDER: 'sens', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' },
      {
        secretsClient: client,
        // A store that always reserves, to reach the SMS step without DynamoDB.
        db: { send: async (command: { constructor: { name: string } }) => (released.push(command.constructor.name), { Attributes: undefined }) } as never,
      },
      SEND_PARTS,
    );
    const answer = await handlerFor(sendCodeRoute, runtime)(postEvent('/v1/verifications', { phoneNumber: '010-1234-5678' }));
    expect(answer.status).toBe(502);
    expect(answer.json.code).toBe('sms_delivery_failed');
    // reserved (a new window: an update that keeps a streak), the hourly range and budget counters taken, then the number released
    expect(released).toEqual(['UpdateCommand', 'UpdateCommand', 'UpdateCommand', 'DeleteCommand']);
  });

  it('answers a check in the send function’s runtime (no token keys) with a bare 500', async () => {
    const { client } = fakeSecretsManager({ hash: { SecretString: 'h'.repeat(64), VersionId: 'v1' } });
    // The right code's hash under the secret above, so the check gets as far as signing a token.
    const runtimeHash = new CodeHasher('h'.repeat(64)).hash('+821012345678', '123456');
    const runtime = await buildRuntime(
      { CODE_HASH_SECRET_ARN: 'hash', SMS_PROVIDER: 'console' },
      {
        secretsClient: client,
        db: {
          send: async () => ({ Attributes: { codeHash: runtimeHash, sendId: 's', attempts: 1, maxAttempts: 5, codeExpiresAt: Date.now() + 1000 } }),
        } as never,
      },
    );
    const answer = await handlerFor(checkCodeRoute, runtime)(postEvent('/v1/verifications/check', { phoneNumber: '010-1234-5678', code: '123456' }));
    expect(answer.status).toBe(500);
    expect(answer.json.code).toBe('internal_error');
  });
});

describe('the challenge secret (docs/challenge.md)', () => {
  const HASH = { SecretString: 'h'.repeat(64), VersionId: 'v1' };

  it('is read at the cold start with the others, its value as it is (trimmed)', async () => {
    const { client, calls } = fakeSecretsManager({ hash: HASH, challenge: { SecretString: ' 0x4AAAAAAA-real-secret\n', VersionId: 'v1' } });
    const secrets = await loadSecrets({ kind: 'aws', codeHashSecretArn: 'hash', challengeSecretArn: 'challenge' }, client);
    expect(calls.sort()).toEqual(['challenge', 'hash']);
    expect(await secrets.challengeSecret?.read()).toEqual({ value: '0x4AAAAAAA-real-secret' });
    expect(calls).toHaveLength(2); // kept: no second read
  });

  it.each([
    ['still the placeholder', { challenge: { SecretString: 'REPLACE_ME', VersionId: 'v1' } }, /not filled in yet/],
    ['unreadable', {}, /could not be read \(ResourceNotFoundException\)/],
  ])('never fails the start when it is %s: it says why, without a value', async (_label, values, problem) => {
    const { client } = fakeSecretsManager({ hash: HASH, ...values });
    const secrets = await loadSecrets({ kind: 'aws', codeHashSecretArn: 'hash', challengeSecretArn: 'challenge' }, client);
    expect(await secrets.challengeSecret?.read()).toEqual({ problem: expect.stringMatching(problem) });
  });

  it('is asked again at most every 30 s until it has a value, then kept', async () => {
    let now = 0;
    let value = 'REPLACE_ME';
    let reads = 0;
    const secret = new RereadSecret(
      async () => {
        reads += 1;
        return value;
      },
      parseChallengeSecret,
      () => now,
    );
    expect(await secret.read()).toHaveProperty('problem');
    value = 'filled-in';
    now += SECRET_REREAD_MS - 1;
    expect(await secret.read()).toHaveProperty('problem');
    expect(reads).toBe(1);
    now += 1;
    expect(await secret.read()).toEqual({ value: 'filled-in' });
    now += 10 * SECRET_REREAD_MS;
    value = 'changed';
    expect(await secret.read()).toEqual({ value: 'filled-in' });
    expect(reads).toBe(2);
  });

  it('asks once for a burst of sends (one read in flight)', async () => {
    let reads = 0;
    const secret = new RereadSecret(async () => ((reads += 1), 'v'), parseChallengeSecret);
    await Promise.all([secret.read(), secret.read(), secret.read()]);
    expect(reads).toBe(1);
  });
});

describe('a stage whose challenge secret is not filled in yet', () => {
  it('answers 503 to the sends that need a challenge and lets a test number through', async () => {
    const { client } = fakeSecretsManager({
      hash: { SecretString: 'h'.repeat(64), VersionId: 'v1' },
      challenge: { SecretString: 'REPLACE_ME', VersionId: 'v1' },
    });
    const runtime = await buildRuntime(
      {
        CODE_HASH_SECRET_ARN: 'hash',
        CHALLENGE_SECRET_ARN: 'challenge',
        CHALLENGE_PROVIDER: 'turnstile',
        CHALLENGE_SITE_KEY: '0x4AAAAAAAsite',
        SMS_PROVIDER: 'console',
        TEST_NUMBERS: '+821012340000=123456',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      },
      // A store whose every write succeeds: the test number's code is stored without DynamoDB.
      { secretsClient: client, db: { send: async () => ({ Attributes: undefined }) } as never },
      SEND_PARTS,
    );
    const send = handlerFor(sendCodeRoute, runtime);
    const refused = await send(postEvent('/v1/verifications', { phoneNumber: '010-1234-5678', challengeToken: 'tok' }));
    expect({ status: refused.status, code: refused.json.code, retryAfter: refused.headers['Retry-After'] }).toEqual({
      status: 503,
      code: 'service_unavailable',
      retryAfter: '5',
    });
    const review = await send(postEvent('/v1/verifications', { phoneNumber: '010-1234-0000' }));
    expect(review.status).toBe(202);
  });
});
