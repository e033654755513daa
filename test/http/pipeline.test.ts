import { buildRuntime, type ServiceRuntime } from '../../functions/runtime';
import { checkCodeRoute } from '../../functions/check-code';
import { sendCodeRoute } from '../../functions/send-code';
import { lambdaHandler } from '../../functions/http/api';
import { VerificationError } from '../../functions/domain/errors';
import { RecordingSender } from '../support/fakes';
import { ALL_PARTS, TEST_SECRETS, apiEvent, handlerFor, parseResult, postEvent } from '../support/http-events';

/** These requests are all refused before the store is used, so the DynamoDB endpoint is never dialled. */
async function runtimeWith(env: Record<string, string> = {}): Promise<ServiceRuntime> {
  return buildRuntime({ ...TEST_SECRETS, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', ...env }, { sender: new RecordingSender() }, ALL_PARTS);
}

describe('every request, before any rule', () => {
  let runtime: ServiceRuntime;
  let send: ReturnType<typeof handlerFor>;
  beforeAll(async () => {
    runtime = await runtimeWith();
    send = handlerFor(sendCodeRoute, runtime);
  });

  it('answers an unknown path with 404 not_found', async () => {
    const answer = await send(apiEvent({ path: '/v1/nothing', body: '{}', headers: { 'Content-Type': 'application/json' } }));
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ type: 'urn:phone-verify:problem:not-found', title: 'Not found', status: 404, detail: expect.any(String), code: 'not_found' });
  });

  it('answers a wrong method on a known path with 405 and Allow: POST', async () => {
    const answer = await send(apiEvent({ path: '/v1/verifications', method: 'GET' }));
    expect(answer.status).toBe(405);
    expect(answer.json.code).toBe('method_not_allowed');
    expect(answer.headers.Allow).toBe('POST');
  });

  it('checks the route before the content type', async () => {
    expect((await send(apiEvent({ path: '/v1/verifications', method: 'PUT', body: 'x', headers: { 'Content-Type': 'text/plain' } }))).status).toBe(405);
  });

  it.each([
    ['no content type', {}],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['form data', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['a non-UTF-8 charset', { 'Content-Type': 'application/json; charset=iso-8859-1' }],
    ['application/jsonx', { 'Content-Type': 'application/jsonx' }],
  ])('refuses %s with 415 unsupported_media_type', async (_label, headers) => {
    const answer = await send(apiEvent({ path: '/v1/verifications', body: '{"phoneNumber":"01012345678"}', headers }));
    expect(answer.status).toBe(415);
    expect(answer.json.code).toBe('unsupported_media_type');
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/json ; foo=bar'])('accepts content type %s', async (type) => {
    const answer = await send(postEvent('/v1/verifications', '{}', { 'Content-Type': type }));
    expect(answer.json.code).toBe('invalid_request'); // got past the media-type check to the fields
  });

  it('checks the content type before the size', async () => {
    expect((await send(apiEvent({ path: '/v1/verifications', body: 'x'.repeat(5000), headers: { 'Content-Type': 'text/plain' } }))).status).toBe(415);
  });

  it('refuses a body over 4,096 bytes with 413, counting bytes not characters', async () => {
    const padded = (n: number) => JSON.stringify({ phoneNumber: '+44', pad: '가'.repeat(n) });
    const fits = padded(Math.floor((4096 - padded(0).length) / 3));
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(4096);
    expect((await send(postEvent('/v1/verifications', fits))).status).toBe(400);
    const over = padded(Math.floor((4096 - padded(0).length) / 3) + 1);
    expect(Buffer.byteLength(over)).toBeGreaterThan(4096);
    const answer = await send(postEvent('/v1/verifications', over));
    expect(answer.status).toBe(413);
    expect(answer.json.code).toBe('payload_too_large');
  });

  it('also reads a plain-text body (API Gateway without the binary media type), counting its UTF-8 bytes', async () => {
    const event = postEvent('/v1/verifications', '{}');
    const text = (over: number) => JSON.stringify({ phoneNumber: '02', pad: '가'.repeat(Math.floor((4096 - 30) / 3) + over) });
    Object.assign(event, { body: text(0), isBase64Encoded: false });
    expect((await send(event)).json.code).toBe('invalid_phone_number');
    Object.assign(event, { body: text(2), isBase64Encoded: false });
    expect(Buffer.byteLength(text(2))).toBeGreaterThan(4096);
    expect((await send(event)).json.code).toBe('payload_too_large');
  });

  it('measures a base64 body after decoding', async () => {
    const body = Buffer.from(JSON.stringify({ phoneNumber: '02', pad: 'x'.repeat(4000) }));
    const event = apiEvent({ path: '/v1/verifications', body: body.toString('base64'), base64: true, headers: { 'Content-Type': 'application/json' } });
    expect((await send(event)).json.code).toBe('invalid_phone_number'); // 4,030 bytes decoded: not too large
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x70, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    ['an overlong encoding', Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])],
    ['a lone surrogate escape', Buffer.from('{"phoneNumber":"\\ud800"}')],
    ['a noncharacter U+FDD0 (escaped)', Buffer.from('{"phoneNumber":"01012345678","x":"\\ufdd0"}')],
    ['a noncharacter U+FFFE (raw UTF-8)', Buffer.from('{"phoneNumber":"01012345678","x":"\ufffe"}')],
    ['a noncharacter U+1FFFF as a surrogate pair', Buffer.from('{"phoneNumber":"01012345678","x":"\\ud83f\\udfff"}')],
    ['a noncharacter U+10FFFE in a member name', Buffer.from('{"phoneNumber":"01012345678","\u{10fffe}":1}')],
    ['a duplicate member in a nested object', Buffer.from('{"phoneNumber":"01012345678","x":{"a":1,"a":2}}')],
    ['a duplicate written with an escape', Buffer.from('{"phoneNumber":"01012345678","phone\\u004eumber":"x"}')],
    ['a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"phoneNumber":"01012345678"}')])],
    ['an empty body', Buffer.alloc(0)],
    ['a string', Buffer.from('"01012345678"')],
  ])('refuses %s with 400 invalid_request', async (_label, bytes) => {
    const event = apiEvent({ path: '/v1/verifications', body: bytes.toString('base64'), base64: true, headers: { 'Content-Type': 'application/json' } });
    const answer = await send(event);
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('invalid_request');
  });

  it('survives deeply nested JSON and goes on to the field checks', async () => {
    const answer = await send(postEvent('/v1/verifications', `{"phoneNumber":"02","x":${'['.repeat(2000)}${']'.repeat(2000)}}`));
    expect(answer.json.code).toBe('invalid_phone_number');
  });

  it('does not take a repeated name inside a string value for a duplicate', async () => {
    const answer = await send(postEvent('/v1/verifications', '{"note":"\\"a\\":1,\\"a\\":2","phoneNumber":"02-123-4567"}'));
    expect(answer.json.code).toBe('invalid_phone_number');
  });

  it.each([
    ['an empty key', ''],
    ['a key with a space', 'a b'],
    ['a 65-character key', 'k'.repeat(65)],
  ])('refuses an Idempotency-Key that is %s', async (_label, key) => {
    const answer = await send(postEvent('/v1/verifications', { phoneNumber: '010-1234-5678' }, { 'Idempotency-Key': key }));
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('invalid_request');
  });

  it('refuses a repeated Idempotency-Key header', async () => {
    const event = postEvent('/v1/verifications', { phoneNumber: '010-1234-5678' });
    event.multiValueHeaders = { 'Content-Type': ['application/json'], 'Idempotency-Key': ['abc', 'def'] };
    expect((await send(event)).json.code).toBe('invalid_request');
  });

  it('puts the API Gateway request id on every response', async () => {
    const event = apiEvent({ path: '/v1/nothing' });
    event.requestContext.requestId = 'req-123';
    expect((await send(event)).headers['X-Request-Id']).toBe('req-123');
  });

  it('makes up a request id when there is none (local use)', async () => {
    const event = apiEvent({ path: '/v1/nothing' });
    event.requestContext.requestId = '';
    expect((await send(event)).headers['X-Request-Id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('turns a bug into a bare 500 internal_error that says nothing of the cause', async () => {
    const broken = lambdaHandler(
      {
        path: '/v1/verifications',
        method: 'POST',
        handle: async () => {
          throw new TypeError('secret internals at line 42');
        },
      },
      async () => runtime,
    );
    const answer = parseResult(await broken(postEvent('/v1/verifications', {})));
    expect(answer.status).toBe(500);
    expect(answer.json.code).toBe('internal_error');
    expect(JSON.stringify(answer.json)).not.toContain('internals');
  });

  it('answers 500 when the runtime cannot be built, still as problem+json', async () => {
    const broken = lambdaHandler(sendCodeRoute, async () => {
      throw new Error('no secrets');
    });
    const answer = parseResult(await broken(postEvent('/v1/verifications', {})));
    expect(answer.status).toBe(500);
    expect(answer.headers['Content-Type']).toBe('application/problem+json');
  });

  it('maps a store outage to 503 service_unavailable with Retry-After, and sends no SMS', async () => {
    const sender = new RecordingSender();
    const offline = await buildRuntime({ ...TEST_SECRETS, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }, { sender }, ALL_PARTS);
    const answer = await handlerFor(sendCodeRoute, offline)(postEvent('/v1/verifications', { phoneNumber: '010-1234-5678' }));
    expect(answer.status).toBe(503);
    expect(answer.json.code).toBe('service_unavailable');
    expect(Number(answer.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(Number(answer.headers['Retry-After'])).toBeLessThanOrEqual(5);
    expect(sender.messages).toHaveLength(0);
  });

  it('maps an outage during a check to 503 as well', async () => {
    const answer = await handlerFor(checkCodeRoute, runtime)(postEvent('/v1/verifications/check', { phoneNumber: '010-1234-5678', code: '123456' }));
    expect(answer.status).toBe(503);
  });
});

describe('CORS', () => {
  it('answers any origin with * and the exposed headers when origins are unset (local, dev)', async () => {
    const send = handlerFor(sendCodeRoute, await runtimeWith());
    const answer = await send(apiEvent({ path: '/v1/nothing', headers: { Origin: 'https://app.example' } }));
    expect(answer.headers['Access-Control-Allow-Origin']).toBe('*');
    expect(answer.headers['Access-Control-Expose-Headers']).toBe('Retry-After, X-Request-Id, Idempotent-Replayed');
  });

  it('echoes an allowed origin with Vary: Origin', async () => {
    const send = handlerFor(sendCodeRoute, await runtimeWith({ CORS_ALLOWED_ORIGINS: 'https://app.example, https://admin.example' }));
    const answer = await send(apiEvent({ path: '/v1/nothing', headers: { origin: 'https://admin.example' } }));
    expect(answer.headers['Access-Control-Allow-Origin']).toBe('https://admin.example');
    expect(answer.headers.Vary).toBe('Accept-Language, Origin'); // a problem varies by language too
    expect(answer.headers['Access-Control-Expose-Headers']).toContain('Retry-After');
  });

  it('never gives a disallowed origin its own origin or * back', async () => {
    const send = handlerFor(sendCodeRoute, await runtimeWith({ CORS_ALLOWED_ORIGINS: 'https://app.example' }));
    const answer = await send(apiEvent({ path: '/v1/nothing', headers: { Origin: 'https://evil.example' } }));
    expect(answer.headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(answer.headers.Vary).toBe('Accept-Language, Origin');
  });
});

describe('the caller’s address (the bot challenge’s remoteip)', () => {
  it('is API Gateway’s requestContext.identity.sourceIp, which the local server sets from the connection in the same form', () => {
    expect(apiEvent({ path: '/v1/verifications', sourceIp: '203.0.113.7' }).requestContext.identity.sourceIp).toBe('203.0.113.7');
    // Node names an IPv4 peer of a dual-stack socket ::ffff:a.b.c.d; API Gateway says a.b.c.d.
    expect(apiEvent({ path: '/v1/verifications', sourceIp: '::ffff:127.0.0.1' }).requestContext.identity.sourceIp).toBe('127.0.0.1');
    expect(apiEvent({ path: '/v1/verifications', sourceIp: '2001:db8::1' }).requestContext.identity.sourceIp).toBe('2001:db8::1');
  });
});
