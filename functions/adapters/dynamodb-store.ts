import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  IdempotentRefusal,
  LockRefusal,
  Reservation,
  SendPlan,
  SendSettlement,
  SpentAttempt,
  StreakState,
  TestCode,
  VerificationRecord,
  VerificationStore,
} from '../domain/ports';
import {
  PERMANENT_LOCK_STREAK,
  SEND_ATTRIBUTES,
  STREAK_KEPT_MS,
  idempotentRefusal,
  lockInForce,
  sendRefusal,
  streakLeftAfterApproval,
  ttlSeconds,
  windowIsCurrent,
} from '../domain/send-rules';
import { VerificationError } from '../domain/errors';
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

  async reserveSend(plan: SendPlan, signal?: AbortSignal): Promise<Reservation> {
    let known: { item: VerificationRecord | undefined } | undefined;
    for (let round = 0; round < MAX_RESERVE_ROUNDS; round += 1) {
      // First try a new window: most sends go to numbers with none in force (a failed conditional
      // write costs a write unit too, so guessing the common case right saves one per send).
      const item = known?.item;
      const newTtl = ttlSeconds(plan.codeExpiresAt, windowIsCurrent(item, plan) ? 0 : plan.now + plan.windowMs);
      const variant = { raiseTtl: known === undefined || (item?.ttl ?? 0) < newTtl, resetStreak: streakLeftAfterApproval(item) };
      const write =
        known !== undefined && windowIsCurrent(item, plan) ? await this.chargeWindow(plan, variant, signal) : await this.startWindow(plan, variant, signal);
      if (write.ok) return write.value;
      known = { item: write.current };
      // A timed-out attempt that DynamoDB applied anyway, then retried by the SDK: the code is ours.
      if (known.item?.sendId === plan.sendId) {
        return { reserved: true, previous: 'unknown', windowStart: known.item.windowStart ?? plan.now, sendCount: known.item.sendCount ?? 1 };
      }
      const refusal = sendRefusal(known.item, plan);
      if (refusal) return { reserved: false, refusal };
      // No limit refused: the window ended, the TTL must grow or stay, a lost streak reset must be
      // cleared, or another send won a race. Go again, with the variant the item asks for.
    }
    throw new Error('send reservation kept colliding with concurrent sends');
  }

  /** Stores the new code in the current window (see `Variant`). */
  private chargeWindow(plan: SendPlan, variant: Variant, signal: AbortSignal | undefined): Promise<Write<Reservation>> {
    const x: Expr = new ExpressionAttributes();
    const n = (a: Attribute) => x.name(a);
    const set = [...sendSet(x, plan), `${n('sendCount')} = ${n('sendCount')} + ${x.value('one', 1)}`];
    const remove = [n('idempotentResponse'), n('lastGuessHash'), n('sendState'), n('provider'), n('testNumber')];
    if (plan.idempotencyKey !== undefined) set.push(`${n('idempotencyKey')} = ${x.value('key', plan.idempotencyKey)}`);
    else remove.push(n('idempotencyKey'));
    const conditions = [
      `${n('windowStart')} > ${x.value('windowFloor', plan.now - plan.windowMs)}`,
      `${n('sendCount')} < ${x.value('maxSends', plan.maxSendsPerWindow)}`,
      ...cooldownClause(x, plan, false),
      ...ttlClause(x, set, ttlSeconds(plan.codeExpiresAt, 0), variant.raiseTtl),
      ...idempotencyClause(x, plan),
      notLocked(x, plan.now),
      ...streakClause(x, set, remove, variant.resetStreak),
    ];
    return this.write(
      this.updateCommand(plan.phoneNumber, `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`, conditions.join(' AND '), x, 'ALL_OLD'),
      (old) => ({
        reserved: true,
        previous: old,
        windowStart: old?.windowStart ?? plan.now,
        sendCount: (old?.sendCount ?? 0) + 1,
      }),
      signal,
    );
  }

  /**
   * Starts a new daily window with the new code (none yet, or the last one ended): an update that
   * touches only the send's attributes, never a put that would lose the streak or a lock.
   */
  private startWindow(plan: SendPlan, variant: Variant, signal: AbortSignal | undefined): Promise<Write<Reservation>> {
    const x: Expr = new ExpressionAttributes();
    const n = (a: Attribute) => x.name(a);
    const set = [...sendSet(x, plan), `${n('windowStart')} = ${x.value('now', plan.now)}`, `${n('sendCount')} = ${x.value('one', 1)}`];
    const remove = [n('idempotentResponse'), n('lastGuessHash'), n('sendState'), n('provider'), n('testNumber')];
    if (plan.idempotencyKey !== undefined) set.push(`${n('idempotencyKey')} = ${x.value('key', plan.idempotencyKey)}`);
    else remove.push(n('idempotencyKey'));
    const conditions = [
      `(attribute_not_exists(${n('windowStart')}) OR ${n('windowStart')} <= ${x.value('windowFloor', plan.now - plan.windowMs)})`,
      // The cooldown spans the window boundary: a send at 23:59:59 still holds off one at 00:00:00.
      ...cooldownClause(x, plan, true),
      ...ttlClause(x, set, ttlSeconds(plan.codeExpiresAt, plan.now + plan.windowMs), variant.raiseTtl),
      ...idempotencyClause(x, plan),
      notLocked(x, plan.now),
      ...streakClause(x, set, remove, variant.resetStreak),
    ];
    return this.write(
      this.updateCommand(plan.phoneNumber, `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`, conditions.join(' AND '), x, 'ALL_OLD'),
      (old) => ({ reserved: true, previous: old?.phoneNumber === undefined ? undefined : old, windowStart: plan.now, sendCount: 1 }),
      signal,
    );
  }

  async releaseSend(phoneNumber: string, sendId: string, previous: VerificationRecord | undefined | 'unknown', signal?: AbortSignal): Promise<void> {
    if (previous === 'unknown') {
      await this.updateIfLatest(
        phoneNumber,
        sendId,
        (x) => `REMOVE ${x.name('codeHash')}, ${x.name('idempotencyKey')}, ${x.name('idempotentResponse')}`,
        signal,
      );
      return;
    }
    // The one write that depends on what an earlier one returned (docs/limits.md): the send's own
    // attributes go back to what the reservation found, only if no later send moved on. The
    // streak and a lock are left as they are (a guess may have counted meanwhile); the TTL goes
    // back too while the streak is as the reservation found it, so no guess's TTL is lowered.
    const x: Expr = new ExpressionAttributes();
    const guard = `${x.name('sendId')} = ${x.value('sendId', sendId)}`;
    if (previous === undefined) {
      // There was no item: delete it, unless something else was recorded on it meanwhile.
      const untouched = ['streak', 'lockedUntil', 'permanentLock'].map((a) => `attribute_not_exists(${x.name(a as Attribute)})`).join(' AND ');
      const deleted = await this.write(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [VERIFICATION_TABLE.partitionKey]: phoneNumber },
          ConditionExpression: `${guard} AND ${untouched}`,
          ...x.forCommand(),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        () => undefined,
        signal,
      );
      if (deleted.ok || deleted.current?.sendId !== sendId) return;
    }
    const restore = async (withTtl: boolean) => {
      const y: Expr = new ExpressionAttributes();
      const set: string[] = [];
      const remove: string[] = [];
      for (const a of SEND_ATTRIBUTES) {
        const value = previous?.[a];
        if (value === undefined) remove.push(y.name(a));
        else set.push(`${y.name(a)} = ${y.value(a, value)}`);
      }
      const conditions = [`${y.name('sendId')} = ${y.value('mine', sendId)}`];
      if (withTtl) {
        set.push(`${y.name('ttl')} = ${y.value('ttl', previous?.ttl)}`);
        const streak =
          previous?.streak === undefined ? `attribute_not_exists(${y.name('streak')})` : `${y.name('streak')} = ${y.value('streak', previous.streak)}`;
        conditions.push(streak);
      }
      const update = [set.length > 0 && `SET ${set.join(', ')}`, remove.length > 0 && `REMOVE ${remove.join(', ')}`].filter(Boolean).join(' ');
      return this.write(this.updateCommand(phoneNumber, update, conditions.join(' AND '), y), () => undefined, signal);
    };
    if (previous?.ttl === undefined) {
      await restore(false);
      return;
    }
    const restored = await restore(true);
    if (!restored.ok && restored.current?.sendId === sendId) await restore(false); // a guess counted meanwhile
  }

  async settleSend(phoneNumber: string, sendId: string, { state, provider, channel, response }: SendSettlement, signal?: AbortSignal): Promise<void> {
    await this.updateIfLatest(
      phoneNumber,
      sendId,
      (x) => {
        const set = [
          `${x.name('sendState')} = ${x.value('state', state)}`,
          `${x.name('provider')} = ${x.value('provider', provider)}`,
          `${x.name('channel')} = ${x.value('channel', channel)}`,
        ];
        if (state === 'timed_out') return `SET ${set.join(', ')} REMOVE ${x.name('idempotencyKey')}`;
        if (response !== undefined) set.push(`${x.name('idempotentResponse')} = ${x.value('response', response)}`);
        return `SET ${set.join(', ')}`;
      },
      signal,
    );
  }

  async recordGuess(phoneNumber: string, guessHash: string, now: number, jti: string): Promise<SpentAttempt> {
    const x: Expr = new ExpressionAttributes();
    const attempts = x.name('attempts');
    const update = `SET ${attempts} = ${attempts} + ${x.value('one', 1)}, ${x.name('lastGuessHash')} = ${x.value('guessHash', guessHash)}, ${x.name('lastJti')} = ${x.value('jti', jti)}`;
    const condition = `attribute_exists(${x.name('codeHash')}) AND ${x.name('codeExpiresAt')} > ${x.value('now', now)} AND ${attempts} < ${x.name('maxAttempts')} AND ${notApproved(x)} AND ${notLocked(x, now)}`;
    // Applied, if the item still names this check as the last and its guess as the last guess (a
    // later check would have changed the one, a new send removed the other).
    const write = await this.writeOnce(
      phoneNumber,
      this.updateCommand(phoneNumber, update, condition, x, 'ALL_NEW'),
      (item) => item?.lastJti === jti && item.lastGuessHash === guessHash,
    );
    if (!write.ok) return { spent: false, current: write.current };
    if (!write.value) throw new Error('DynamoDB returned no item for ALL_NEW');
    return { spent: true, record: write.value };
  }

  async storeTestCode(code: TestCode, signal?: AbortSignal): Promise<IdempotentRefusal | LockRefusal | undefined> {
    // No counter is charged: a test number never is. The conditions are the replay rule (a retry
    // with the same key gets this write's 202 back) and the lock. The TTL is raised to the code's
    // expiry, never lowered: a streak's 90 days must outlive the code (`ttlClause`, as for a send).
    for (const raiseTtl of [true, false]) {
      const x: Expr = new ExpressionAttributes();
      const set = (a: Attribute, value: unknown) => `${x.name(a)} = ${x.value(a, value)}`;
      const sets = [
        set('codeHash', code.codeHash),
        set('codeExpiresAt', code.codeExpiresAt),
        set('attempts', 0),
        set('maxAttempts', code.maxAttempts),
        set('sendId', code.sendId),
        set('channel', code.channel),
        set('sendState', 'accepted'), // settled at once: nothing goes to a provider
        set('testNumber', true),
      ];
      const remove = [x.name('lastGuessHash'), x.name('provider')];
      if (code.idempotencyKey !== undefined) sets.push(set('idempotencyKey', code.idempotencyKey), set('idempotentResponse', code.response));
      else remove.push(x.name('idempotencyKey'), x.name('idempotentResponse'));
      const condition = [...idempotencyClause(x, code), notLocked(x, code.now), ...ttlClause(x, sets, ttlSeconds(code.codeExpiresAt, 0), raiseTtl)];
      const write = await this.write(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [VERIFICATION_TABLE.partitionKey]: code.phoneNumber },
          UpdateExpression: raiseSeq(`SET ${sets.join(', ')} REMOVE ${remove.join(', ')}`, x),
          ConditionExpression: condition.join(' AND '),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...x.forCommand(),
        }),
        () => undefined,
        signal,
      );
      if (write.ok) return undefined;
      const refused = idempotentRefusal(write.current, code) ?? lockInForce(write.current, code.now);
      if (refused) return refused;
      // Refused for the TTL alone: the item is kept longer already. Again, leaving the TTL as it is.
    }
    throw new Error('a test code write was refused, yet no key repeats, no lock is in force and the TTL allowed it');
  }

  async countWrongGuess(phoneNumber: string, now: number, jti: string): Promise<StreakState> {
    // A wrong guess is wrong whatever code is pending now: counted whatever the item says. The item
    // stays 90 days after it, later than any other reason to keep it, so waiting never resets the
    // streak; but a lock for good has no TTL, and a guess that raced the lock must not give it one
    // back: the TTL is set on the condition that there is none, else the count goes without it.
    for (const keepFor90Days of [true, false]) {
      const x: Expr = new ExpressionAttributes();
      const set = [`${x.name('lastWrongJti')} = ${x.value('jti', jti)}`];
      if (keepFor90Days) set.push(`${x.name('ttl')} = ${x.value('ttl', ttlSeconds(now + STREAK_KEPT_MS, 0))}`);
      const update = `ADD ${x.name('streak')} ${x.value('one', 1)} SET ${set.join(', ')}`;
      const command = new UpdateCommand({
        TableName: this.tableName,
        Key: { [VERIFICATION_TABLE.partitionKey]: phoneNumber },
        UpdateExpression: raiseSeq(update, x),
        ...(keepFor90Days && { ConditionExpression: `attribute_not_exists(${x.name('permanentLock')})` }),
        ...x.forCommand(),
        ReturnValues: 'ALL_NEW',
      });
      const write = await this.writeOnce(phoneNumber, command, (item) => item?.lastWrongJti === jti);
      if (!write.ok) continue; // locked for good: again, without the TTL
      if (!write.value) throw new Error('DynamoDB returned no item for ALL_NEW');
      const item = write.value;
      return { streak: item.streak ?? 0, lockCount: item.lockCount ?? 0, lockedUntil: item.lockedUntil, permanentLock: item.permanentLock === true };
    }
    throw new Error('a streak count without a condition was refused');
  }

  async lock(phoneNumber: string, now: number, maxFailedGuesses: number, seenLockCount: number, until: number | undefined): Promise<boolean> {
    const x: Expr = new ExpressionAttributes();
    const n = (a: Attribute) => x.name(a);
    const lockCount = n('lockCount');
    // Of racing guesses that all saw the streak reach the limit, the first to write this locks;
    // the others find the lock in force or the count moved on. A reset that came first wins too.
    // For good at 100: whatever timed lock is in force, once.
    const condition = (
      until === undefined
        ? [`${n('streak')} >= ${x.value('forGood', PERMANENT_LOCK_STREAK)}`, `attribute_not_exists(${n('permanentLock')})`]
        : [
            `${n('streak')} >= ${x.value('max', maxFailedGuesses)}`,
            notLocked(x, now),
            seenLockCount === 0
              ? `(attribute_not_exists(${lockCount}) OR ${lockCount} = ${x.value('seen', 0)})`
              : `${lockCount} = ${x.value('seen', seenLockCount)}`,
          ]
    ).join(' AND ');
    const update =
      until === undefined
        ? `SET ${n('permanentLock')} = ${x.value('yes', true)} ADD ${lockCount} ${x.value('one', 1)} REMOVE ${n('lockedUntil')}, ${n('ttl')}` // no TTL: only an operator lifts it
        : `SET ${n('lockedUntil')} = ${x.value('until', until)} ADD ${lockCount} ${x.value('one', 1)}`;
    const write = await this.write(this.updateCommand(phoneNumber, update, condition, x), () => undefined);
    return write.ok;
  }

  async resetStreak(phoneNumber: string, jti: string): Promise<void> {
    const x: Expr = new ExpressionAttributes();
    const update = `SET ${x.name('streak')} = ${x.value('zero', 0)}, ${x.name('lockCount')} = ${x.value('zero', 0)} REMOVE ${x.name('lockedUntil')}`;
    await this.write(this.updateCommand(phoneNumber, update, `${x.name('lastJti')} = ${x.value('jti', jti)}`, x), () => undefined);
  }

  /** The item, read consistently: before a keyed send's challenge, and after a write whose answer was lost. */
  async readItem(phoneNumber: string, signal?: AbortSignal): Promise<VerificationRecord | undefined> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: { [VERIFICATION_TABLE.partitionKey]: phoneNumber }, ConsistentRead: true }),
        signal ? { abortSignal: signal } : {},
      );
      return Item as VerificationRecord | undefined;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * The operator's command (scripts/unlock.ts, docs/limits.md): ends the number's streak and any
   * lock, the permanent one included. False when the number has no streak to end.
   */
  async liftLock(phoneNumber: string, now: number): Promise<boolean> {
    const x: Expr = new ExpressionAttributes();
    const n = (a: Attribute) => x.name(a);
    const update = `SET ${n('streak')} = ${x.value('zero', 0)}, ${n('lockCount')} = ${x.value('zero', 0)}, ${n('ttl')} = ${x.value('ttl', ttlSeconds(now + STREAK_KEPT_MS, 0))} REMOVE ${n('lockedUntil')}, ${n('permanentLock')}`;
    const condition = `${n('streak')} > ${x.value('zero', 0)} OR attribute_exists(${n('lockedUntil')}) OR attribute_exists(${n('permanentLock')})`;
    return (await this.write(this.updateCommand(phoneNumber, update, condition, x), () => undefined)).ok;
  }

  /**
   * A write whose second application would change the answer (docs/data-model.md, "Retried
   * writes"): sent with one attempt, never retried by the SDK. When its answer is lost (no answer
   * in time, a broken connection, a throttle), one consistent read decides: `applied` recognises
   * the write in the item, which is then its answer; otherwise 503, and it is never sent again.
   */
  private async writeOnce(
    phoneNumber: string,
    command: UpdateCommand,
    applied: (item: VerificationRecord | undefined) => boolean,
  ): Promise<Write<VerificationRecord | undefined>> {
    try {
      return await this.write(oneAttempt(command), (item) => item);
    } catch (error) {
      if (!(error instanceof VerificationError && error.code === 'service_unavailable')) throw error;
      const item = await this.readItem(phoneNumber);
      if (applied(item)) return { ok: true, value: item };
      throw error;
    }
  }

  /** `update` (written with `x`'s placeholders), if `sendId` is still the number's latest send. */
  private async updateIfLatest(phoneNumber: string, sendId: string, update: (x: Expr) => string, signal: AbortSignal | undefined): Promise<void> {
    const x: Expr = new ExpressionAttributes();
    const expression = update(x);
    await this.write(this.updateCommand(phoneNumber, expression, `${x.name('sendId')} = ${x.value('sendId', sendId)}`, x), () => undefined, signal);
  }

  /** An UpdateItem on `phoneNumber`'s item that returns the old item when `condition` fails. */
  private updateCommand(phoneNumber: string, update: string, condition: string, x: Expr, returnValues?: 'ALL_OLD' | 'ALL_NEW'): UpdateCommand {
    return new UpdateCommand({
      TableName: this.tableName,
      Key: { [VERIFICATION_TABLE.partitionKey]: phoneNumber },
      UpdateExpression: raiseSeq(update, x),
      ConditionExpression: condition,
      ...x.forCommand(),
      ...(returnValues && { ReturnValues: returnValues }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  }

  /**
   * Runs one write. A failed condition is an answer, not an error: it comes back with the item
   * as it was. A throttled or unreachable DynamoDB becomes `service_unavailable` after the SDK's
   * retries, and so does a write cut off by `signal` (a send's store allowance).
   */
  private async write<T>(
    command: UpdateCommand | PutCommand | DeleteCommand,
    onSuccess: (attributes: VerificationRecord | undefined) => T,
    signal?: AbortSignal,
  ): Promise<Write<T>> {
    try {
      const output = await this.db.send(command as UpdateCommand, signal ? { abortSignal: signal } : {});
      return { ok: true, value: onSuccess(output.Attributes as VerificationRecord | undefined) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { ok: false, current: error.Item ? (unmarshall(error.Item) as VerificationRecord) : undefined };
      }
      throw unavailable(error);
    }
  }
}

/**
 * `command` with exactly one attempt, whatever the client's retry setting: the SDK's retry
 * middleware, for this command only, gives way to one that passes the request through.
 */
function oneAttempt<C extends UpdateCommand>(command: C): C {
  command.middlewareStack.add((next) => (args) => next(args), {
    step: 'finalizeRequest',
    name: 'retryMiddleware',
    tags: ['RETRY'],
    priority: 'high',
    override: true,
  });
  return command;
}

/**
 * Adds to an update expression the raise of the item's `seq` (docs/data-model.md): every write
 * raises it by one, starting from the wall clock in ms when the item has none, so a number's
 * stream records are ordered even across an item that TTL deleted and a send created again.
 */
function raiseSeq(update: string, x: Expr): string {
  const seq = x.name('seq');
  const raise = `${seq} = if_not_exists(${seq}, ${x.value('seqFloor', Date.now())}) + ${x.value('seqStep', 1)}`;
  return /(^|\s)SET\s/.test(update) ? update.replace(/(^|\s)SET\s/, `$1SET ${raise}, `) : `SET ${raise} ${update}`;
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

/**
 * What a reservation round writes besides the code: `raiseTtl` when the new TTL is later than the
 * item's (else the TTL stays: no write lowers it), `resetStreak` when the last code was approved
 * but its streak reset was lost (the send clears it in its own write).
 */
interface Variant {
  readonly raiseTtl: boolean;
  readonly resetStreak: boolean;
}

/** The new code and its send: hash, expiry, attempts, send id, channel, the cooldown's clock. */
function sendSet(x: Expr, plan: SendPlan): string[] {
  const n = (a: Attribute) => x.name(a);
  return [
    `${n('codeHash')} = ${x.value('codeHash', plan.codeHash)}`,
    `${n('codeExpiresAt')} = ${x.value('codeExpiresAt', plan.codeExpiresAt)}`,
    `${n('attempts')} = ${x.value('zero', 0)}`,
    `${n('maxAttempts')} = ${x.value('maxAttempts', plan.maxAttempts)}`,
    `${n('sendId')} = ${x.value('sendId', plan.sendId)}`,
    `${n('channel')} = ${x.value('channel', plan.channel)}`,
    `${n('lastSentAt')} = ${x.value('now', plan.now)}`,
  ];
}

/** Raises the TTL to `ttl` only if it is later (the condition says so); else leaves it and requires it to be at least `ttl`. */
function ttlClause(x: Expr, set: string[], ttl: number, raise: boolean): string[] {
  const name = x.name('ttl');
  const value = x.value('newTtl', ttl);
  if (!raise) return [`${name} >= ${value}`];
  set.push(`${name} = ${value}`);
  return [`(attribute_not_exists(${name}) OR ${name} < ${value})`];
}

/** No lock in force at `now`, and no lock for good. */
function notLocked(x: Expr, now: number): string {
  const until = x.name('lockedUntil');
  return `(attribute_not_exists(${until}) OR ${until} <= ${x.value('now', now)}) AND attribute_not_exists(${x.name('permanentLock')})`;
}

/**
 * The lost streak reset (see `streakLeftAfterApproval`): without `reset`, the write requires that
 * there is none to clear; with it, it requires one and clears it in the same write.
 */
function streakClause(x: Expr, set: string[], remove: string[], reset: boolean): string[] {
  const n = (a: Attribute) => x.name(a);
  const left = `(attribute_exists(${n('lastGuessHash')}) AND ${n('lastGuessHash')} = ${n('codeHash')} AND ${n('streak')} > ${x.value('zero', 0)})`;
  if (!reset) return [`NOT ${left}`];
  set.push(`${n('streak')} = ${x.value('zero', 0)}`, `${n('lockCount')} = ${x.value('zero', 0)}`);
  remove.push(n('lockedUntil'));
  return [left];
}
