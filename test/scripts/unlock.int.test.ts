import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/runtime';
import { unlock } from '../../scripts/unlock';
import { dynamoHarness } from '../support/harness';

const E164 = '+821012345678';
const ENDPOINT = () => process.env.TEST_DYNAMODB_ENDPOINT ?? '';

/** The operator's command that lifts a lock (docs/limits.md), on DynamoDB Local. */
describe('npm run unlock', () => {
  it('lifts a lock for good and ends the streak, saying so with the number masked; the number can be sent to again', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    await documentClient({ dynamodbEndpoint: ENDPOINT() }).send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: { phoneNumber: E164 },
        UpdateExpression: 'SET streak = :s, lockCount = :c, permanentLock = :p REMOVE #ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':s': 100, ':c': 6, ':p': true },
      }),
    );
    h.clock.advance(61_000);
    expect((await h.send({ phoneNumber: E164 })).json.code).toBe('verification_locked');
    const answer = await unlock({ table: h.tableName, phoneNumber: '010-1234-5678', endpoint: ENDPOINT(), now: h.clock.now() });
    expect(answer).toEqual({ lifted: true, message: `+82 10-****-5678: lock lifted and failed-guess streak ended (table ${h.tableName}).` });
    const item = await h.item();
    expect(item).toMatchObject({ streak: 0, lockCount: 0 });
    expect(item?.permanentLock).toBeUndefined();
    expect((await h.send({ phoneNumber: E164 })).status).toBe(202);
  });

  it('refuses a number with no streak, changing nothing', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    const before = await h.item();
    expect(await unlock({ table: h.tableName, phoneNumber: E164, endpoint: ENDPOINT() })).toEqual({
      lifted: false,
      message: `+82 10-****-5678: no failed-guess streak or lock to lift (table ${h.tableName}); nothing changed.`,
    });
    expect(await h.item()).toEqual(before);
  });

  it('runs as the README writes it, exits 1 when there is nothing to lift, and never prints the full number', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    const run = () =>
      execFileSync(
        process.execPath,
        [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'unlock.ts'), '--table', h.tableName, '+82 10-1234-5678'],
        {
          env: { ...process.env, DYNAMODB_ENDPOINT: ENDPOINT() },
          encoding: 'utf8',
          timeout: 60_000,
          stdio: 'pipe',
        },
      );
    let failure: { status: number; stdout: string } | undefined;
    try {
      run();
    } catch (error) {
      failure = error as { status: number; stdout: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stdout).toContain('+82 10-****-5678: no failed-guess streak or lock to lift');
    expect(failure?.stdout).not.toContain('1012345678');
  }, 90_000);
});
