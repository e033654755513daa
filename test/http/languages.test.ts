import { INVALID_REASONS } from '../../functions/domain/errors';
import { PROBLEM_CODES } from '../../functions/http/problem-codes';
import { LANGUAGES, MESSAGES, negotiateLanguage, problemText } from '../../functions/http/messages';
import { sendCodeRoute } from '../../functions/send-code';
import { checkCodeRoute } from '../../functions/check-code';
import { ALL_PARTS, TEST_SECRETS, apiEvent, handlerFor, postEvent } from '../support/http-events';
import { buildRuntime } from '../../functions/runtime';

describe('Accept-Language negotiation (RFC 9110 §12.5.4, ko or en)', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['ko', 'ko'],
    ['KO-kr', 'ko'],
    ['ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7', 'ko'],
    ['en-US,en;q=0.9,ko;q=0.8', 'en'],
    ['fr-FR, ko;q=0.1', 'ko'],
    ['ko;q=0.4, en;q=0.6', 'en'],
    ['en;q=0.4, ko;q=0.6', 'ko'],
    ['ko;q=0.5, en;q=0.5', 'en'], // a tie: en
    ['ko;q=0', 'en'], // not acceptable
    ['fr, de', 'en'], // no match
    ['*', 'en'],
    ['*;q=0.5, en;q=0.1', 'ko'], // * stands for every language not named: ko at 0.5
    ['ko;q=2', 'en'], // not a valid q-value: ignored
  ])('%j → %s', (header, expected) => {
    expect(negotiateLanguage(header)).toBe(expected);
  });
});

describe('the message catalogue (functions/http/messages.ts)', () => {
  it.each(LANGUAGES)('has a title and a detail for every problem code and every invalid_request reason in %s', (language) => {
    for (const code of PROBLEM_CODES) {
      const { title, detail } = problemText(language, code, {});
      expect({ code, title: title.length > 0, detail: detail.length > 0 }).toEqual({ code, title: true, detail: true });
    }
    for (const reason of INVALID_REASONS)
      expect({ reason, text: problemText(language, 'invalid_request', { reason }).detail.length > 0 }).toEqual({ reason, text: true });
  });

  it('writes Korean in Hangul, as whole polite sentences, never just the English again', () => {
    for (const code of PROBLEM_CODES) {
      const ko = problemText('ko', code, {});
      const en = problemText('en', code, {});
      expect({
        code,
        hangul: /[가-힣]/.test(ko.title) && /[가-힣]/.test(ko.detail),
        sentence: /(니다|세요)\.$/.test(ko.detail),
        translated: ko.detail !== en.detail,
      }).toEqual({
        code,
        hangul: true,
        sentence: true,
        translated: true,
      });
    }
    expect(Object.keys(MESSAGES.ko.invalid).sort()).toEqual([...INVALID_REASONS].sort());
  });
});

describe('problem documents in the language asked for', () => {
  const runtime = () => buildRuntime({ ...TEST_SECRETS, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }, {}, ALL_PARTS);

  it('answers in Korean to a Korean browser: title and detail change, code, type, status and members do not', async () => {
    const send = handlerFor(sendCodeRoute, await runtime());
    const event = (language?: string) => postEvent('/v1/verifications', { phoneNumber: '+1 202 555 0143' }, language ? { 'Accept-Language': language } : {});
    const ko = await send(event('ko-KR,ko;q=0.9,en;q=0.8'));
    const en = await send(event());
    expect(ko.json).toEqual({ ...en.json, title: '지원하지 않는 국가', detail: '이 국가의 번호로는 인증번호를 보낼 수 없습니다.' });
    expect({ ko: ko.headers['Content-Language'], en: en.headers['Content-Language'] }).toEqual({ ko: 'ko', en: 'en' });
    expect(ko.headers.Vary).toContain('Accept-Language');
  });

  it('keeps attemptsRemaining and the digits a code needs, whatever the language', async () => {
    const check = handlerFor(checkCodeRoute, await runtime());
    const answer = await check(postEvent('/v1/verifications/check', { phoneNumber: '010-1234-5678', code: '12' }, { 'Accept-Language': 'ko' }));
    expect(answer.json).toMatchObject({ code: 'invalid_request', detail: '인증번호는 숫자 6자리로 입력해 주세요.' });
    const notFound = await handlerFor(sendCodeRoute, await runtime())(apiEvent({ path: '/nope', headers: { 'Accept-Language': 'ko' } }));
    expect(notFound.json).toMatchObject({ code: 'not_found', title: '찾을 수 없음' });
  });
});
