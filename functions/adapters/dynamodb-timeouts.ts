/** How long a DynamoDB call may take: the client's limits (runtime.ts) and the functions' timeouts (lib/phone-verification.ts) both come from here. */

/**
 * Hard limits on every DynamoDB call (docs/api.md: a request never hangs; 503 within 5 s). Each attempt
 * may take `requestMs` from the moment it is issued (`throwOnRequestTimeout`: without it the SDK
 * only logs a warning and waits for ever on a DynamoDB that accepted the connection and stopped
 * answering); three attempts and the SDK's backoff stay under 4 s.
 */
export const DYNAMODB_TIMEOUTS = { connectionMs: 1000, requestMs: 1000, attempts: 3 };

/**
 * DynamoDB Local on this machine: one JVM that shares two cores with everything else (a test
 * suite, a benchmark), where a healthy write can take a second under load. Two attempts of
 * 1.8 s still answer 503 within 5 s when it stops answering (measured with it paused).
 */
export const LOCAL_DYNAMODB_TIMEOUTS = { connectionMs: 1800, requestMs: 1800, attempts: 2 };

/**
 * The longest one DynamoDB call can take before it answers 503: 3 attempts of 1 s and the SDK's
 * backoff between them (measured 3.1 s with DynamoDB Local paused). Function timeouts are sized from it.
 */
export const DYNAMODB_CALL_LIMIT_MS = 3_500;

/**
 * What all the DynamoDB calls of one send may take together in AWS, besides the failover's budget
 * writes (which `SMS_TIMEOUT_MS` bounds): one call's limit. So the worst send, `SMS_TIMEOUT_MS` (at
 * most 20 s) and this, answers inside API Gateway's 29 s with a cold start's secrets on top
 * (docs/limits.md, "How long a send may take").
 */
export const SEND_DYNAMODB_ALLOWANCE_MS = DYNAMODB_CALL_LIMIT_MS;

/**
 * Locally no API Gateway cuts the send off, and DynamoDB Local on a busy machine is slow: each of a
 * send's calls (six at most: two reservation rounds, the counters, their give-back or the
 * settling write, two for a rollback) keeps its own limit, two attempts of 1.8 s and a backoff.
 */
export const LOCAL_SEND_DYNAMODB_ALLOWANCE_MS = 6 * 4_000;
