import { VerificationError } from './domain/errors';
import { parsePhoneNumber } from './domain/phone';
import { lambdaHandler, type Route } from './http/api';
import { CHALLENGE_MAX_BODY_BYTES, MAX_BODY_BYTES } from './http/request';
import { IDEMPOTENCY_KEY, parseFields, sendCodeBody } from './http/schemas';
import { smsSender } from './adapters/sms-senders';
import { challengeVerifier } from './adapters/challenge-verifiers';
import { serviceRuntime, type RuntimeParts } from './runtime';

/** `POST /v1/verifications`: texts a new code to the number. */
export const sendCodeRoute: Route = {
  path: '/v1/verifications',
  method: 'POST',
  maxBodyBytes: (config) => (config.challenge ? CHALLENGE_MAX_BODY_BYTES : MAX_BODY_BYTES),
  async handle(request, { config, service }) {
    const { phoneNumber, channel, challengeToken } = parseFields(sendCodeBody, request.body);
    const keys = request.headerValues('idempotency-key');
    if (keys.length > 1 || (keys.length === 1 && !IDEMPOTENCY_KEY.test(keys[0] ?? ''))) {
      throw new VerificationError('invalid_request', { reason: 'idempotency_key' });
    }
    const phone = parsePhoneNumber(phoneNumber, config.allowedCountries);
    request.log.appendKeys({ phoneNumber: phone.masked });
    const { response, replayed, providerRequestId, replayNotStored, testNumber } = await service.send(phone, {
      idempotencyKey: keys[0],
      channel,
      challengeToken,
      remoteIp: request.sourceIp,
    });
    const headers = replayed ? { 'Idempotent-Replayed': 'true' } : {};
    if (testNumber) {
      request.log.warn('test number used: fixed code, no SMS, no limit charged');
      return { statusCode: 202, body: response, headers, outcome: 'TestNumberUsed' };
    }
    if (providerRequestId) request.log.appendKeys({ smsRequestId: providerRequestId });
    if (replayNotStored) request.log.warn('sent, but the 202 could not be stored for Idempotency-Key replays');
    return { statusCode: 202, body: response, headers, outcome: replayed ? 'IdempotentReplay' : 'CodeSent' };
  },
};

/** What only this route needs: an SMS sender and the bot challenge's verifier (and no token signer). */
export const SEND_PARTS: RuntimeParts = { smsSender, challengeVerifier };

export const runtime = () => serviceRuntime(SEND_PARTS);
export const handler = lambdaHandler(sendCodeRoute, runtime);
