import { ConfigError, readConfig, type RuntimeConfig } from './config';
import { parsePhoneNumber } from './domain/phone';
import { lambdaHandler, type Route } from './http/api';
import { checkCodeBody, parseFields } from './http/schemas';
import { tokenKeys } from './adapters/token-keys';
import { serviceRuntime, type RuntimeParts } from './runtime';

/** `POST /v1/verifications/check`: approves the code once and returns the signed token. */
export const checkCodeRoute: Route = {
  path: '/v1/verifications/check',
  method: 'POST',
  async handle(request, { config, service }) {
    // A malformed code is refused here, before it can use up an attempt.
    const { phoneNumber, code } = parseFields(checkCodeBody(config.policy.codeLength), request.body);
    const phone = parsePhoneNumber(phoneNumber, config.allowedCountries);
    request.log.appendKeys({ phoneNumber: phone.masked });
    const { testNumber, ...approved } = await service.check(phone, code);
    if (testNumber) request.log.warn('test number approved: its token carries test_number: true');
    return { statusCode: 200, body: approved, outcome: 'CodeApproved' };
  },
};

/** How long browsers, CDNs and backends may keep the key set (docs/tokens.md: rotation waits this long). */
export const JWKS_MAX_AGE_SECONDS = 300;

/**
 * `GET /.well-known/jwks.json`: the public keys that verify tokens (RFC 7517), from any origin.
 * The check function serves it because it holds the keys.
 */
export const jwksRoute: Route = {
  path: '/.well-known/jwks.json',
  method: 'GET',
  public: true,
  async handle(_request, { tokenKeys: keys }) {
    if (!keys) throw new Error('this function has no token keys');
    return {
      statusCode: 200,
      body: { keys: await keys.publishedKeys() },
      headers: { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` },
      outcome: 'KeysPublished',
    };
  },
};

/** The check function cannot approve without a token key (docs/tokens.md). */
function requireSigningKey(config: Pick<RuntimeConfig, 'tokenKeys'>): void {
  if (config.tokenKeys.kind === 'none')
    throw new ConfigError('TOKEN_KEY_ID must name the KMS key the check function signs tokens with: without it, no code can be approved');
}

/** What only this function needs: the token keys (and no SMS client). */
export const CHECK_PARTS: RuntimeParts = {
  tokenKeys: (config) => {
    requireSigningKey(config);
    return tokenKeys(config.tokenKeys);
  },
};

// In Lambda the settings are read as the function starts: without a token key it refuses to start,
// a failure the deploy's alarms see, rather than answering 500 to every approval.
if (process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined) requireSigningKey(readConfig(process.env));

export const runtime = () => serviceRuntime(CHECK_PARTS);
export const handler = lambdaHandler([checkCodeRoute, jwksRoute], runtime);
