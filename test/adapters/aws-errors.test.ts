import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { isUnavailable } from '../../functions/adapters/aws-errors';
import { buildRuntime } from '../../functions/runtime';
import { sendCodeRoute } from '../../functions/send-code';
import { RecordingSender } from '../support/fakes';
import { TEST_SECRETS, handlerFor, postEvent } from '../support/http-events';

const sdkError = (name: string, fault: 'client' | 'server', httpStatusCode?: number) =>
  Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode } });

describe('isUnavailable (what becomes 503 rather than 500)', () => {
  it.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400 } })],
    ['ThrottlingException', sdkError('ThrottlingException', 'client', 400)],
    ['a server fault', sdkError('InternalServerError', 'server', 500)],
    ['no answer at all', sdkError('TimeoutError', 'client', undefined)],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a call our own time limit cut off (a send’s store allowance)', Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
  ])('counts %s as unavailable', (_label, error) => {
    expect(isUnavailable(error)).toBe(true);
  });

  it.each([
    ['a validation bug', sdkError('ValidationException', 'client', 400)],
    ['a missing table', sdkError('ResourceNotFoundException', 'client', 400)],
    ['a plain bug', new TypeError('x is undefined')],
    ['a thrown string', 'oops'],
  ])('counts %s as a bug (500)', (_label, error) => {
    expect(isUnavailable(error)).toBe(false);
  });
});

describe('DynamoDB throttled during a send', () => {
  it('answers 503 service_unavailable with Retry-After, and no SMS goes out', async () => {
    const sender = new RecordingSender();
    const runtime = await buildRuntime(TEST_SECRETS, {
      sender,
      db: {
        send: async () => Promise.reject(new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: { httpStatusCode: 400 } })),
      } as never,
    });
    const answer = await handlerFor(sendCodeRoute, runtime)(postEvent('/v1/verifications', { phoneNumber: '010-1234-5678' }));
    expect(answer.status).toBe(503);
    expect(answer.json.code).toBe('service_unavailable');
    expect(answer.headers['Retry-After']).toBe('2');
    expect(sender.messages).toHaveLength(0);
  });
});
