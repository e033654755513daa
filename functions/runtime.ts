import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConsoleSmsSender } from './adapters/console-sms-sender';
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
  const service = new VerificationService({
    store: new DynamoVerificationStore(overrides.db ?? documentClient(config, env), config.tableName),
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
 * Per-attempt DynamoDB timeouts. DynamoDB answers in milliseconds; three attempts of 1 s each
 * still end well inside the check function's 5 s, so a hung connection becomes a 503, not a Lambda timeout.
 */
export const DYNAMODB_TIMEOUTS = { connectionMs: 500, requestMs: 1000 };

/** The document client; locally (DynamoDB Local) with placeholder credentials unless real ones are set. */
export function documentClient(
  config: Pick<RuntimeConfig, 'dynamodbEndpoint'>,
  env: Readonly<Record<string, string | undefined>> = {},
  timeouts = DYNAMODB_TIMEOUTS,
): DynamoDBDocumentClient {
  const local = config.dynamodbEndpoint !== undefined && !env.AWS_ACCESS_KEY_ID;
  const client = new DynamoDBClient({
    ...(config.dynamodbEndpoint && { endpoint: config.dynamodbEndpoint }),
    ...(local && { region: env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: timeouts.connectionMs, requestTimeout: timeouts.requestMs },
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
