import { createPhoneVerifyClient, PhoneVerifyRequestError } from '../../client';

/**
 * The client's retry rules, with a scripted fetch (pure logic: what the API answers is the
 * e2e test's business, test/e2e/client.int.test.ts).
 */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

function scripted(answers: Answer[]) {
  const requests: Array<{ url: string; headers: Headers; body: unknown }> = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    requests.push({ url: request.url, headers: request.headers, body: await request.json() });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers scripted');
    if (answer === 'network-error') throw new TypeError('fetch failed');
    const json = answer.status < 300;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'Content-Type': json ? 'application/json' : 'application/problem+json', ...answer.headers },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

const ACCEPTED = {
  status: 'pending',
  phoneNumber: '+821012345678',
  channel: 'sms',
  expiresAt: '2026-12-02T00:05:00Z',
  resendAvailableAt: '2026-12-02T00:01:00Z',
};
const problem = (status: number, code: string, extra: object = {}) => ({
  type: `urn:phone-verify:problem:${code.replaceAll('_', '-')}`,
  title: 't',
  status,
  detail: 'd',
  code,
  ...extra,
});

describe('createPhoneVerifyClient', () => {
  it('posts to the base URL, with or without its trailing slash, and a fresh Idempotency-Key per send', async () => {
    const { fetch, requests } = scripted([
      { status: 202, body: ACCEPTED },
      { status: 202, body: ACCEPTED },
    ]);
    await createPhoneVerifyClient({ baseUrl: 'https://verify.example.com/prod/', fetch }).sendCode('010-1234-5678');
    await createPhoneVerifyClient({ baseUrl: 'https://verify.example.com/prod', fetch }).sendCode('010-1234-5678', { channel: 'alimtalk' });
    expect(requests.map((r) => r.url)).toEqual(['https://verify.example.com/prod/v1/verifications', 'https://verify.example.com/prod/v1/verifications']);
    expect(requests.map((r) => r.body)).toEqual([{ phoneNumber: '010-1234-5678' }, { phoneNumber: '010-1234-5678', channel: 'alimtalk' }]);
    const keys = requests.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('makes a key from random bytes where randomUUID is missing (a page served over plain http)', async () => {
    const { fetch, requests } = scripted([{ status: 202, body: ACCEPTED }]);
    // randomUUID lives on Crypto.prototype: an own property of `undefined` hides it, deleting it brings it back.
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch }).sendCode('010-1234-5678');
    } finally {
      delete (globalThis.crypto as { randomUUID?: unknown }).randomUUID;
    }
    expect(requests[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof globalThis.crypto.randomUUID).toBe('function');
  });

  it.each([
    ['a 503', { status: 503, body: problem(503, 'service_unavailable'), headers: { 'Retry-After': '1' } }],
    ['a 409', { status: 409, body: problem(409, 'request_in_progress'), headers: { 'Retry-After': '1' } }],
    ['a network failure', 'network-error'],
  ] as Array<[string, Answer]>)('retries a send after %s with the same Idempotency-Key', async (_label, first) => {
    const { fetch, requests } = scripted([first, { status: 202, body: ACCEPTED, headers: { 'Idempotent-Replayed': 'true' } }]);
    const result = await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch }).sendCode('010-1234-5678', { idempotencyKey: 'k-1' });
    expect(result).toMatchObject({ ok: true, data: { ...ACCEPTED, replayed: true } });
    expect(requests.map((r) => r.headers.get('idempotency-key'))).toEqual(['k-1', 'k-1']);
  });

  it.each([
    [400, 'invalid_phone_number'],
    [429, 'resend_too_soon'],
    [502, 'sms_delivery_failed'],
    [504, 'sms_provider_timeout'],
  ])('never retries a %i (%s): the problem is the answer', async (status, code) => {
    const { fetch, requests } = scripted([{ status, body: problem(status, code), headers: { 'Retry-After': '1', 'X-Request-Id': 'r-1' } }]);
    const result = await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch }).sendCode('010-1234-5678');
    expect(result).toEqual({ ok: false, problem: { ...problem(status, code), retryAfterSeconds: 1, requestId: 'r-1' } });
    expect(requests).toHaveLength(1);
  });

  describe('with a bot challenge token (docs/challenge.md, "The client\'s rule")', () => {
    it('sends challengeToken in the body', async () => {
      const { fetch, requests } = scripted([{ status: 202, body: ACCEPTED }]);
      await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch }).sendCode('010-1234-5678', { challengeToken: 'widget-token' });
      expect(requests[0]?.body).toEqual({ phoneNumber: '010-1234-5678', challengeToken: 'widget-token' });
    });

    it('returns a 503 instead of retrying it: the token may be spent, the caller gets a new one', async () => {
      const { fetch, requests } = scripted([{ status: 503, body: problem(503, 'service_unavailable'), headers: { 'Retry-After': '1' } }]);
      const result = await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch }).sendCode('010-1234-5678', { challengeToken: 't' });
      expect(result).toMatchObject({ ok: false, problem: { code: 'service_unavailable', retryAfterSeconds: 1 } });
      expect(requests).toHaveLength(1);
    });

    it('still retries a 409 with the same key and token (the key is judged before the challenge)', async () => {
      const { fetch, requests } = scripted([
        { status: 409, body: problem(409, 'request_in_progress'), headers: { 'Retry-After': '1' } },
        { status: 202, body: ACCEPTED, headers: { 'Idempotent-Replayed': 'true' } },
      ]);
      const result = await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch }).sendCode('010-1234-5678', {
        challengeToken: 't',
        idempotencyKey: 'k',
      });
      expect(result).toMatchObject({ ok: true, data: { replayed: true } });
      expect(requests.map((r) => [r.headers.get('idempotency-key'), (r.body as { challengeToken?: string }).challengeToken])).toEqual([
        ['k', 't'],
        ['k', 't'],
      ]);
    });

    it.each([
      [403, 'challenge_required'],
      [403, 'challenge_failed'],
    ])('never retries a %i (%s): the caller renders the widget', async (status, code) => {
      const { fetch, requests } = scripted([{ status, body: problem(status, code) }]);
      expect(await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch }).sendCode('010-1234-5678')).toMatchObject({ ok: false, problem: { code } });
      expect(requests).toHaveLength(1);
    });
  });

  it('gives up after `retries`, and does not wait out a Retry-After longer than maxRetryWaitMs', async () => {
    const busy = { status: 503, body: problem(503, 'service_unavailable'), headers: { 'Retry-After': '1' } };
    const twice = scripted([busy, busy]);
    expect(await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch: twice.fetch, retries: 1 }).sendCode('010-1234-5678')).toMatchObject({
      ok: false,
      problem: { code: 'service_unavailable' },
    });
    expect(twice.requests).toHaveLength(2);
    const long = scripted([{ ...busy, headers: { 'Retry-After': '30' } }]);
    expect(await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch: long.fetch }).sendCode('010-1234-5678')).toMatchObject({
      ok: false,
      problem: { retryAfterSeconds: 30 },
    });
    expect(long.requests).toHaveLength(1);
  });

  it('never retries a check (each one spends an attempt), not even after a 503 or a network failure', async () => {
    const busy = scripted([{ status: 503, body: problem(503, 'service_unavailable'), headers: { 'Retry-After': '1' } }]);
    expect(await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch: busy.fetch }).checkCode('010-1234-5678', '123456')).toMatchObject({
      ok: false,
      problem: { code: 'service_unavailable' },
    });
    expect(busy.requests).toHaveLength(1);
    const down = scripted(['network-error']);
    await expect(createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch: down.fetch }).checkCode('010-1234-5678', '123456')).rejects.toBeInstanceOf(
      PhoneVerifyRequestError,
    );
    expect(down.requests).toHaveLength(1);
  });

  it('sends Accept-Language when a language is chosen, and none otherwise', async () => {
    const { fetch, requests } = scripted([
      { status: 202, body: ACCEPTED },
      { status: 200, body: {} },
    ]);
    await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch, language: 'ko' }).sendCode('010-1234-5678');
    await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch }).checkCode('010-1234-5678', '123456');
    expect(requests.map((r) => r.headers.get('accept-language'))).toEqual(['ko', null]);
  });

  it("throws PhoneVerifyRequestError for an answer that is not the API's (a proxy's HTML 502, say)", async () => {
    const fetch = (async () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } })) as typeof globalThis.fetch;
    const error = await createPhoneVerifyClient({ baseUrl: 'https://x.example', fetch })
      .sendCode('010-1234-5678')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PhoneVerifyRequestError);
    expect((error as PhoneVerifyRequestError).status).toBe(502);
  });
});
