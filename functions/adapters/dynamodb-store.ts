import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { IdempotentRefusal, Reservation, SendAccepted, SendPlan, SpentAttempt, TestCode, VerificationRecord, VerificationStore } from '../domain/ports';
import { idempotentRefusal, sendRefusal, ttlSeconds, windowIsCurrent } from '../domain/send-rules';
import { unavailable } from './aws-errors';
import { ExpressionAttributes } from './dynamodb-expression';
import { VERIFICATION_TABLE } from './table-definition';

type Attribute = keyof VerificationRecord & string;
type Expr = ExpressionAttributes<Attribute>;

/** The code is not approved yet: its last evaluated guess was not the code (see `hasPendingCode`). */
function notApproved(x: Expr): string {
  return `(attribute_not_exists(${x.name('lastGuessHash')}) OR ${x.name('lastGuessHash')} <> ${x.name('codeHash')})`;
}

/** Contention between concurrent sends makes a reservation retry; this bounds it. */
const MAX_RESERVE_ROUNDS = 8;

type Write<T> = { ok: true; value: T } | { ok: false; current: VerificationRecord | undefined };

/**
 * The verification store on DynamoDB: one item per number, every limit one conditional write
 * (design: docs/data-model.md). A failed condition returns the item as it was, and
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
      const refusal = sendRefusal(known.item, plan);
      if (refusal) return { reserved: false, refusal };
      // No limit refused: the window ended, the TTL must grow, or another send won a race. Go again.
    }
    throw new Error('send reservation kept colliding with concurrent sends');
  }

  /** Stores the new code in the current window; `raiseTtl` when the code outlives the window's TTL. */
  private chargeWindow(plan: SendPlan, raiseTtl: boolean): Promise<Write<Reservation>> {
    const x: Expr = new ExpressionAttributes();
    const n = (a: Attribute) => x.name(a);
    const codeTtl = x.value('codeTtl', ttlSeconds(plan.codeExpiresAt, 0));
    const set = [
      `${n('codeHash')} = ${x.value('codeHash', plan.codeHash)}`,
      `${n('codeExpiresAt')} = ${x.value('codeExpiresAt', plan.codeExpiresAt)}`,
      `${n('attempts')} = ${x.value('zero', 0)}`,
      `${n('maxAttempts')} = ${x.value('maxAttempts', plan.maxAttempts)}`,
      `${n('sendId')} = ${x.value('sendId', plan.sendId)}`,
      `${n('channel')} = ${x.value('channel', plan.channel)}`,
      `${n('lastSentAt')} = ${x.value('now', plan.now)}`,
      `${n('sendCount')} = ${n('sendCount')} + ${x.value('one', 1)}`,
    ];
    const remove = [n('idempotentResponse'), n('lastGuessHash')];
    if (raiseTtl) set.push(`${n('ttl')} = ${codeTtl}`);
    if (plan.idempotencyKey !== undefined) set.push(`${n('idempotencyKey')} = ${x.value('key', plan.idempotencyKey)}`);
    else remove.push(n('idempotencyKey'));
    const conditions = [
      `${n('windowStart')} > ${x.value('windowFloor', plan.now - plan.windowMs)}`,
      `${n('sendCount')} < ${x.value('maxSends', plan.maxSendsPerWindow)}`,
      ...cooldownClause(x, plan, false),
      raiseTtl ? `(attribute_not_exists(${n('ttl')}) OR ${n('ttl')} < ${codeTtl})` : `${n('ttl')} >= ${codeTtl}`,
      ...idempotencyClause(x, plan),
    ];
    return this.write(
      this.updateCommand(plan.phoneNumber, `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`, conditions.join(' AND '), x, 'ALL_OLD'),
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
      channel: plan.channel,
      lastSentAt: plan.now,
      windowStart: plan.now,
      sendCount: 1,
      ttl: ttlSeconds(plan.codeExpiresAt, plan.now + plan.windowMs),
      ...(plan.idempotencyKey !== undefined && { idempotencyKey: plan.idempotencyKey }),
    };
    const x: Expr = new ExpressionAttributes();
    const condition = [
      `(attribute_not_exists(${x.name('phoneNumber')}) OR ${x.name('windowStart')} <= ${x.value('windowFloor', plan.now - plan.windowMs)})`,
      // The cooldown spans the window boundary: a send at 23:59:59 still holds off one at 00:00:00.
      ...cooldownClause(x, plan, true),
      ...idempotencyClause(x, plan),
    ].join(' AND ');
    return this.write(
      new PutCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: condition,
        ...x.forCommand(),
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      (old) => ({ reserved: true, previous: old, windowStart: plan.now, sendCount: 1 }),
    );
  }

  async releaseSend(phoneNumber: string, sendId: string, previous: VerificationRecord | undefined | 'unknown'): Promise<void> {
    if (previous === 'unknown')
      return this.updateIfLatest(phoneNumber, sendId, (x) => `REMOVE ${x.name('codeHash')}, ${x.name('idempotencyKey')}, ${x.name('idempotentResponse')}`);
    // The one write that depends on what an earlier one returned (docs/limits.md): put back what the reservation returned, only if no later send moved on.
    const x: Expr = new ExpressionAttributes();
    const guard = { ConditionExpression: `${x.name('sendId')} = ${x.value('sendId', sendId)}`, ...x.forCommand() };
    await this.write(
      previous
        ? new PutCommand({ TableName: this.tableName, Item: previous, ...guard })
        : new DeleteCommand({ TableName: this.tableName, Key: { [VERIFICATION_TABLE.partitionKey]: phoneNumber }, ...guard }),
      () => undefined,
    );
  }

  async rememberResponse(phoneNumber: string, sendId: string, response: SendAccepted): Promise<void> {
    await this.updateIfLatest(phoneNumber, sendId, (x) => `SET ${x.name('idempotentResponse')} = ${x.value('response', response)}`);
  }

  async forgetIdempotencyKey(phoneNumber: string, sendId: string): Promise<void> {
    await this.updateIfLatest(phoneNumber, sendId, (x) => `REMOVE ${x.name('idempotencyKey')}`);
  }

  async recordGuess(phoneNumber: string, guessHash: string, now: number): Promise<SpentAttempt> {
    const x: Expr = new ExpressionAttributes();
    const attempts = x.name('attempts');
    const update = `SET ${attempts} = ${attempts} + ${x.value('one', 1)}, ${x.name('lastGuessHash')} = ${x.value('guessHash', guessHash)}`;
    const condition = `attribute_exists(${x.name('codeHash')}) AND ${x.name('codeExpiresAt')} > ${x.value('now', now)} AND ${attempts} < ${x.name('maxAttempts')} AND ${notApproved(x)}`;
    const write = await this.write(this.updateCommand(phoneNumber, update, condition, x, 'ALL_NEW'), (item) => item);
    if (!write.ok) return { spent: false, current: write.current };
    if (!write.value) throw new Error('DynamoDB returned no item for ALL_NEW');
    return { spent: true, record: write.value };
  }

  async storeTestCode(code: TestCode): Promise<IdempotentRefusal | undefined> {
    // No counter is charged: a test number never is. The one condition is the replay rule, so a
    // retry with the same key gets this write's 202 back. The item lives as long as its code.
    const x: Expr = new ExpressionAttributes();
    const set = (a: Attribute, value: unknown) => `${x.name(a)} = ${x.value(a, value)}`;
    const sets = [
      set('codeHash', code.codeHash),
      set('codeExpiresAt', code.codeExpiresAt),
      set('attempts', 0),
      set('maxAttempts', code.maxAttempts),
      set('sendId', code.sendId),
      set('channel', code.channel),
      set('ttl', ttlSeconds(code.codeExpiresAt, 0)),
    ];
    const remove = [x.name('lastGuessHash')];
    if (code.idempotencyKey !== undefined) sets.push(set('idempotencyKey', code.idempotencyKey), set('idempotentResponse', code.response));
    else remove.push(x.name('idempotencyKey'), x.name('idempotentResponse'));
    const condition = idempotencyClause(x, code);
    const write = await this.write(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [VERIFICATION_TABLE.partitionKey]: code.phoneNumber },
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${remove.join(', ')}`,
        ...(condition.length > 0 && { ConditionExpression: condition.join(' AND '), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
        ...x.forCommand(),
      }),
      () => undefined,
    );
    if (write.ok) return undefined;
    const repeated = idempotentRefusal(write.current, code);
    if (!repeated) throw new Error('a test code write was refused, yet its key repeats no pending send');
    return repeated;
  }

  /** `update` (written with `x`'s placeholders), if `sendId` is still the number's latest send. */
  private async updateIfLatest(phoneNumber: string, sendId: string, update: (x: Expr) => string): Promise<void> {
    const x: Expr = new ExpressionAttributes();
    const expression = update(x);
    await this.write(this.updateCommand(phoneNumber, expression, `${x.name('sendId')} = ${x.value('sendId', sendId)}`, x), () => undefined);
  }

  /** An UpdateItem on `phoneNumber`'s item that returns the old item when `condition` fails. */
  private updateCommand(phoneNumber: string, update: string, condition: string, x: Expr, returnValues?: 'ALL_OLD' | 'ALL_NEW'): UpdateCommand {
    return new UpdateCommand({
      TableName: this.tableName,
      Key: { [VERIFICATION_TABLE.partitionKey]: phoneNumber },
      UpdateExpression: update,
      ConditionExpression: condition,
      ...x.forCommand(),
      ...(returnValues && { ReturnValues: returnValues }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  }

  /**
   * Runs one write. A failed condition is an answer, not an error: it comes back with the item
   * as it was. A throttled or unreachable DynamoDB becomes `service_unavailable` after the SDK's retries.
   */
  private async write<T>(command: UpdateCommand | PutCommand | DeleteCommand, onSuccess: (attributes: VerificationRecord | undefined) => T): Promise<Write<T>> {
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

/** `lastSentAt` at least the cooldown ago. Left out at cooldown 0, or concurrent sends would refuse each other. */
function cooldownClause(x: Expr, plan: SendPlan, mayBeAbsent: boolean): string[] {
  if (plan.cooldownMs <= 0) return [];
  const longAgo = `${x.name('lastSentAt')} <= ${x.value('cooldownFloor', plan.now - plan.cooldownMs)}`;
  return [mayBeAbsent ? `(attribute_not_exists(${x.name('lastSentAt')}) OR ${longAgo})` : longAgo];
}

/** Refuses the write when it would repeat the pending send of the same `Idempotency-Key` (see `sendRefusal`). */
function idempotencyClause(x: Expr, plan: Pick<SendPlan, 'idempotencyKey' | 'now' | 'inFlightMs'>): string[] {
  if (plan.idempotencyKey === undefined) return [];
  const n = (a: Attribute) => x.name(a);
  return [
    `NOT (${n('idempotencyKey')} = ${x.value('key', plan.idempotencyKey)} AND attribute_exists(${n('codeHash')}) AND ${n('codeExpiresAt')} > ${x.value('now', plan.now)} AND ${notApproved(x)}` +
      ` AND (attribute_exists(${n('idempotentResponse')}) OR ${n('lastSentAt')} > ${x.value('inFlightFloor', plan.now - plan.inFlightMs)}))`,
  ];
}
