/**
 * Generated from openapi.yaml by openapi-typescript (npm run generate:client). Do not edit.
 */

export interface paths {
    "/v1/verifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a one-time code
         * @description Texts a new code to the number, replacing any pending one (the old code stops working
         *     and the attempt counter starts again). At most one code per cooldown (default 60 s)
         *     and a daily cap (default 5 per fixed 24 h window); when both apply,
         *     `send_limit_reached` wins. Then the environment's ceilings, per clock hour (UTC): the
         *     range limit (default 30 codes to numbers sharing all but their last 4 digits) and the
         *     SMS budget (default 1,000). A send refused by any of these leaves the number as it was.
         *
         *     Where the environment requires a bot challenge (Turnstile, hCaptcha or reCAPTCHA), the
         *     body carries the widget's token as `challengeToken`, verified before anything is charged:
         *     without one `403 challenge_required`, refused `403 challenge_failed`. Every request that
         *     reaches the challenge spends its token: ask the widget for a new one before any retry but
         *     a replay. With an `Idempotency-Key`, the stored 202 (or 409) is decided first, so a keyed
         *     retry needs no token. Test numbers never need one.
         */
        post: operations["sendCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/verifications/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a code
         * @description Every evaluated check uses up one of the code's attempts (default 5), the correct one
         *     included. A code is approved at most once; after the last wrong guess even the right code
         *     is refused; an expired code is never approved. A malformed `code` is refused as
         *     `invalid_request` without using up an attempt.
         */
        post: operations["checkCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The public keys that verify tokens (JWKS)
         * @description RFC 7517 JSON Web Key Set: the key that signs tokens now and every key still published
         *     (the next one ahead of use, the previous ones until their tokens expire; a retired key KMS
         *     can no longer read is left out rather than failing the set). Match a token's
         *     `kid` to a key's `kid` (its RFC 7638 thumbprint); accept ES256 only. Readable from any origin
         *     (`Access-Control-Allow-Origin: *`, whatever the CORS setting: these are public keys); no
         *     content-type or body checks apply. `HEAD` answers the same headers without a body. Cache it
         *     for `max-age`; refetch once when a token names a `kid` you do not have.
         */
        get: operations["getKeys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description National (`01012345678`, `010-1234-5678`, `010 1234 5678`) or E.164 (`+821012345678`,
         *     `+82 10-1234-5678`). Plain ASCII only: an optional leading `+`, digits, and single spaces
         *     or hyphens between digit groups.
         * @example 010-1234-5678
         */
        PhoneNumberInput: string;
        /** @example +821012345678 */
        E164: string;
        SendCodeRequest: {
            phoneNumber: components["schemas"]["PhoneNumberInput"];
            channel?: components["schemas"]["Channel"];
            /**
             * @description The bot challenge widget's token (Turnstile, hCaptcha or reCAPTCHA: whichever the
             *     environment configured). Read only where a challenge is configured and this send needs
             *     one; single use: a new one for every try but a replay.
             */
            challengeToken?: string;
        };
        /**
         * @description Where the code goes: `sms`, or `alimtalk` (KakaoTalk, with SMS failover) where this
         *     environment has configured it; default: the environment's channel. `sms` is the one
         *     to ask for with WebOTP or the Android SMS Retriever, which read SMS only. Another string
         *     is `invalid_request`; `alimtalk` where it is not configured is `unsupported_channel`.
         * @enum {string}
         */
        Channel: "sms" | "alimtalk";
        CheckCodeRequest: {
            phoneNumber: components["schemas"]["PhoneNumberInput"];
            /**
             * @description Exactly CODE_LENGTH (default 6) ASCII digits; leading zeros matter.
             * @example 012345
             */
            code: string;
        };
        SendCodeAccepted: {
            /** @constant */
            status: "pending";
            phoneNumber: components["schemas"]["E164"];
            /** @description The channel the code went out on. `sms` when an Alimtalk that SENS refused went on as an SMS through the next provider (docs/channels.md). */
            channel: components["schemas"]["Channel"];
            /**
             * Format: date-time
             * @description When the code stops working.
             */
            expiresAt: string;
            /**
             * Format: date-time
             * @description The later of the cooldown end and, when this send used up the daily cap, the window end.
             */
            resendAvailableAt: string;
        };
        CheckCodeApproved: {
            /** @constant */
            status: "approved";
            phoneNumber: components["schemas"]["E164"];
            /**
             * @description JWT signed ES256 (header `{"alg":"ES256","typ":"JWT","kid"}`, `kid` the RFC 7638
             *     thumbprint of a key in `/.well-known/jwks.json`) with claims `iss`, `aud`, `sub` and
             *     `phone_number` (E.164), `phone_number_verified: true`, `channel` (`sms` or `alimtalk`),
             *     `iat`, `exp`, `jti`, and `test_number: true` on a test number's token.
             */
            token: string;
            /**
             * Format: date-time
             * @description Equals the token's `exp`.
             */
            tokenExpiresAt: string;
        };
        Jwks: {
            keys: components["schemas"]["PublicKey"][];
        };
        /** @description A P-256 public key for ES256 signatures (RFC 7517, RFC 7518 §6.2). */
        PublicKey: {
            /** @constant */
            kty: "EC";
            /** @constant */
            crv: "P-256";
            x: string;
            y: string;
            /** @description The RFC 7638 JWK thumbprint (base64url SHA-256) of this key. */
            kid: string;
            /** @constant */
            use: "sig";
            /** @constant */
            alg: "ES256";
        };
        /**
         * @description The stable, machine-readable reason; `type` is `urn:phone-verify:problem:` and this with `_` written as `-`.
         * @enum {string}
         */
        ProblemCode: "invalid_request" | "invalid_phone_number" | "unsupported_country" | "unsupported_channel" | "payload_too_large" | "unsupported_media_type" | "resend_too_soon" | "send_limit_reached" | "sms_delivery_failed" | "sms_provider_timeout" | "request_in_progress" | "number_range_limited" | "sms_budget_exhausted" | "incorrect_code" | "verification_not_found" | "too_many_attempts" | "verification_locked" | "challenge_required" | "challenge_failed" | "not_found" | "method_not_allowed" | "too_many_requests" | "forbidden" | "internal_error" | "service_unavailable";
        /**
         * @description RFC 9457 problem document. `detail` never contains a code, a secret or a stack trace.
         *     `title` and `detail` are in the language the `Accept-Language` header chose (`ko` or
         *     `en`), stated in `Content-Language`; clients switch on `code`, never on the text.
         */
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            code: components["schemas"]["ProblemCode"];
            /** @description `incorrect_code` only: the smaller of the checks still allowed on this code after this one and the wrong guesses left before the number locks. */
            attemptsRemaining?: number;
        };
    };
    responses: {
        /** @description `invalid_request`, `invalid_phone_number`, `unsupported_country` or `unsupported_channel`. */
        SendBadRequest: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 400;
                    /** @enum {unknown} */
                    code?: "invalid_request" | "invalid_phone_number" | "unsupported_country" | "unsupported_channel";
                };
            };
        };
        /** @description `invalid_request`, `invalid_phone_number`, `unsupported_country`, or `incorrect_code` with `attemptsRemaining`. */
        CheckBadRequest: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 400;
                    /** @enum {unknown} */
                    code?: "invalid_request" | "invalid_phone_number" | "unsupported_country" | "incorrect_code";
                };
            };
        };
        /** @description `verification_not_found`: no pending code for this number (never sent, used, replaced or expired). */
        VerificationNotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 404;
                    /** @constant */
                    code?: "verification_not_found";
                };
            };
        };
        /** @description `not_found`: unknown path. */
        NotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 404;
                    /** @constant */
                    code?: "not_found";
                };
            };
        };
        /**
         * @description `too_many_requests`: answered by API Gateway or the WAF, never by the service's functions:
         *     the stage's request throttle (`Retry-After: 1`, `application/problem+json`) or one of the
         *     WAF's per-IP rate rules, on sends or on every route (`Retry-After: 60`; a WAF custom
         *     response can only be `application/json`, so the same problem document comes under that
         *     type, with `Access-Control-Allow-Origin: *`: it holds no data). API Gateway's body names
         *     its request id; the response carries it as `x-amzn-RequestId` (gateway responses cannot
         *     set `X-Request-Id`).
         */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 429;
                    /** @constant */
                    code?: "too_many_requests";
                };
                "application/json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 429;
                    /** @constant */
                    code?: "too_many_requests";
                };
            };
        };
        /**
         * @description `forbidden`: the WAF refused the caller (its address is on AWS's IP-reputation or
         *     anonymous-IP list), never the functions. Not worth a retry. The WAF answers it itself
         *     (`application/json`, `Access-Control-Allow-Origin: *`), or, for a rule AWS adds to a list
         *     later, API Gateway does (`application/problem+json`).
         */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 403;
                    /** @constant */
                    code?: "forbidden";
                };
                "application/json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 403;
                    /** @constant */
                    code?: "forbidden";
                };
            };
        };
        /**
         * @description `challenge_required`: this environment requires a bot challenge for this send and the body
         *     has no `challengeToken` (render the widget and send again with its token).
         *     `challenge_failed`: the challenge service did not accept the token (unknown, expired,
         *     already used, made for another site, a host name or action not allowed, a score below the
         *     floor); get a new token. Nothing was charged for either. Or `forbidden`: the WAF refused
         *     the caller's address, as for every route (`Forbidden`: answered by the WAF or API Gateway,
         *     without `X-Request-Id`; not worth a retry).
         */
        SendForbidden: {
            headers: {
                /** @description The request's id (absent on the firewall's `forbidden`). */
                "X-Request-Id"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 403;
                    /** @enum {unknown} */
                    code?: "challenge_required" | "challenge_failed" | "forbidden";
                };
                "application/json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 403;
                    /** @constant */
                    code?: "forbidden";
                };
            };
        };
        /** @description `method_not_allowed`: known path, a method it does not serve (`POST` for the verifications, `GET, HEAD` for the key set). */
        MethodNotAllowed: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                Allow: "POST" | "GET, HEAD";
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 405;
                    /** @constant */
                    code?: "method_not_allowed";
                };
            };
        };
        /** @description `request_in_progress`: another request with the same Idempotency-Key for this number is still being processed. */
        RequestInProgress: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 409;
                    /** @constant */
                    code?: "request_in_progress";
                };
            };
        };
        /** @description `payload_too_large`: body over 4,096 bytes (the send route: over 20,480 where a bot challenge is configured). */
        PayloadTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 413;
                    /** @constant */
                    code?: "payload_too_large";
                };
            };
        };
        /** @description `unsupported_media_type`: the body is not sent as application/json. */
        UnsupportedMediaType: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 415;
                    /** @constant */
                    code?: "unsupported_media_type";
                };
            };
        };
        /**
         * @description `verification_locked` (the number's failed-guess streak locked it), `resend_too_soon`
         *     (inside the cooldown) or `send_limit_reached` (daily cap) for this number;
         *     `number_range_limited` (too many codes this hour to numbers sharing all but the last 4
         *     digits) or `sms_budget_exhausted` (the environment's hourly SMS budget is spent), with
         *     the wait in Retry-After (to the end of the clock hour for the last two, to the end of the
         *     lock for the first; a lock that only an operator lifts has none).
         */
        SendRateLimited: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After-Unless-Permanent"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 429;
                    /** @enum {unknown} */
                    code?: "verification_locked" | "resend_too_soon" | "send_limit_reached" | "number_range_limited" | "sms_budget_exhausted";
                };
            };
        };
        /**
         * @description `too_many_attempts`: the checks of this code are used up; only a new code helps. Or
         *     `verification_locked`: the number's failed-guess streak locked it (wins over
         *     `too_many_attempts`), with Retry-After to the end of the lock (none for a lock that only an
         *     operator lifts).
         */
        TooManyAttempts: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After-Unless-Permanent"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 429;
                    /** @enum {unknown} */
                    code?: "too_many_attempts" | "verification_locked";
                };
            };
        };
        /** @description `internal_error`: a bug. The body says nothing more; quote the X-Request-Id. */
        InternalError: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 500;
                    /** @constant */
                    code?: "internal_error";
                };
            };
        };
        /** @description `sms_delivery_failed`: every SMS provider asked refused (with several, each in turn, as long as the hourly budget and SMS_TIMEOUT_MS allowed the next). Nothing was charged to the number and a pending code stays valid; retry at once. */
        SmsDeliveryFailed: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 502;
                    /** @constant */
                    code?: "sms_delivery_failed";
                };
            };
        };
        /** @description `service_unavailable`: DynamoDB (or, for a check, KMS, which signs the token) throttled, refusing access or unavailable after retries; or, for a send that needs a bot challenge, the challenge service unreachable, too slow or refusing our side (fail closed: get a new token before trying again). No SMS was sent; a check may have used up an attempt, and a right code whose token could not be signed is used up. */
        ServiceUnavailable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 503;
                    /** @constant */
                    code?: "service_unavailable";
                };
            };
        };
        /** @description `service_unavailable`: the keys cannot be read now (KMS throttled, disabled or not answering). */
        KeysUnavailable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 503;
                    /** @constant */
                    code?: "service_unavailable";
                };
            };
        };
        /** @description `sms_provider_timeout`: a provider did not answer in time, or answered in a way that may be an acceptance. The message may still arrive, so the code stays valid, the limits are charged, and no other provider was asked. */
        SmsProviderTimeout: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"] & {
                    /** @constant */
                    status?: 504;
                    /** @constant */
                    code?: "sms_provider_timeout";
                };
            };
        };
    };
    parameters: {
        /**
         * @description The language of a problem's `title` and `detail`: `ko` or `en`, negotiated as RFC 9110
         *     says (q-values; `ko-KR` counts as `ko`). No header, no match, a tie or only `*`: `en`.
         *     The problem's `Content-Language` says which was chosen, with `Vary: Accept-Language`;
         *     `type`, `code` and every other member are the same in both languages.
         */
        AcceptLanguage: string;
        /**
         * @description Scoped to the phone number. A retry with the same key while that send's code is still the
         *     number's latest returns the original 202 with `Idempotent-Replayed: true`, sends no SMS and
         *     charges no limit. Only 202s are remembered. Empty, repeated or malformed: 400
         *     `invalid_request`.
         * @example 7f3c9a1e-checkout-42
         */
        IdempotencyKey: string;
    };
    requestBodies: never;
    headers: {
        /** @description The request's id; it is on every log line of the request. */
        "X-Request-Id": string;
        /** @description Whole seconds until a retry can succeed, at least 1. */
        "Retry-After": string;
        /** @description Whole seconds until a retry can succeed, at least 1; absent for a lock that only an operator lifts (`verification_locked`). */
        "Retry-After-Unless-Permanent": string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    sendCode: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Scoped to the phone number. A retry with the same key while that send's code is still the
                 *     number's latest returns the original 202 with `Idempotent-Replayed: true`, sends no SMS and
                 *     charges no limit. Only 202s are remembered. Empty, repeated or malformed: 400
                 *     `invalid_request`.
                 * @example 7f3c9a1e-checkout-42
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
                /**
                 * @description The language of a problem's `title` and `detail`: `ko` or `en`, negotiated as RFC 9110
                 *     says (q-values; `ko-KR` counts as `ko`). No header, no match, a tie or only `*`: `en`.
                 *     The problem's `Content-Language` says which was chosen, with `Vary: Accept-Language`;
                 *     `type`, `code` and every other member are the same in both languages.
                 */
                "Accept-Language"?: components["parameters"]["AcceptLanguage"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendCodeRequest"];
            };
        };
        responses: {
            /** @description Code created and handed to the SMS provider. */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    /** @description `true` when this is the stored answer to an earlier request with the same Idempotency-Key; no SMS was sent. */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendCodeAccepted"];
                };
            };
            400: components["responses"]["SendBadRequest"];
            403: components["responses"]["SendForbidden"];
            409: components["responses"]["RequestInProgress"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["SendRateLimited"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["SmsDeliveryFailed"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["SmsProviderTimeout"];
        };
    };
    checkCode: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The language of a problem's `title` and `detail`: `ko` or `en`, negotiated as RFC 9110
                 *     says (q-values; `ko-KR` counts as `ko`). No header, no match, a tie or only `*`: `en`.
                 *     The problem's `Content-Language` says which was chosen, with `Vary: Accept-Language`;
                 *     `type`, `code` and every other member are the same in both languages.
                 */
                "Accept-Language"?: components["parameters"]["AcceptLanguage"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CheckCodeRequest"];
            };
        };
        responses: {
            /** @description Approved. The token proves the number to any backend that has the key set (`GET /.well-known/jwks.json`). */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CheckCodeApproved"];
                };
            };
            400: components["responses"]["CheckBadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["VerificationNotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyAttempts"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The published keys. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": "public, max-age=300";
                    "Access-Control-Allow-Origin": "*";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Jwks"];
                };
            };
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["KeysUnavailable"];
        };
    };
}
