import { dynamoHarness, type Harness } from '../support/harness';
import { apiEvent, handlerFor } from '../support/http-events';
import { sendCodeRoute } from '../../functions/send-code';
import { checkCodeRoute } from '../../functions/check-code';

type Case = [label: string, body: Buffer | string, headers: Record<string, string>, expected: string];
const JSON_TYPE = { 'Content-Type': 'application/json' };
const phone = (value: unknown) => JSON.stringify({ phoneNumber: value, code: '123456' });

/** A valid send body padded to exactly `bytes` bytes. */
function exactly(bytes: number): string {
  const body = (pad: string) => JSON.stringify({ phoneNumber: '010-1234-5678', code: '123456', pad });
  const text = body('x'.repeat(bytes - Buffer.byteLength(body(''))));
  if (Buffer.byteLength(text) !== bytes) throw new Error('padding arithmetic');
  return text;
}

/** Hostile or broken requests; each must get its 4xx problem, never a 500, and store nothing. */
const CORPUS: Case[] = [
  ['a 1 MiB body', 'x'.repeat(1 << 20), JSON_TYPE, 'payload_too_large'],
  ['4,097 bytes of JSON', exactly(4097), JSON_TYPE, 'payload_too_large'],
  ['deep nesting', `{"phoneNumber":"x","code":"123456","n":${'['.repeat(1900)}${']'.repeat(1900)}}`, JSON_TYPE, 'invalid_phone_number'],
  ['many members', `{${Array.from({ length: 400 }, (_, i) => `"k${i}":1`).join(',')}}`, JSON_TYPE, 'invalid_request'],
  ['phoneNumber as a number', phone(1012345678), JSON_TYPE, 'invalid_request'],
  ['phoneNumber as an array', phone(['010-1234-5678']), JSON_TYPE, 'invalid_request'],
  ['phoneNumber as an object', phone({ $ne: null }), JSON_TYPE, 'invalid_request'],
  ['phoneNumber null', phone(null), JSON_TYPE, 'invalid_request'],
  ['phoneNumber true', phone(true), JSON_TYPE, 'invalid_request'],
  ['Arabic-Indic digits', phone('٠١٠١٢٣٤٥٦٧٨'), JSON_TYPE, 'invalid_phone_number'],
  ['full-width digits', phone('０１０－１２３４－５６７８'), JSON_TYPE, 'invalid_phone_number'],
  ['+82 with parentheses', phone('+82 (10) 1234-5678'), JSON_TYPE, 'invalid_phone_number'],
  ['+82 with dots', phone('+82.10.1234.5678'), JSON_TYPE, 'invalid_phone_number'],
  ['an extension', phone('010-1234-5678 ext 9'), JSON_TYPE, 'invalid_phone_number'],
  ['an extension with x', phone('01012345678x9'), JSON_TYPE, 'invalid_phone_number'],
  ['a tel: URI', phone('tel:+821012345678'), JSON_TYPE, 'invalid_phone_number'],
  ['SQL', phone("010' OR '1'='1"), JSON_TYPE, 'invalid_phone_number'],
  ['a NoSQL operator string', phone('{"$gt":""}'), JSON_TYPE, 'invalid_phone_number'],
  ['an expression attribute name', phone('#ttl'), JSON_TYPE, 'invalid_phone_number'],
  ['a right-to-left override', phone('\u202e01012345678'), JSON_TYPE, 'invalid_phone_number'],
  ['a NUL byte', phone('010\u000012345678'), JSON_TYPE, 'invalid_phone_number'],
  ['__proto__ as the body', '{"__proto__":{"phoneNumber":"010-1234-5678"}}', JSON_TYPE, 'invalid_request'],
  ['constructor pollution', '{"constructor":{"prototype":{"phoneNumber":"010-1234-5678"}}}', JSON_TYPE, 'invalid_request'],
  [
    'invalid UTF-8',
    Buffer.from([0x7b, 0x22, 0x70, 0x68, 0x6f, 0x6e, 0x65, 0x4e, 0x75, 0x6d, 0x62, 0x65, 0x72, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
    JSON_TYPE,
    'invalid_request',
  ],
  ['a lone surrogate escape', '{"phoneNumber":"\\udc00"}', JSON_TYPE, 'invalid_request'],
  ['duplicate keys', '{"phoneNumber":"010-1234-5678","phoneNumber":"+1 202 555 0143"}', JSON_TYPE, 'invalid_request'],
  ['trailing garbage', '{"phoneNumber":"010-1234-5678"} {}', JSON_TYPE, 'invalid_request'],
  ['a JSON number', '42', JSON_TYPE, 'invalid_request'],
  ['no content type', phone('010-1234-5678'), {}, 'unsupported_media_type'],
  ['text/plain', phone('010-1234-5678'), { 'Content-Type': 'text/plain' }, 'unsupported_media_type'],
  ['multipart', phone('010-1234-5678'), { 'Content-Type': 'multipart/form-data; boundary=x' }, 'unsupported_media_type'],
  ['JSON in UTF-16', phone('010-1234-5678'), { 'Content-Type': 'application/json; charset=utf-16' }, 'unsupported_media_type'],
  ['an empty content type', phone('010-1234-5678'), { 'Content-Type': '' }, 'unsupported_media_type'],
];

describe('hostile input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await dynamoHarness();
  });

  for (const [route, handler] of [
    ['send', sendCodeRoute],
    ['check', checkCodeRoute],
  ] as const) {
    it.each(CORPUS)(`${route}: %s → its 4xx problem`, async (_label, body, headers, expected) => {
      const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const answer = await handlerFor(handler, h.runtime)(apiEvent({ path: handler.path, body: raw.toString('base64'), base64: true, headers }));
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.headers['Content-Type']).toBe('application/problem+json');
      // The check route reads `code` too; a malformed body fails on the first bad field either way.
      expect(answer.json.code).toBe(expected);
    });
  }

  it('stores nothing and sends no SMS for any of it (the whole corpus, both routes, in this test)', async () => {
    const fresh = await dynamoHarness();
    for (const handler of [sendCodeRoute, checkCodeRoute]) {
      for (const [, body, headers] of CORPUS) {
        const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
        expect(
          (await handlerFor(handler, fresh.runtime)(apiEvent({ path: handler.path, body: raw.toString('base64'), base64: true, headers }))).status,
        ).toBeLessThan(500);
      }
    }
    expect(await fresh.items()).toEqual([]);
    expect(fresh.sender.messages).toEqual([]);
    // The scan sees what a valid send stores: the empty answer above was not a blind one.
    expect((await fresh.send({ phoneNumber: '010-1234-5678' })).status).toBe(202);
    expect(await fresh.items()).toHaveLength(1);
  });
});
