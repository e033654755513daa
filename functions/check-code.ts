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

/** What only this function needs: the token keys (and no SMS client). */
export const CHECK_PARTS: RuntimeParts = { tokenKeys: (config) => tokenKeys(config.tokenKeys) };

export const runtime = () => serviceRuntime(CHECK_PARTS);
export const handler = lambdaHandler([checkCodeRoute, jwksRoute], runtime);
