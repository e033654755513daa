import { parsePhoneNumber } from './domain/phone';
import { lambdaHandler, type Route } from './http/api';
import { checkCodeBody, parseFields } from './http/schemas';
import { tokenIssuer } from './domain/token';
import { serviceRuntime, type RuntimeParts } from './runtime';

/** `POST /v1/verifications/check`: approves the code once and returns the signed token. */
export const checkCodeRoute: Route = {
  path: '/v1/verifications/check',
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

/** What only this route needs: a token signer (and no SMS client). */
export const CHECK_PARTS: RuntimeParts = { tokenIssuer: (config, secrets) => tokenIssuer(config.token, secrets.signingKey) };

export const runtime = () => serviceRuntime(CHECK_PARTS);
export const handler = lambdaHandler(checkCodeRoute, runtime);
