/**
 * `npm run unlock -- --table <TableName> +821012345678`: lifts a number's lock and ends its
 * failed-guess streak (docs/limits.md, "The failed-guess streak"), with the operator's AWS
 * credentials (AWS_PROFILE / AWS_REGION, or `--region`) on the stage's table (stack output
 * TableName). It refuses a number with no streak, and prints the number masked only.
 */
import { DynamoVerificationStore } from '../functions/adapters/dynamodb-store';
import { parseCountries } from '../functions/config';
import { parsePhoneNumber } from '../functions/domain/phone';
import { documentClient } from '../functions/runtime';

export interface UnlockRequest {
  readonly table: string;
  readonly phoneNumber: string;
  /** ISO codes the number may belong to (the stage's ALLOWED_COUNTRIES); default KR. */
  readonly countries?: string | undefined;
  /** Another DynamoDB (DynamoDB Local), as DYNAMODB_ENDPOINT for the service. */
  readonly endpoint?: string | undefined;
  readonly now?: number;
}

/** Lifts the lock; the answer is one line for the operator, the number masked. @throws Error for a bad request */
export async function unlock(request: UnlockRequest): Promise<{ lifted: boolean; message: string }> {
  const phone = parsePhoneNumber(request.phoneNumber, parseCountries(request.countries ?? 'KR'));
  const db = documentClient({ dynamodbEndpoint: request.endpoint }, process.env);
  const lifted = await new DynamoVerificationStore(db, request.table).liftLock(phone.e164, request.now ?? Date.now());
  return {
    lifted,
    message: lifted
      ? `${phone.masked}: lock lifted and failed-guess streak ended (table ${request.table}).`
      : `${phone.masked}: no failed-guess streak or lock to lift (table ${request.table}); nothing changed.`,
  };
}

function arg(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  const table = arg(args, 'table');
  const phoneNumber = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'))[0];
  if (!table || !phoneNumber) {
    process.stderr.write('usage: npm run unlock -- --table <TableName> [--region ap-northeast-2] [--countries KR] <+82 number>\n');
    return 2;
  }
  const region = arg(args, 'region');
  if (region) process.env.AWS_REGION = region; // the SDK reads it when the client is made
  const { lifted, message } = await unlock({
    table,
    phoneNumber,
    countries: arg(args, 'countries') ?? process.env.ALLOWED_COUNTRIES,
    endpoint: process.env.DYNAMODB_ENDPOINT,
  });
  process.stdout.write(`${message}\n`);
  return lifted ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`unlock: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
