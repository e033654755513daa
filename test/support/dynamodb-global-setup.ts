import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';

/** One DynamoDB Local for the whole `int` project; each test file makes its own tables. */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dynamo = await startDynamoDbLocal();
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  (globalThis as { dynamoDbLocal?: DynamoDbLocal }).dynamoDbLocal = dynamo;
}
