/**
 * `phone-verify/client`: the typed client of the phone-verify API, for browsers and Node (18+).
 *
 *   const verify = createPhoneVerifyClient({ baseUrl: 'https://verify.example.com/' });
 *   const sent = await verify.sendCode('010-1234-5678');
 *   if (!sent.ok) return show(sent.problem.detail);          // switch on sent.problem.code
 *   const checked = await verify.checkCode(sent.data.phoneNumber, '123456');
 *   if (checked.ok) await yourBackend.signIn(checked.data.token);
 *
 * Types come from openapi.yaml (client/schema.d.ts, generated); requests go through openapi-fetch.
 */
import createClient from 'openapi-fetch';
import type { components, operations, paths } from './schema';

type Schemas = components['schemas'];
type ErrorBody<Op extends keyof operations> = {
  [S in keyof operations[Op]['responses']]: S extends 200 | 202
    ? never
    : operations[Op]['responses'][S] extends { content: { 'application/problem+json': infer P } }
      ? P
      : never;
}[keyof operations[Op]['responses']];

export type Channel = Schemas['Channel'];
export type ProblemCode = Schemas['ProblemCode'];
export type SendCodeAccepted = Schemas['SendCodeAccepted'];
export type CheckCodeApproved = Schemas['CheckCodeApproved'];

/** An RFC 9457 problem the API answered, narrowed per route: `code` says what happened (never switch on `detail`). */
export type Problem<Body = Schemas['Problem']> = Body & {
  /** Seconds the API asked to wait (Retry-After), when it did. */
  readonly retryAfterSeconds?: number;
  /** The API's request id (X-Request-Id), for a support ticket. */
  readonly requestId?: string;
};
export type SendCodeProblem = Problem<ErrorBody<'sendCode'>>;
export type CheckCodeProblem = Problem<ErrorBody<'checkCode'>>;

export type Result<Data, P> = { readonly ok: true; readonly data: Data; readonly requestId?: string } | { readonly ok: false; readonly problem: P };
export type SendCodeResult = Result<SendCodeAccepted & { readonly replayed: boolean }, SendCodeProblem>;
export type CheckCodeResult = Result<CheckCodeApproved, CheckCodeProblem>;

export interface PhoneVerifyClientOptions {
  /** Where the API is: the stack's ApiUrl output, or `http://127.0.0.1:3000` for `npm start`. */
  readonly baseUrl: string;
  /** `ko` or `en` for problems' `title` and `detail` (Accept-Language); the API's default is `en`. */
  readonly language?: 'ko' | 'en';
  /**
   * Retries of a send after a network failure, a 409 or a 503 (default 2; a 503 only without a
   * `challengeToken`, which it may have spent). Checks are never retried: each one spends an attempt.
   */
  readonly retries?: number;
  /** A Retry-After longer than this is not waited for: the problem is returned (default 10 s). */
  readonly maxRetryWaitMs?: number;
  /** A fetch of your own (tests, a proxy agent); the global one by default. */
  readonly fetch?: typeof globalThis.fetch;
}

export interface SendCodeOptions {
  /** `sms` or `alimtalk`; the environment's default when left out. */
  readonly channel?: Channel;
  /** The same key on every try of one send (a fresh one is made when left out): a retried send never texts twice. */
  readonly idempotencyKey?: string;
  /**
   * The bot challenge widget's token, where the environment requires one (`challenge_required`).
   * Single use: with a token, a 503 is returned rather than retried, so you can get a new one first.
   */
  readonly challengeToken?: string;
}

export interface PhoneVerifyClient {
  /** Texts a code to `phoneNumber` (national or E.164). */
  sendCode(phoneNumber: string, options?: SendCodeOptions): Promise<SendCodeResult>;
  /** Checks `code` for `phoneNumber`; on success `data.token` is the signed proof for your backend. */
  checkCode(phoneNumber: string, code: string): Promise<CheckCodeResult>;
}

/** A network failure (after the retries a send allows), or an answer that is not the API's: no problem document to return. */
export class PhoneVerifyRequestError extends Error {
  override readonly name = 'PhoneVerifyRequestError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Statuses after which the same send is tried again (same Idempotency-Key): in progress elsewhere, or the service briefly unavailable. */
const RETRIED_STATUSES = new Set([409, 503]);
const RETRIED_WITH_TOKEN = new Set([409]);
const BACKOFF_MS = [250, 1000, 2000];

export function createPhoneVerifyClient(options: PhoneVerifyClientOptions): PhoneVerifyClient {
  const { retries = 2, maxRetryWaitMs = 10_000, language } = options;
  const api = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), ...(options.fetch && { fetch: options.fetch }) });
  const languageHeader = language ? { 'Accept-Language': language } : {};

  /**
   * One request, as a Result with the API's request id, and the response for its other headers.
   * A network failure, or an answer without a problem document, is a PhoneVerifyRequestError.
   */
  async function call<T, P extends Problem>(
    send: () => Promise<{ data?: unknown; error?: unknown; response: Response }>,
  ): Promise<{ result: Result<T, P>; response: Response }> {
    let answer;
    try {
      answer = await send();
    } catch (cause) {
      throw new PhoneVerifyRequestError(`phone-verify could not be reached: ${String(cause)}`, undefined, { cause });
    }
    const { response } = answer;
    const requestId = response.headers.get('X-Request-Id') ?? undefined;
    if (answer.data !== undefined) return { result: { ok: true, data: answer.data as T, ...(requestId && { requestId }) }, response };
    const body = answer.error as Partial<Problem> | undefined;
    if (!body || typeof body !== 'object' || typeof body.code !== 'string') {
      throw new PhoneVerifyRequestError(`phone-verify answered ${response.status} without a problem document`, response.status);
    }
    const retryAfter = Number(response.headers.get('Retry-After'));
    const problem = { ...body, ...(retryAfter > 0 && { retryAfterSeconds: retryAfter }), ...(requestId && { requestId }) } as P;
    return { result: { ok: false, problem }, response };
  }

  return {
    async sendCode(phoneNumber, sendOptions = {}) {
      const idempotencyKey = sendOptions.idempotencyKey ?? newIdempotencyKey();
      const { channel, challengeToken } = sendOptions;
      const body = { phoneNumber, ...(channel && { channel }), ...(challengeToken !== undefined && { challengeToken }) };
      // A 409 never reached the challenge (the key is judged first), so its token is still good; a
      // 503 may have spent it: the caller gets a new token first (docs/challenge.md, "The client's rule").
      const retried = challengeToken === undefined ? RETRIED_STATUSES : RETRIED_WITH_TOKEN;
      for (let attempt = 0; ; attempt++) {
        let outcome;
        try {
          outcome = await call<SendCodeAccepted, SendCodeProblem>(() =>
            api.POST('/v1/verifications', { body, params: { header: { 'Idempotency-Key': idempotencyKey, ...languageHeader } } }),
          );
        } catch (error) {
          // Unreachable: the send may or may not have happened; the same key makes trying again safe.
          if (attempt < retries && error instanceof PhoneVerifyRequestError && error.status === undefined) {
            await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!);
            continue;
          }
          throw error;
        }
        const { result, response } = outcome;
        if (result.ok) return { ...result, data: { ...result.data, replayed: response.headers.get('Idempotent-Replayed') === 'true' } };
        const waitMs = (result.problem.retryAfterSeconds ?? 1) * 1000;
        if (attempt < retries && retried.has(result.problem.status) && waitMs <= maxRetryWaitMs) {
          await sleep(waitMs);
          continue;
        }
        return result;
      }
    },

    async checkCode(phoneNumber, code) {
      const { result } = await call<CheckCodeApproved, CheckCodeProblem>(() =>
        api.POST('/v1/verifications/check', { body: { phoneNumber, code }, params: { header: { ...languageHeader } } }),
      );
      return result;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A fresh key: a UUID where the platform has randomUUID (browsers give it to secure pages only), else 32 random hex digits. */
function newIdempotencyKey(): string {
  const { crypto } = globalThis;
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
