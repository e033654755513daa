import type { InvalidReason, ProblemFacts } from '../domain/errors';
import type { ProblemCode } from './problem-codes';

/** The languages problem documents speak (docs/api.md, "Languages"); `en` is the default. */
export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];

type Text = string | ((facts: ProblemFacts) => string);

interface Catalogue {
  readonly title: Readonly<Record<ProblemCode, string>>;
  readonly detail: Readonly<Record<ProblemCode, Text>>;
  readonly invalid: Readonly<Record<InvalidReason, Text>>;
}

/**
 * Every text a client can see, in both languages: one place to read, review and translate. The
 * Korean is what a careful Korean product writes: plain, polite (합니다체), addressed to the
 * person holding the phone. A test fails when a code or a reason lacks a text in either language.
 */
export const MESSAGES: Readonly<Record<Language, Catalogue>> = {
  en: {
    title: {
      invalid_request: 'Invalid request',
      invalid_phone_number: 'Invalid phone number',
      unsupported_country: 'Unsupported country',
      unsupported_channel: 'Unsupported channel',
      payload_too_large: 'Payload too large',
      unsupported_media_type: 'Unsupported media type',
      resend_too_soon: 'Resend too soon',
      send_limit_reached: 'Send limit reached',
      sms_delivery_failed: 'SMS delivery failed',
      sms_provider_timeout: 'SMS provider timeout',
      request_in_progress: 'Request in progress',
      number_range_limited: 'Number range limited',
      sms_budget_exhausted: 'SMS budget exhausted',
      incorrect_code: 'Incorrect code',
      verification_not_found: 'Verification not found',
      too_many_attempts: 'Too many attempts',
      verification_locked: 'Number locked',
      challenge_required: 'Challenge required',
      challenge_failed: 'Challenge failed',
      not_found: 'Not found',
      method_not_allowed: 'Method not allowed',
      too_many_requests: 'Too many requests',
      forbidden: 'Forbidden',
      internal_error: 'Internal error',
      service_unavailable: 'Service unavailable',
    },
    detail: {
      invalid_request: 'The request is not valid.',
      invalid_phone_number: 'The phone number is not a valid mobile number.',
      unsupported_country: 'Codes cannot be sent to numbers in this country.',
      unsupported_channel: 'This service does not send codes by KakaoTalk Alimtalk here; ask for "sms".',
      payload_too_large: (f) => `The request body is over ${f.maxBytes ?? 4096} bytes.`,
      unsupported_media_type: 'Send the request body as application/json.',
      resend_too_soon: 'A code was sent to this number moments ago. Please wait before asking again.',
      send_limit_reached: 'This number has received the maximum number of codes for today.',
      sms_delivery_failed: 'The SMS provider could not send the code. Please try again.',
      sms_provider_timeout: 'The SMS provider did not answer in time; the code may still arrive.',
      request_in_progress: 'A request with this Idempotency-Key is still being processed.',
      number_range_limited: 'Too many codes were sent to numbers like this one in the last hour. Please try again later.',
      sms_budget_exhausted: 'This service has sent as many codes as it may this hour. Please try again later.',
      incorrect_code: 'The code does not match.',
      verification_not_found: 'No pending code for this number. Request a new code.',
      too_many_attempts: 'Too many incorrect codes. Request a new code.',
      verification_locked:
        'Too many incorrect codes for this number in a row. It is locked for a while; if it stays locked, ask the service you are signing up with for help.',
      challenge_required: 'Please confirm you are a person: complete the challenge, then ask for the code again.',
      challenge_failed: 'The challenge could not be confirmed (it may have expired or been used already). Please complete it again.',
      not_found: 'There is nothing at this path.',
      method_not_allowed: 'This path does not accept this method; the Allow header lists the ones it does.',
      too_many_requests: 'Too many requests. Please slow down.',
      forbidden: 'The firewall refused this request: the address it came from is on a reputation or anonymous-proxy list.',
      internal_error: 'An unexpected error occurred. Quote the X-Request-Id when reporting it.',
      service_unavailable: 'The service is busy. Please retry shortly.',
    },
    invalid: {
      not_utf8: 'The request body is not valid UTF-8.',
      not_json: 'The request body is not valid JSON.',
      not_object: 'The request body must be a JSON object.',
      duplicate_member: 'The request body repeats a member name.',
      not_i_json: 'The request body holds an unpaired surrogate or a Unicode noncharacter.',
      idempotency_key: 'Idempotency-Key must be given once, as 1 to 64 of A-Z, a-z, 0-9, _ and -.',
      field_missing: (f) => `${f.field ?? 'A field'} is missing or not a ${f.expected ?? 'string'}.`,
      code_format: (f) => `code must be a string of ${f.digits ?? 6} digits.`,
      channel: 'channel must be "sms" or "alimtalk".',
      challenge_token: 'challengeToken must be a string of 1 to 16384 characters.',
      unparseable_http: 'The request could not be parsed as HTTP/1.1.',
      headers_too_large: 'The request headers are too large.',
    },
  },
  ko: {
    title: {
      invalid_request: '잘못된 요청',
      invalid_phone_number: '잘못된 휴대폰 번호',
      unsupported_country: '지원하지 않는 국가',
      unsupported_channel: '지원하지 않는 발송 채널',
      payload_too_large: '요청 본문이 너무 큼',
      unsupported_media_type: '지원하지 않는 형식',
      resend_too_soon: '재발송 대기 중',
      send_limit_reached: '발송 한도 초과',
      sms_delivery_failed: '문자 발송 실패',
      sms_provider_timeout: '문자 발송 응답 지연',
      request_in_progress: '요청 처리 중',
      number_range_limited: '번호 대역 발송 제한',
      sms_budget_exhausted: '시간당 발송량 초과',
      incorrect_code: '인증번호 불일치',
      verification_not_found: '인증 요청 없음',
      too_many_attempts: '입력 횟수 초과',
      verification_locked: '번호 잠김',
      challenge_required: '보안 확인 필요',
      challenge_failed: '보안 확인 실패',
      not_found: '찾을 수 없음',
      method_not_allowed: '허용되지 않는 메서드',
      too_many_requests: '요청 과다',
      forbidden: '접근 거부',
      internal_error: '내부 오류',
      service_unavailable: '일시적인 서비스 장애',
    },
    detail: {
      invalid_request: '요청 형식이 올바르지 않습니다.',
      invalid_phone_number: '올바른 휴대폰 번호가 아닙니다. 번호를 다시 확인해 주세요.',
      unsupported_country: '이 국가의 번호로는 인증번호를 보낼 수 없습니다.',
      unsupported_channel: '이 서비스는 카카오톡 알림톡으로 인증번호를 보내지 않습니다. 문자(sms)로 요청해 주세요.',
      payload_too_large: (f) => `요청 본문이 ${(f.maxBytes ?? 4096).toLocaleString('en-US')}바이트를 넘습니다.`,
      unsupported_media_type: '요청 본문은 application/json 형식으로 보내 주세요.',
      resend_too_soon: '방금 이 번호로 인증번호를 보냈습니다. 잠시 후 다시 요청해 주세요.',
      send_limit_reached: '이 번호로 오늘 보낼 수 있는 인증번호를 모두 보냈습니다.',
      sms_delivery_failed: '인증번호 문자를 보내지 못했습니다. 다시 시도해 주세요.',
      sms_provider_timeout: '문자 발송 업체의 응답이 늦어지고 있습니다. 인증번호가 곧 도착할 수 있습니다.',
      request_in_progress: '같은 Idempotency-Key의 요청을 아직 처리하고 있습니다.',
      number_range_limited: '최근 1시간 동안 비슷한 번호로 인증번호가 너무 많이 발송되었습니다. 잠시 후 다시 시도해 주세요.',
      sms_budget_exhausted: '이번 시간에 보낼 수 있는 인증번호를 모두 보냈습니다. 잠시 후 다시 시도해 주세요.',
      incorrect_code: '인증번호가 일치하지 않습니다.',
      verification_not_found: '진행 중인 인증이 없습니다. 인증번호를 다시 요청해 주세요.',
      too_many_attempts: '인증번호를 너무 여러 번 틀렸습니다. 인증번호를 다시 요청해 주세요.',
      verification_locked: '이 번호로 인증번호를 연속해서 너무 많이 틀려 잠시 잠겼습니다. 계속 잠겨 있으면 가입하려는 서비스에 문의해 주세요.',
      challenge_required: '사람이 요청했는지 확인이 필요합니다. 보안 확인을 마친 뒤 인증번호를 다시 요청해 주세요.',
      challenge_failed: '보안 확인을 통과하지 못했습니다. 시간이 지났거나 이미 사용된 확인일 수 있으니 다시 확인해 주세요.',
      not_found: '요청한 경로가 없습니다.',
      method_not_allowed: '이 경로는 이 메서드를 받지 않습니다. 받는 메서드는 Allow 헤더에 있습니다.',
      too_many_requests: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.',
      forbidden: '방화벽이 요청을 거부했습니다. 요청한 주소가 평판 또는 익명 프록시 목록에 있습니다.',
      internal_error: '예기치 않은 오류가 발생했습니다. 문의하실 때 X-Request-Id를 알려 주세요.',
      service_unavailable: '서비스가 일시적으로 혼잡합니다. 잠시 후 다시 시도해 주세요.',
    },
    invalid: {
      not_utf8: '요청 본문이 올바른 UTF-8이 아닙니다.',
      not_json: '요청 본문이 올바른 JSON이 아닙니다.',
      not_object: '요청 본문은 JSON 객체여야 합니다.',
      duplicate_member: '요청 본문에 같은 항목 이름이 두 번 이상 있습니다.',
      not_i_json: '요청 본문에 쓸 수 없는 유니코드 문자가 있습니다.',
      idempotency_key: 'Idempotency-Key는 한 번만, 영문자·숫자·_·- 1~64자로 보내 주세요.',
      field_missing: (f) => `${f.field ?? '필수 항목'} 항목이 없거나 형식이 올바르지 않습니다.`,
      code_format: (f) => `인증번호는 숫자 ${f.digits ?? 6}자리로 입력해 주세요.`,
      channel: 'channel은 "sms" 또는 "alimtalk"여야 합니다.',
      challenge_token: 'challengeToken은 1~16,384자의 문자열이어야 합니다.',
      unparseable_http: 'HTTP/1.1 요청으로 해석할 수 없습니다.',
      headers_too_large: '요청 헤더가 너무 큽니다.',
    },
  },
};

/** The title and detail of a problem in `language`. */
export function problemText(language: Language, code: ProblemCode, facts: ProblemFacts): { title: string; detail: string } {
  const catalogue = MESSAGES[language];
  const text = facts.reason ? catalogue.invalid[facts.reason] : catalogue.detail[code];
  return { title: catalogue.title[code], detail: typeof text === 'function' ? text(facts) : text };
}

/**
 * RFC 9110 §12.5.4 negotiation between `ko` and `en`: the range with the highest q-value that
 * names a language (`ko-KR` names `ko`); no header, no match, a tie or only `*`: `en`.
 */
export function negotiateLanguage(header: string | undefined): Language {
  if (!header) return 'en';
  const weight = new Map<Language, number>();
  let wildcard = 0;
  for (const part of header.split(',')) {
    const [range = '', ...params] = part
      .trim()
      .toLowerCase()
      .split(';')
      .map((p) => p.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(qParam.slice(2)) ? Number(qParam.slice(2)) : 0;
    if (range === '*') wildcard = Math.max(wildcard, q);
    const language = LANGUAGES.find((l) => range === l || range.startsWith(`${l}-`));
    if (language) weight.set(language, Math.max(weight.get(language) ?? 0, q));
  }
  const ko = weight.get('ko') ?? (wildcard > 0 && !weight.has('ko') ? wildcard : 0);
  const en = weight.get('en') ?? (wildcard > 0 && !weight.has('en') ? wildcard : 0);
  return ko > en ? 'ko' : 'en';
}
