import { EventBridgePublisher } from '../../functions/adapters/eventbridge-publisher';
import { eventsHandler } from '../../functions/events-handler';
import { LocalStreamReader, localStreamsClient } from '../../local/dynamodb-stream';
import { localClient } from '../../local/dynamodb-local';
import { eventBridgeClientFor, useAws } from '../support/aws';
import { RecordingDeadLetters } from '../support/events';
import { wrong } from '../support/fakes';
import { dynamoHarness } from '../support/harness';
import { schemaViolations } from '../support/event-schemas';

/**
 * The whole chain on real parts: the HTTP handlers write to DynamoDB Local, its stream (the real
 * engine's DynamoDB Streams API) is read with the reader `npm start` uses, the events function's
 * handler maps and publishes, and the AWS stand-in's EventBridge receives. What arrives there is
 * what a consumer's rule would see: exactly the committed changes, none invented, none lost.
 */
const BUS = 'phone-verify-dev';
const E164 = '+821012345678';

describe('lifecycle events from the table’s own stream (DynamoDB Local → events function → EventBridge stand-in)', () => {
  const aws = useAws([BUS]);

  async function setUp(env: Record<string, string> = {}) {
    const h = await dynamoHarness({ RESEND_COOLDOWN_SECONDS: '0', ...env });
    const emu = aws();
    const deadLetters = new RecordingDeadLetters();
    const handle = eventsHandler({
      publisher: new EventBridgePublisher(eventBridgeClientFor(emu), BUS, { rounds: 4, backoffMs: 1 }),
      deadLetters,
      context: { stage: 'dev', phoneNumber: (e164) => e164 },
    });
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
    const reader = (await LocalStreamReader.open(localClient(endpoint), localStreamsClient(endpoint), h.tableName, (event) => handle(event, {} as never)))!;
    const detailTypes = () => emu.events.map((e) => e.detailType);
    return { h, emu, deadLetters, reader, detailTypes };
  }

  it('send, wrong guess, right guess → exactly Code Sent, Check Failed, Phone Number Verified, in order of sequence', async () => {
    const { h, emu, reader, detailTypes, deadLetters } = await setUp();
    expect((await h.send({ phoneNumber: E164 })).status).toBe(202);
    expect((await h.check({ phoneNumber: E164, code: wrong(h.sender.lastCode()) })).status).toBe(400);
    const approved = await h.check({ phoneNumber: E164, code: h.sender.lastCode() });
    expect(approved.status).toBe(200);
    await reader.drain();
    expect(detailTypes()).toEqual(['Verification Code Sent', 'Verification Check Failed', 'Phone Number Verified']);
    const sequences = emu.events.map((e) => (e.detail as { sequence: number }).sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    expect(new Set(sequences).size).toBe(3);
    // The token the client got carries the tokenId the event announced.
    const jti = JSON.parse(Buffer.from(String(approved.json.token).split('.')[1]!, 'base64url').toString()).jti;
    expect(emu.events[2]!.detail).toMatchObject({ tokenId: jti, phoneNumber: E164, testNumber: false });
    expect(emu.events[0]!.detail).toMatchObject({ provider: 'test', channel: 'sms', providerTimedOut: false });
    expect(deadLetters.received).toEqual([]);
    // As delivered, each matches its schema in docs/events.
    expect(schemaViolations(emu.events)).toEqual([]);
    expect(emu.refusals).toEqual([]);
    expect(emu.eventsDropped).toEqual([]);
    // Read again: nothing new, nothing twice.
    await reader.drain();
    expect(emu.events).toHaveLength(3);
  });

  it('a send the provider refused (502) publishes nothing: its reservation and rollback are not a send', async () => {
    const { h, emu, reader } = await setUp();
    h.sender.mode = 'refuse';
    expect((await h.send({ phoneNumber: E164 })).status).toBe(502);
    await reader.drain();
    expect(emu.events).toEqual([]);
    expect(emu.calls).toEqual([]);
  });

  it('a send that timed out after the request went out (504) publishes Code Sent with providerTimedOut', async () => {
    const { h, emu, reader } = await setUp();
    h.sender.mode = 'timeout';
    expect((await h.send({ phoneNumber: E164 })).status).toBe(504);
    await reader.drain();
    expect(emu.events.map((e) => [e.detailType, (e.detail as { providerTimedOut: boolean }).providerTimedOut])).toEqual([['Verification Code Sent', true]]);
  });

  it('an idempotent replay publishes nothing', async () => {
    const { h, emu, reader } = await setUp();
    const key = { 'Idempotency-Key': 'f1d7c2a4-1e0b-4c59-9d1a-8f5e2b7c3a10' };
    expect((await h.send({ phoneNumber: E164 }, key)).status).toBe(202);
    const replay = await h.send({ phoneNumber: E164 }, key);
    expect(replay.headers['Idempotent-Replayed']).toBe('true');
    await reader.drain();
    expect(emu.events.map((e) => e.detailType)).toEqual(['Verification Code Sent']);
  });

  it('20 concurrent right answers → one Phone Number Verified', async () => {
    const { h, reader, detailTypes } = await setUp();
    await h.send({ phoneNumber: E164 });
    const code = h.sender.lastCode();
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.check({ phoneNumber: E164, code })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    await reader.drain();
    expect(detailTypes().filter((t) => t === 'Phone Number Verified')).toHaveLength(1);
    expect(detailTypes().filter((t) => t === 'Verification Check Failed')).toHaveLength(0);
  });

  it('a test number’s send publishes Code Sent with provider null and testNumber true', async () => {
    const { emu, reader, h } = await setUp({ TEST_NUMBERS: `${E164}=123456` });
    expect((await h.send({ phoneNumber: E164 })).status).toBe(202);
    expect((await h.check({ phoneNumber: E164, code: '123456' })).status).toBe(200);
    await reader.drain();
    expect(emu.events.map((e) => e.detailType)).toEqual(['Verification Code Sent', 'Phone Number Verified']);
    expect(emu.events[0]!.detail).toMatchObject({ provider: null, testNumber: true });
    expect(schemaViolations(emu.events)).toEqual([]);
    expect(h.sender.messages).toEqual([]);
  });

  it('a PutEvents that fails some entries: exactly the failed ones are put again, nothing lost, nothing twice', async () => {
    const { h, emu, reader, deadLetters } = await setUp({ MAX_CHECK_ATTEMPTS: '3' });
    await h.send({ phoneNumber: E164 });
    for (let i = 0; i < 3; i += 1) await h.check({ phoneNumber: E164, code: wrong(h.sender.lastCode()) });
    emu.mode.events = 'partial';
    await reader.drain();
    // Sent, three Check Failed, and Locked with the last one (attempts_exhausted): five events.
    expect(emu.refusals.length).toBeGreaterThan(0);
    expect(deadLetters.received).toEqual([]);
    const ids = emu.events.map((e) => (e.detail as { eventId: string }).eventId);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toHaveLength(5);
    expect(schemaViolations(emu.events)).toEqual([]);
    expect(emu.events.map((e) => e.detailType).sort()).toEqual(
      ['Verification Check Failed', 'Verification Check Failed', 'Verification Check Failed', 'Verification Code Sent', 'Verification Locked'].sort(),
    );
  });

  it('an EventBridge that refuses everything: the events reach the dead-letter queue whole, and the stream moves on', async () => {
    const { h, emu, reader, deadLetters } = await setUp();
    emu.mode.events = 'throttle';
    await h.send({ phoneNumber: E164 });
    await reader.drain();
    expect(emu.events).toEqual([]);
    expect(deadLetters.received.map((e) => e.detailType)).toEqual(['Verification Code Sent']);
    emu.mode.events = 'ok';
    await h.check({ phoneNumber: E164, code: h.sender.lastCode() });
    await reader.drain();
    expect(emu.events.map((e) => e.detailType)).toEqual(['Phone Number Verified']);
  });

  it('a dead-letter queue that fails too: the record is read again from there, in order, once both recover', async () => {
    const { h, emu, reader, deadLetters } = await setUp();
    emu.mode.events = 'throttle';
    deadLetters.failing = true;
    await h.send({ phoneNumber: E164 });
    await h.check({ phoneNumber: E164, code: wrong(h.sender.lastCode()) });
    await reader.drain();
    expect(emu.events).toEqual([]);
    emu.mode.events = 'ok';
    deadLetters.failing = false;
    await reader.drain();
    expect(emu.events.map((e) => e.detailType)).toEqual(['Verification Code Sent', 'Verification Check Failed']);
  });
});
