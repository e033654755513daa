import { wrong } from '../support/fakes';
import { dynamoHarness, type Harness } from '../support/harness';
import { withoutSeq } from '../support/items';

const KR = { phoneNumber: '010-1234-5678' };
const E164 = '+821012345678';
const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

describe('POST /v1/verifications', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await dynamoHarness();
  });

  it('answers 202 with the E.164 number, expiry and resend time, and texts a 6-digit code', async () => {
    const answer = await h.send(KR);
    expect(answer.status).toBe(202);
    expect(answer.headers['Content-Type']).toBe('application/json');
    expect(answer.json).toEqual({
      status: 'pending',
      phoneNumber: E164,
      channel: 'sms',
      expiresAt: new Date(h.clock.now() + 300 * SECOND).toISOString(),
      resendAvailableAt: new Date(h.clock.now() + 60 * SECOND).toISOString(),
    });
    expect(h.sender.messages).toHaveLength(1);
    expect(h.sender.messages[0]?.text).toMatch(/^\[phone-verify\] 인증번호 \[[0-9]{6}\]를 입력해주세요\.$/);
    expect(h.sender.messages[0]?.to.nationalDigits).toBe('01012345678');
  });

  it('takes an explicit "channel": "sms"; refuses "alimtalk" where it is not configured, and anything else', async () => {
    expect((await h.send({ ...KR, channel: 'sms' })).json.channel).toBe('sms');
    const alimtalk = await h.send({ phoneNumber: '010-9999-0000', channel: 'alimtalk' });
    expect({ status: alimtalk.status, code: alimtalk.json.code }).toEqual({ status: 400, code: 'unsupported_channel' });
    for (const channel of ['fax', 'SMS', 5, null]) expect((await h.send({ phoneNumber: '010-9999-0000', channel })).json.code).toBe('invalid_request');
    expect(await h.item('+821099990000')).toBeUndefined();
  });

  it('stores only a keyed hash of the code, never the code, with the TTL at the window end', async () => {
    await h.send(KR);
    const item = await h.item();
    const code = h.sender.lastCode();
    expect(JSON.stringify(item)).not.toContain(code);
    expect(item).toMatchObject({
      phoneNumber: E164,
      attempts: 0,
      maxAttempts: 5,
      sendCount: 1,
      windowStart: h.clock.now(),
      lastSentAt: h.clock.now(),
      codeExpiresAt: h.clock.now() + 300 * SECOND,
      ttl: Math.ceil((h.clock.now() + DAY) / 1000),
    });
    expect(item?.codeHash).toEqual(h.hasher.hash(E164, code));
  });

  it('refuses a second send within the cooldown with 429 resend_too_soon and Retry-After', async () => {
    await h.send(KR);
    h.clock.advance(15_500);
    const answer = await h.send(KR);
    expect(answer.status).toBe(429);
    expect(answer.json).toMatchObject({ code: 'resend_too_soon', type: 'urn:phone-verify:problem:resend-too-soon', status: 429 });
    expect(answer.headers['Retry-After']).toBe('45'); // 44.5 s rounded up
    expect(answer.headers['Content-Type']).toBe('application/problem+json');
    expect(h.sender.messages).toHaveLength(1);
  });

  it('sends again once the cooldown is over, and the new code replaces the old', async () => {
    await h.send(KR);
    const first = h.sender.lastCode();
    h.clock.advance(60 * SECOND);
    expect((await h.send(KR)).status).toBe(202);
    const second = h.sender.lastCode();
    const old = await h.check({ phoneNumber: E164, code: first });
    if (first !== second) expect(old.json.code).toBe('incorrect_code');
    expect((await h.check({ phoneNumber: E164, code: second })).status).toBe(200);
  });

  it('resets the attempt counter with a new code', async () => {
    await h.send(KR);
    for (let i = 0; i < 3; i += 1) await h.check({ phoneNumber: E164, code: wrong(h.sender.lastCode()) });
    h.clock.advance(60 * SECOND);
    await h.send(KR);
    expect((await h.item())?.attempts).toBe(0);
    const answer = await h.check({ phoneNumber: E164, code: wrong(h.sender.lastCode()) });
    expect(answer.json.attemptsRemaining).toBe(4);
  });

  it('caps sends at 5 per 24 h window with 429 send_limit_reached until the window ends', async () => {
    const start = h.clock.now();
    for (let i = 0; i < 5; i += 1) {
      expect((await h.send(KR)).status).toBe(202);
      h.clock.advance(60 * SECOND);
    }
    const refused = await h.send(KR);
    expect(refused.status).toBe(429);
    expect(refused.json.code).toBe('send_limit_reached');
    expect(Number(refused.headers['Retry-After'])).toBe(Math.ceil((start + DAY - h.clock.now()) / 1000));
    h.clock.current = start + DAY;
    expect((await h.send(KR)).status).toBe(202);
    expect(await h.item()).toMatchObject({ sendCount: 1, windowStart: start + DAY });
  });

  it('prefers send_limit_reached over resend_too_soon when both apply', async () => {
    for (let i = 0; i < 5; i += 1) {
      await h.send(KR);
      h.clock.advance(60 * SECOND);
    }
    h.clock.advance(-59 * SECOND); // 1 s after the fifth send: inside the cooldown too
    const answer = await h.send(KR);
    expect(answer.json.code).toBe('send_limit_reached');
  });

  it('gives resendAvailableAt at the window end when this send used up the daily cap', async () => {
    const start = h.clock.now();
    let last;
    for (let i = 0; i < 5; i += 1) {
      last = await h.send(KR);
      h.clock.advance(60 * SECOND);
    }
    expect(last?.json.resendAvailableAt).toBe(new Date(start + DAY).toISOString());
  });

  it('holds the cooldown across the end of a daily window', async () => {
    const start = h.clock.now();
    await h.send(KR);
    h.clock.current = start + DAY - 10 * SECOND;
    expect((await h.send(KR)).status).toBe(202);
    h.clock.current = start + DAY + 5 * SECOND; // the window is over, the cooldown is not
    const answer = await h.send(KR);
    expect(answer.json.code).toBe('resend_too_soon');
    expect(answer.headers['Retry-After']).toBe('45');
  });

  it('raises the TTL to the code expiry when the code outlives the window', async () => {
    const start = h.clock.now();
    await h.send(KR);
    h.clock.current = start + DAY - 100 * SECOND;
    await h.send(KR);
    expect((await h.item())?.ttl).toBe(Math.ceil((start + DAY + 200 * SECOND) / 1000));
  });

  describe('when the SMS provider refuses', () => {
    it('answers 502 sms_delivery_failed, leaves nothing behind, and lets the caller retry at once', async () => {
      h.sender.mode = 'refuse';
      const answer = await h.send(KR);
      expect(answer.status).toBe(502);
      expect(answer.json.code).toBe('sms_delivery_failed');
      expect(await h.item()).toBeUndefined();
      h.sender.mode = 'ok';
      expect((await h.send(KR)).status).toBe(202);
    });

    it('puts back a pending code and its counters exactly as they were', async () => {
      await h.send(KR);
      const code = h.sender.lastCode();
      await h.check({ phoneNumber: E164, code: wrong(code) });
      const before = await h.item();
      h.clock.advance(60 * SECOND);
      h.sender.mode = 'refuse';
      expect((await h.send(KR)).status).toBe(502);
      expect(withoutSeq(await h.item())).toEqual(withoutSeq(before));
      h.sender.mode = 'ok';
      expect((await h.check({ phoneNumber: E164, code })).status).toBe(200);
    });
  });

  describe('when the SMS provider times out', () => {
    it('answers 504 sms_provider_timeout and keeps the code active and the limits charged', async () => {
      h.sender.mode = 'timeout';
      const answer = await h.send(KR);
      expect(answer.status).toBe(504);
      expect(answer.json.code).toBe('sms_provider_timeout');
      expect(await h.item()).toMatchObject({ sendCount: 1, lastSentAt: h.clock.now() });
      h.sender.mode = 'ok';
      expect((await h.send(KR)).json.code).toBe('resend_too_soon');
      expect((await h.check({ phoneNumber: E164, code: h.sender.lastCode() })).status).toBe(200);
    });
  });

  describe('SMS auto-fill (per environment, opt-in)', () => {
    it('ends the message with the Android hash and then the WebOTP line, LF-separated, no trailing newline', async () => {
      const autofill = await dynamoHarness({ ANDROID_APP_HASH: 'FA+9qCX9VSu', WEBOTP_DOMAIN: 'app.example.com' });
      await autofill.send(KR);
      const code = autofill.sender.lastCode();
      expect(autofill.sender.messages[0]?.text).toBe(`[phone-verify] 인증번호 [${code}]를 입력해주세요.\nFA+9qCX9VSu\n@app.example.com #${code}`);
    });

    it('adds nothing when neither is set', async () => {
      await h.send(KR);
      expect(h.sender.messages[0]?.text).not.toContain('\n');
    });
  });

  describe('bad input', () => {
    it.each([
      ['a JSON array', 'invalid_request', '[]'],
      ['null', 'invalid_request', 'null'],
      ['a missing phoneNumber', 'invalid_request', '{}'],
      ['a number-typed phoneNumber', 'invalid_request', '{"phoneNumber":1012345678}'],
      ['broken JSON', 'invalid_request', '{"phoneNumber":'],
      ['a duplicate member', 'invalid_request', '{"phoneNumber":"010-1234-5678","phoneNumber":"010-9999-8888"}'],
      ['a landline', 'invalid_phone_number', '{"phoneNumber":"02-123-4567"}'],
      ['a US number', 'unsupported_country', '{"phoneNumber":"+1 202 555 0143"}'],
    ])('refuses %s with 400 %s and stores nothing', async (_label, code, body) => {
      const answer = await h.send(body);
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe(code);
      // The whole table: most of these name another number than the default one, or none.
      expect(await h.items()).toEqual([]);
      expect(h.sender.messages).toHaveLength(0);
    });

    it('ignores unknown members', async () => {
      expect((await h.send({ ...KR, locale: 'ko', __proto__: { admin: true } })).status).toBe(202);
    });
  });
});
