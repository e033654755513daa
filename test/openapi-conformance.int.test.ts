import { KmsTokenKeys } from '../functions/adapters/kms-token-keys';
import { checkCodeRoute, jwksRoute } from '../functions/check-code';
import { lambdaHandler } from '../functions/http/api';
import { buildRuntime } from '../functions/runtime';
import { sendCodeRoute } from '../functions/send-code';
import { kmsClientFor, startAws } from './support/aws';
import { startChallengeEmulator } from './emulators/challenge-emulator/challenge-emulator.cjs';
import { RecordingSender, wrong } from './support/fakes';
import { dynamoHarness } from './support/harness';
import { ALL_PARTS, apiEvent, handlerFor, parseResult, postEvent, TEST_SECRETS, type HttpAnswer } from './support/http-events';
import { nonConformance } from './support/openapi';

const SEND = '/v1/verifications';
const CHECK = '/v1/verifications/check';
const JWKS = '/.well-known/jwks.json';

/** Every answer of a run that walks every documented status of both routes. */
async function collectAnswers(): Promise<Array<{ path: string; method: string; label: string; answer: HttpAnswer }>> {
  const seen: Array<{ path: string; method: string; label: string; answer: HttpAnswer }> = [];
  const note = (path: string, label: string, answer: HttpAnswer, method = 'POST') => (seen.push({ path, method, label, answer }), answer);
  const h = await dynamoHarness({ ANDROID_APP_HASH: 'FA+9qCX9VSu' });
  const KR = { phoneNumber: '010-1234-5678' };
  const E164 = '+821012345678';

  note(SEND, '202', await h.send(KR, { 'Idempotency-Key': 'k1' }));
  note(SEND, '202 replayed', await h.send(KR, { 'Idempotency-Key': 'k1' }));
  note(SEND, '429 resend_too_soon', await h.send(KR));
  note(SEND, '400 invalid_request', await h.send({}));
  note(SEND, '400 invalid_phone_number', await h.send({ phoneNumber: '02-123-4567' }));
  note(SEND, '400 unsupported_country', await h.send({ phoneNumber: '+1 202 555 0143' }));
  note(SEND, '413', await h.send(JSON.stringify({ phoneNumber: 'x'.repeat(5000) })));
  const send = handlerFor(sendCodeRoute, h.runtime);
  note(SEND, '415', await send(apiEvent({ path: SEND, body: 'phoneNumber=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })));
  note(SEND, '405', await send(apiEvent({ path: SEND, method: 'GET' })), 'GET');
  note('/v1/unknown', '404 not_found', await send(apiEvent({ path: '/v1/unknown', method: 'DELETE' })), 'DELETE');

  const code = h.sender.lastCode();
  note(CHECK, '400 incorrect_code', await h.check({ phoneNumber: E164, code: wrong(code) }));
  note(CHECK, '400 invalid_request', await h.check({ phoneNumber: E164, code: '12' }));
  note(CHECK, '200', await h.check({ phoneNumber: E164, code }));
  note(CHECK, '404 verification_not_found', await h.check({ phoneNumber: E164, code }));
  h.clock.advance(60_000);
  await h.send(KR);
  for (let i = 0; i < 5; i += 1) await h.check({ phoneNumber: E164, code: wrong(h.sender.lastCode()) });
  note(CHECK, '429 too_many_attempts', await h.check({ phoneNumber: E164, code: h.sender.lastCode() }));
  note(CHECK, '405', await handlerFor(checkCodeRoute, h.runtime)(apiEvent({ path: CHECK, method: 'PUT' })), 'PUT');

  for (let i = 0; i < 3; i += 1) {
    h.clock.advance(60_000);
    await h.send(KR);
  }
  h.clock.advance(60_000);
  note(SEND, '429 send_limit_reached', await h.send(KR));

  const other = await dynamoHarness();
  other.sender.mode = 'refuse';
  note(SEND, '502', await other.send(KR));
  other.sender.mode = 'timeout';
  note(SEND, '504', await other.send(KR));

  const gated = await dynamoHarness();
  const { entered, release } = gated.sender.hold();
  const first = gated.send(KR, { 'Idempotency-Key': 'slow' });
  await entered;
  note(SEND, '409', await gated.send(KR, { 'Idempotency-Key': 'slow' }));
  release();
  await first;

  const offline = await buildRuntime({ ...TEST_SECRETS, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }, { sender: new RecordingSender() }, ALL_PARTS);
  note(SEND, '503', await handlerFor(sendCodeRoute, offline)(postEvent(SEND, KR)));
  note(CHECK, '503', await handlerFor(checkCodeRoute, offline)(postEvent(CHECK, { phoneNumber: E164, code: '123456' })));
  const broken = async () => Promise.reject(new Error('bug'));
  note(SEND, '500', parseResult(await lambdaHandler(sendCodeRoute, broken)(postEvent(SEND, KR))));
  note(CHECK, '500', parseResult(await lambdaHandler(checkCodeRoute, broken)(postEvent(CHECK, {}))));
  note(CHECK, '413', await h.check(JSON.stringify({ code: 'x'.repeat(5000) })));
  note(CHECK, '415', await handlerFor(checkCodeRoute, h.runtime)(apiEvent({ path: CHECK, body: '{}', headers: {} })));
  note(CHECK, '400 unsupported_country', await h.check({ phoneNumber: '+44 7400 123456', code: '123456' }));

  // Where a bot challenge is configured (against the challenge stand-in).
  const challengeService = await startChallengeEmulator();
  try {
    challengeService.addSite({ service: 'hcaptcha', sitekey: 'a1b2c3d4-0000-4000-8000-000000000001', secret: '0xaccount-secret' });
    const challenged = await dynamoHarness({
      CHALLENGE_PROVIDER: 'hcaptcha',
      CHALLENGE_SITE_KEY: 'a1b2c3d4-0000-4000-8000-000000000001',
      CHALLENGE_SECRET: '0xaccount-secret',
      CHALLENGE_ENDPOINT: challengeService.url,
    });
    note(SEND, '403 challenge_required', await challenged.send(KR));
    note(SEND, '403 challenge_failed', await challenged.send({ ...KR, challengeToken: 'not-a-token-of-this-site' }));
    note(SEND, '413 over the challenge limit', await challenged.send(JSON.stringify({ ...KR, challengeToken: 'x', pad: 'p'.repeat(20_480) })));
    challengeService.mode = 'fail500';
    note(SEND, '503 challenge service', await challenged.send({ ...KR, challengeToken: 'any' }));
  } finally {
    await challengeService.close();
  }

  note(JWKS, '200', await h.jwks(), 'GET');
  note(JWKS, '405', await h.jwks('POST'), 'POST');
  note(JWKS, '500', parseResult(await lambdaHandler(jwksRoute, broken)(apiEvent({ path: JWKS, method: 'GET' }))), 'GET');
  const emu = await startAws();
  try {
    emu.mode.kms = 'throttle';
    const throttled = await dynamoHarness({}, { tokenKeys: new KmsTokenKeys(kmsClientFor(emu), emu.kms.createKey().arn, []) });
    note(JWKS, '503', await throttled.jwks(), 'GET');
  } finally {
    await emu.close();
  }
  return seen;
}

describe('every answer conforms to openapi.yaml', () => {
  let answers: Awaited<ReturnType<typeof collectAnswers>>;
  beforeAll(async () => {
    answers = await collectAnswers();
  });

  it('covers every documented status of the three routes (but the gateway’s own 429)', () => {
    const statuses = (path: string) => [...new Set(answers.filter((a) => a.path === path && a.method === 'POST').map((a) => a.answer.status))].sort();
    expect(statuses(SEND)).toEqual([202, 400, 403, 409, 413, 415, 429, 500, 502, 503, 504]);
    expect(statuses(CHECK)).toEqual([200, 400, 404, 413, 415, 429, 500, 503]);
    expect([...new Set(answers.filter((a) => a.path === JWKS && a.method === 'GET').map((a) => a.answer.status))].sort()).toEqual([200, 500, 503]);
    for (const a of answers) expect(`${a.label} → ${a.answer.status}`).toMatch(new RegExp(`^${a.label.split(' ')[0]} `));
  });

  it('has a body and headers the document allows, for every answer', () => {
    const failures = answers
      .map((a) => ({ case: `${a.method} ${a.path} ${a.label}`, problems: nonConformance(a.path, a.method, a.answer) }))
      .filter((f) => f.problems.length > 0);
    expect(failures).toEqual([]);
  });

  it('is checked for real: a 202 without phoneNumber, or an undocumented code, does not conform', () => {
    const sent = answers.find((a) => a.label === '202')?.answer as HttpAnswer;
    expect(nonConformance(SEND, 'POST', { ...sent, json: { ...sent.json, phoneNumber: undefined } })).not.toEqual([]);
    const refused = answers.find((a) => a.label === '429 resend_too_soon')?.answer as HttpAnswer;
    expect(nonConformance(SEND, 'POST', { ...refused, json: { ...refused.json, code: 'too_many_attempts' } })).not.toEqual([]);
    expect(nonConformance(SEND, 'POST', { ...refused, headers: { ...refused.headers, 'Retry-After': '0' } })).not.toEqual([]);
  });
});
