import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoAbuseCounters } from './adapters/dynamodb-counters';
import { DynamoVerificationStore } from './adapters/dynamodb-store';
import { DYNAMODB_TIMEOUTS, LOCAL_DYNAMODB_TIMEOUTS, LOCAL_SEND_DYNAMODB_ALLOWANCE_MS, SEND_DYNAMODB_ALLOWANCE_MS } from './adapters/dynamodb-timeouts';
import { loadSecrets, type ServiceSecrets } from './adapters/secrets';
import { ConfigError, isLoopbackUrl, readConfig, type RuntimeConfig } from './config';
import { logger } from './adapters/observability';
import { CodeHasher } from './domain/code';
import { parsePhoneNumber } from './domain/phone';
import { systemClock, type ChallengeVerifier, type Clock, type SmsSender } from './domain/ports';
import { TokenIssuer, type TokenKeys } from './domain/token';
import { VerificationService } from './domain/verification-service';

/** What a handler needs, built once per process. */
export interface ServiceRuntime {
  readonly config: RuntimeConfig;
  readonly service: VerificationService;
  readonly secrets: ServiceSecrets;
  /** The token keys, in the function that signs and publishes them (the check function). */
  readonly tokenKeys?: TokenKeys | undefined;
}

/**
 * The parts only one route needs, supplied by its handler so the other's bundle never loads
 * them: the send function has no token keys (KMS), the check function no SMS client.
 */
export interface RuntimeParts {
  readonly smsSender?: (config: RuntimeConfig, secrets: ServiceSecrets) => SmsSender | Promise<SmsSender>;
  readonly tokenKeys?: (config: RuntimeConfig) => TokenKeys | undefined;
  /** The bot challenge's verifier, where one is configured (the send function's part). */
  readonly challengeVerifier?: (config: RuntimeConfig, secrets: ServiceSecrets) => Promise<ChallengeVerifier | undefined>;
}

/** Parts a test or the local server may supply instead of the configured ones. */
export interface RuntimeOverrides {
  readonly clock?: Clock;
  readonly sender?: SmsSender;
  readonly db?: DynamoDBDocumentClient;
  readonly secretsClient?: SecretsManagerClient;
  readonly tokenKeys?: TokenKeys;
  /** What a send's DynamoDB calls may take together (default: by where DynamoDB is, as for the client's own limits). */
  readonly storeAllowanceMs?: number;
}

/** Builds the runtime from environment variables: config, secrets, SDK clients, and the route's parts. */
export async function buildRuntime(
  env: Readonly<Record<string, string | undefined>>,
  overrides: RuntimeOverrides = {},
  parts: RuntimeParts = {},
): Promise<ServiceRuntime> {
  const config = readConfig(env);
  if (config.policy.testNumbers.size > 0) {
    // Masked, like every number in a log: the operator sees that (and which) review numbers are on.
    const masked = [...config.policy.testNumbers.keys()].map((n) => parsePhoneNumber(n, config.allowedCountries).masked);
    logger.warn('TEST_NUMBERS is set: these numbers get a fixed code, no SMS and no limit', { testNumbers: masked });
  }
  const secrets = await loadSecrets(config.secrets, overrides.secretsClient);
  const db = overrides.db ?? documentClient(config, env);
  const tokenKeys = overrides.tokenKeys ?? parts.tokenKeys?.(config);
  const service = new VerificationService({
    store: new DynamoVerificationStore(db, config.tableName),
    counters: new DynamoAbuseCounters(db, config.limitsTableName),
    sender: overrides.sender ?? (await parts.smsSender?.(config, secrets)) ?? { provider: 'none', ...unconfigured('an SMS sender', 'send') },
    hasher: new CodeHasher(secrets.codeHashSecret),
    tokens: tokenKeys ? new TokenIssuer(config.token, tokenKeys) : unconfigured('a token signer', 'issue'),
    clock: overrides.clock ?? systemClock,
    policy: config.policy,
    message: config.message,
    storeAllowanceMs:
      overrides.storeAllowanceMs ?? (isLoopbackUrl(config.dynamodbEndpoint ?? '') ? LOCAL_SEND_DYNAMODB_ALLOWANCE_MS : SEND_DYNAMODB_ALLOWANCE_MS),
    challenge: await challenge(config, secrets, parts),
  });
  return { config, service, secrets, tokenKeys };
}

/** The challenge the send rules ask, where the config names one and the route has the part that verifies it. */
async function challenge(config: RuntimeConfig, secrets: ServiceSecrets, parts: RuntimeParts) {
  const verifier = config.challenge && (await parts.challengeVerifier?.(config, secrets));
  return verifier && config.challenge ? { verifier, when: config.challenge.when, timeoutMs: config.challenge.timeoutMs } : undefined;
}

const shared = new Map<RuntimeParts, Promise<ServiceRuntime>>();

/**
 * The process-wide runtime of a route, built on first use from `process.env` and reused by every
 * request of a warm container. A failed build is not cached, so a passing Secrets Manager hiccup heals.
 */
export function serviceRuntime(parts: RuntimeParts): Promise<ServiceRuntime> {
  let runtime = shared.get(parts);
  if (!runtime) {
    runtime = buildRuntime(process.env, {}, parts).catch((error: unknown) => {
      shared.delete(parts);
      throw error;
    });
    shared.set(parts, runtime);
  }
  return runtime;
}

/**
 * Sockets per client. The SDK's default pool of 50 queues the rest, and its connection timer runs
 * while a request waits in that queue: 200 concurrent requests on the local server timed out
 * there and answered 503 against a healthy DynamoDB Local. A Lambda serves one request at a time
 * and never comes near this.
 */
const MAX_SOCKETS = 1024;

/** The document client; locally (DynamoDB Local) with placeholder credentials unless real ones are set. */
export function documentClient(
  config: Pick<RuntimeConfig, 'dynamodbEndpoint'>,
  env: Readonly<Record<string, string | undefined>> = {},
  timeouts: { connectionMs: number; requestMs: number; attempts?: number } = isLoopbackUrl(config.dynamodbEndpoint ?? '')
    ? LOCAL_DYNAMODB_TIMEOUTS
    : DYNAMODB_TIMEOUTS,
): DynamoDBDocumentClient {
  const local = config.dynamodbEndpoint !== undefined && !env.AWS_ACCESS_KEY_ID;
  const agent = { keepAlive: true, maxSockets: MAX_SOCKETS };
  const client = new DynamoDBClient({
    ...(config.dynamodbEndpoint && { endpoint: config.dynamodbEndpoint }),
    ...(local && { region: env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    maxAttempts: timeouts.attempts ?? 3,
    requestHandler: {
      connectionTimeout: timeouts.connectionMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
      httpAgent: agent,
      httpsAgent: agent,
    },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * A part this function was deliberately not given (least privilege: the send function cannot
 * sign tokens, the check function cannot text). Using it is a wiring bug: a 500.
 */
function unconfigured<K extends string>(what: string, method: K): Record<K, () => Promise<never>> {
  return { [method]: async () => Promise.reject(new ConfigError(`${what} is not part of this function`)) } as Record<K, () => Promise<never>>;
}
