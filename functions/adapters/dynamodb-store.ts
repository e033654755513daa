import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { VerificationError } from '../domain/errors';
import type { Reservation, SendAccepted, SendPlan, SpentAttempt, TestCode, VerificationRecord, VerificationStore } from '../domain/ports';
import { sendRefusal, ttlSeconds, windowIsCurrent } from '../domain/send-rules';
import { VERIFICATION_TABLE } from './table-definition';

/** Attribute names go through `#name` placeholders: `ttl` is a DynamoDB reserved word. */
const ATTRIBUTES = [
  'phoneNumber', 'codeHash', 'codeExpiresAt', 'attempts', 'maxAttempts', 'sendId', 'lastSentAt',
  'windowStart', 'sendCount', 'idempotencyKey', 'idempotentResponse', 'ttl', 'lastGuessHash',
] as const;

/** The code is not approved yet: its last evaluated guess was not the code (see `hasPendingCode`). */
const NOT_APPROVED = '(attribute_not_exists(#lastGuessHash) OR #lastGuessHash <> #codeHash)';
type Attribute = (typeof ATTRIBUTES)[number];

/** `#name` placeholders for just the attributes an expression mentions (DynamoDB refuses unused ones). */
function names(...expressions: string[]): Record<string, Attribute> {
  const text = expressions.join(' ');
  return Object.fromEntries(ATTRIBUTES.filter((a) => text.includes(`#${a}`)).map((a) => [`#${a}`, a]));
}

/** Contention between concurrent sends makes a reservation retry; this bounds it. */
const MAX_RESERVE_ROUNDS = 8;

type Write<T> = { ok: true; value: T } | { ok: false; current: VerificationRecord | undefined };

/**
 * The verification store on DynamoDB: one item per number, every limit one conditional write
 * (design: ../shared/DATA-MODEL.md). A failed condition returns the item as it was, and
 * `sendRefusal` reads from it which limit refused, without a second read.
 */
export class DynamoVerificationStore implements VerificationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async reserveSend(plan: SendPlan): Promise<Reservation> {
    const codeTtl = ttlSeconds(plan.codeExpiresAt, 0);
    let known: { item: VerificationRecord | undefined } | undefined;
    for (let round = 0; round < MAX_RESERVE_ROUNDS; round += 1) {
      // First try a new window: most sends go to numbers with none in force (a failed conditional
      // write costs a write unit too, so guessing the common case right saves one per send).
      const write =
        known !== undefined && windowIsCurrent(known.item, plan)
          ? await this.chargeWindow(plan, (known.item?.ttl ?? 0) < codeTtl)
          : await this.startWindow(plan);
      if (write.ok) return write.value;
      known = { item: write.current };
      // A timed-out attempt that DynamoDB applied anyway, then retried by the SDK: the code is ours.
      if (known.item?.sendId === plan.sendId) {
        return { reserved: true, previous: 'unknown', windowStart: known.item.windowStart ?? plan.now, sendCount: known.item.sendCount ?? 1 };
      }
      if (sendRefusal(known.item, plan)) return { reserved: false, current: known.item };
      // No limit refused: the window ended, the TTL must grow, or another send won a race. Go again.
    }
    throw new Error('send reservation kept colliding with concurrent sends');
  }

  /** Stores the new code in the current window; `raiseTtl` when the code outlives the window's TTL. */
  private chargeWindow(plan: SendPlan, raiseTtl: boolean): Promise<Write<Reservation>> {
    const codeTtl = ttlSeconds(plan.codeExpiresAt, 0);
    const set = [
      '#codeHash = :codeHash', '#codeExpiresAt = :codeExpiresAt', '#attempts = :zero', '#maxAttempts = :maxAttempts',
      '#sendId = :sendId', '#lastSentAt = :now', '#sendCount = #sendCount + :one',
    ];
    const remove = ['#idempotentResponse', '#lastGuessHash'];
    if (raiseTtl) set.push('#ttl = :codeTtl');
    if (plan.idempotencyKey !== undefined) set.push('#idempotencyKey = :key');
    else remove.push('#idempotencyKey');
    const conditions = [
      '#windowStart > :windowFloor',
      '#sendCount < :maxSends',
      ...cooldownClause(plan, false),
      raiseTtl ? '(attribute_not_exists(#ttl) OR #ttl < :codeTtl)' : '#ttl >= :codeTtl',
      ...idempotencyClause(plan),
    ];
    const update = `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`;
    const condition = conditions.join(' AND ');
    const values = pick(update + condition, {
      ':codeHash': plan.codeHash, ':codeExpiresAt': plan.codeExpiresAt, ':zero': 0, ':maxAttempts': plan.maxAttempts,
      ':sendId': plan.sendId, ':now': plan.now, ':one': 1, ':codeTtl': codeTtl, ':key': plan.idempotencyKey,
      ':windowFloor': plan.now - plan.windowMs, ':maxSends': plan.maxSendsPerWindow,
      ':cooldownFloor': plan.now - plan.cooldownMs, ':inFlightFloor': plan.now - plan.inFlightMs,
    });
    return this.write(
      this.updateCommand(plan.phoneNumber, update, condition, values, 'ALL_OLD'),
      (old) => ({
        reserved: true,
        previous: old,
        windowStart: old?.windowStart ?? plan.now,
        sendCount: (old?.sendCount ?? 0) + 1,
      }),
    );
  }

  /** Replaces the item with one that starts a new daily window (none yet, or the last one ended). */
  private startWindow(plan: SendPlan): Promise<Write<Reservation>> {
    const item: VerificationRecord = {
      phoneNumber: plan.phoneNumber,
      codeHash: plan.codeHash,
      codeExpiresAt: plan.codeExpiresAt,
      attempts: 0,
      maxAttempts: plan.maxAttempts,
      sendId: plan.sendId,
      lastSentAt: plan.now,
      windowStart: plan.now,
      sendCount: 1,
      ttl: ttlSeconds(plan.codeExpiresAt, plan.now + plan.windowMs),
      ...(plan.idempotencyKey !== undefined && { idempotencyKey: plan.idempotencyKey }),
    };
    const condition = [
      '(attribute_not_exists(#phoneNumber) OR #windowStart <= :windowFloor)',
      // The cooldown spans the window boundary: a send at 23:59:59 still holds off one at 00:00:00.
      ...cooldownClause(plan, true),
      ...idempotencyClause(plan),
    ].join(' AND ');
    return this.write(
      new PutCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeNames: names(condition),
        ExpressionAttributeValues: pick(condition, {
          ':windowFloor': plan.now - plan.windowMs, ':cooldownFloor': plan.now - plan.cooldownMs,
          ':key': plan.idempotencyKey, ':now': plan.now, ':inFlightFloor': plan.now - plan.inFlightMs,
        }),
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      (old) => ({ reserved: true, previous: old, windowStart: plan.now, sendCount: 1 }),
    );
  }

  async releaseSend(phoneNumber: string, sendId: string, previous: VerificationRecord | undefined | 'unknown'): Promise<void> {
    if (previous === 'unknown') return this.updateIfLatest(phoneNumber, sendId, 'REMOVE #codeHash, #idempotencyKey, #idempotentResponse', {});
    // The one allowed read-then-write (SPEC): put back what the reservation returned, only if no later send moved on.
    const guard = { ConditionExpression: '#sendId = :sendId', ExpressionAttributeNames: names('#sendId'), ExpressionAttributeValues: { ':sendId': sendId } };
    await this.write(
      previous
        ? new PutCommand({ TableName: this.tableName, Item: previous, ...guard })
        : new DeleteCommand({ TableName: this.tableName, Key: { [VERIFICATION_TABLE.partitionKey]: phoneNumber }, ...guard }),
      () => undefined,
    );
  }

  async rememberResponse(phoneNumber: string, sendId: string, response: SendAccepted): Promise<void> {
    await this.updateIfLatest(phoneNumber, sendId, 'SET #idempotentResponse = :response', { ':response': response });
  }

  async forgetIdempotencyKey(phoneNumber: string, sendId: string): Promise<void> {
    await this.updateIfLatest(phoneNumber, sendId, 'REMOVE #idempotencyKey', {});
  }

  async recordGuess(phoneNumber: string, guessHash: string, now: number): Promise<SpentAttempt> {
    const update = 'SET #attempts = #attempts + :one, #lastGuessHash = :guessHash';
    const condition = `attribute_exists(#codeHash) AND #codeExpiresAt > :now AND #attempts < #maxAttempts AND ${NOT_APPROVED}`;
    const write = await this.write(this.updateCommand(phoneNumber, update, condition, { ':one': 1, ':now': now, ':guessHash': guessHash }, 'ALL_NEW'), (item) => item);
    if (!write.ok) return { spent: false, current: write.current };
    if (!write.value) throw new Error('DynamoDB returned no item for ALL_NEW');
    return { spent: true, record: write.value };
  }

  async storeTestCode(code: TestCode): Promise<void> {
    // No condition and no counter: a test number is never charged. The item lives as long as its code.
    const update = 'SET #codeHash = :codeHash, #codeExpiresAt = :codeExpiresAt, #attempts = :zero, #maxAttempts = :maxAttempts, #sendId = :sendId, #ttl = :ttl REMOVE #lastGuessHash, #idempotencyKey, #idempotentResponse';
    await this.write(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [VERIFICATION_TABLE.partitionKey]: code.phoneNumber },
        UpdateExpression: update,
        ExpressionAttributeNames: names(update),
        ExpressionAttributeValues: { ':codeHash': code.codeHash, ':codeExpiresAt': code.codeExpiresAt, ':zero': 0, ':maxAttempts': code.maxAttempts, ':sendId': code.sendId, ':ttl': ttlSeconds(code.codeExpiresAt, 0) },
      }),
      () => undefined,
    );
  }

  private async updateIfLatest(phoneNumber: string, sendId: string, update: string, values: Record<string, unknown>): Promise<void> {
    await this.write(this.updateCommand(phoneNumber, update, '#sendId = :sendId', { ...values, ':sendId': sendId }), () => undefined);
  }

  /** An UpdateItem on `phoneNumber`'s item that returns the old item when `condition` fails. */
  private updateCommand(
    phoneNumber: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
    returnValues?: 'ALL_OLD' | 'ALL_NEW',
  ): UpdateCommand {
    return new UpdateCommand({
      TableName: this.tableName,
      Key: { [VERIFICATION_TABLE.partitionKey]: phoneNumber },
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: names(update, condition),
      ExpressionAttributeValues: values,
      ...(returnValues && { ReturnValues: returnValues }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  }

  /**
   * Runs one write. A failed condition is an answer, not an error: it comes back with the item
   * as it was. A throttled or unreachable DynamoDB becomes `service_unavailable` after the SDK's retries.
   */
  private async write<T>(
    command: UpdateCommand | PutCommand | DeleteCommand,
    onSuccess: (attributes: VerificationRecord | undefined) => T,
  ): Promise<Write<T>> {
    try {
      const output = await this.db.send(command as UpdateCommand);
      return { ok: true, value: onSuccess(output.Attributes as VerificationRecord | undefined) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { ok: false, current: error.Item ? (unmarshall(error.Item) as VerificationRecord) : undefined };
      }
      throw unavailable(error);
    }
  }
}

/** `service_unavailable` for a throttled or unreachable DynamoDB; any other error as it is (a bug: 500). */
export function unavailable(error: unknown): unknown {
  return isUnavailable(error) ? new VerificationError('service_unavailable', { retryAfterSeconds: 2 }) : error;
}

/** `lastSentAt` at least the cooldown ago. Left out at cooldown 0, or concurrent sends would refuse each other. */
function cooldownClause(plan: SendPlan, mayBeAbsent: boolean): string[] {
  if (plan.cooldownMs <= 0) return [];
  return [mayBeAbsent ? '(attribute_not_exists(#lastSentAt) OR #lastSentAt <= :cooldownFloor)' : '#lastSentAt <= :cooldownFloor'];
}

/** Refuses the write when it would repeat the pending send of the same `Idempotency-Key` (see `sendRefusal`). */
function idempotencyClause(plan: SendPlan): string[] {
  if (plan.idempotencyKey === undefined) return [];
  return [
    `NOT (#idempotencyKey = :key AND attribute_exists(#codeHash) AND #codeExpiresAt > :now AND ${NOT_APPROVED}` +
      ' AND (attribute_exists(#idempotentResponse) OR #lastSentAt > :inFlightFloor))',
  ];
}

/** The `:value` placeholders an expression uses (DynamoDB refuses unused ones). */
function pick(expression: string, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== undefined && new RegExp(`${k}\\b`).test(expression)));
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException',
  'InternalServerError', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** Throttling, a server fault or no answer at all: worth a retry by the client, not a bug. */
export function isUnavailable(error: unknown): boolean {
  // Shape, not `instanceof Error`: socket errors can come from another realm (jest's VM, for one).
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; $fault?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const noResponse = e.$metadata !== undefined && e.$metadata.httpStatusCode === undefined;
  return (e.name !== undefined && THROTTLING.has(e.name)) || e.$fault === 'server' || (e.code !== undefined && NETWORK.has(e.code)) || noResponse;
}
