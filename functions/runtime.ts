import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConsoleSmsSender } from './adapters/console-sms-sender';
import { DynamoAbuseCounters } from './adapters/dynamodb-counters';
import { DynamoVerificationStore } from './adapters/dynamodb-store';
import { loadSecrets, type ServiceSecrets } from './adapters/secrets';
import { SensSmsSender } from './adapters/sens-sms-sender';
import { ConfigError, readConfig, type RuntimeConfig } from './config';
import { CodeHasher } from './domain/code';
import { SmsDeliveryError, systemClock, type Clock, type SmsSender } from './domain/ports';
import { TokenIssuer } from './domain/token';
import { VerificationService } from './domain/verification-service';

/** What a handler needs, built once per process. */
export interface ServiceRuntime {
  readonly config: RuntimeConfig;
  readonly service: VerificationService;
  readonly secrets: ServiceSecrets;
}

/** Parts a test or the local server may supply instead of the configured ones. */
export interface RuntimeOverrides {
  readonly clock?: Clock;
  readonly sender?: SmsSender;
  readonly db?: DynamoDBDocumentClient;
  readonly secretsClient?: SecretsManagerClient;
}

/** Builds the runtime from environment variables: config, secrets, SDK clients, sender. */
export async function buildRuntime(env: Readonly<Record<string, string | undefined>>, overrides: RuntimeOverrides = {}): Promise<ServiceRuntime> {
  const config = readConfig(env);
  const secrets = await loadSecrets(config.secrets, overrides.secretsClient);
  const db = overrides.db ?? documentClient(config, env);
  const service = new VerificationService({
    store: new DynamoVerificationStore(db, config.tableName),
    counters: new DynamoAbuseCounters(db, config.limitsTableName),
    sender: overrides.sender ?? smsSender(config, secrets),
    hasher: new CodeHasher(secrets.codeHashSecret),
    tokens: secrets.signingKey ? new TokenIssuer(config.token, secrets.signingKey) : unconfigured('TOKEN_SECRET_ARN'),
    clock: overrides.clock ?? systemClock,
    policy: config.policy,
    message: config.message,
  });
  return { config, service, secrets };
}

let shared: Promise<ServiceRuntime> | undefined;

/**
 * The process-wide runtime, built on first use from `process.env` and reused by every request
 * of a warm container. A failed build is not cached, so a passing Secrets Manager hiccup heals.
 */
export function serviceRuntime(): Promise<ServiceRuntime> {
  shared ??= buildRuntime(process.env).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/**
 * Hard limits on every DynamoDB call (SPEC: a request never hangs; 503 within 5 s). Each attempt
 * may take `requestMs` from the moment it is issued (`throwOnRequestTimeout`: without it the SDK
 * only logs a warning and waits for ever on a DynamoDB that accepted the connection and stopped
 * answering); three attempts and the SDK's backoff stay under 4 s.
 */
export const DYNAMODB_TIMEOUTS = { connectionMs: 1000, requestMs: 1000 };

/**
 * The longest one DynamoDB call can take before it answers 503: 3 attempts of 1 s and the SDK's
 * backoff between them (measured 3.1 s with DynamoDB Local paused). Function timeouts are sized from it.
 */
export const DYNAMODB_CALL_LIMIT_MS = 3_500;

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
  timeouts = DYNAMODB_TIMEOUTS,
): DynamoDBDocumentClient {
  const local = config.dynamodbEndpoint !== undefined && !env.AWS_ACCESS_KEY_ID;
  const agent = { keepAlive: true, maxSockets: MAX_SOCKETS };
  const client = new DynamoDBClient({
    ...(config.dynamodbEndpoint && { endpoint: config.dynamodbEndpoint }),
    ...(local && { region: env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    maxAttempts: 3,
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

function smsSender(config: RuntimeConfig, secrets: ServiceSecrets): SmsSender {
  if (config.smsProvider === 'console') return new ConsoleSmsSender();
  const credentials = config.sens.credentials ?? secrets.sensCredentials;
  if (!credentials) {
    // Refuse every send (502, nothing charged) rather than fail the function: the SMS alarm tells the operator.
    const reason = secrets.sensProblem ?? 'SENS_SECRET_ARN is not set for this function';
    return { send: async () => Promise.reject(new SmsDeliveryError(reason)) };
  }
  return new SensSmsSender(credentials, { endpoint: config.sens.endpoint, timeoutMs: config.policy.smsTimeoutMs });
}

/**
 * A part this function was deliberately not given (least privilege: the send function cannot
 * sign tokens). Using it is a wiring bug: a 500.
 */
function unconfigured(variable: string): Pick<TokenIssuer, 'issue'> {
  return {
    issue: async () => {
      throw new ConfigError(`${variable} is not set for this function`);
    },
  };
}
