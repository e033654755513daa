import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/** The bench's baseline: the least a handler on this table can be, the document client and one GetItem. */
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: { phoneNumber: string }) =>
  db.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { phoneNumber: event.phoneNumber } }));
