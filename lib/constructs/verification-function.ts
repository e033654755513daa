import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { handlerAsset, type HandlerName } from '../artifacts';

export interface VerificationFunctionProps {
  /** Which prebuilt handler (dist/handlers/<name>/index.mjs, made by `npm run build`). */
  readonly handler: HandlerName;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly reservedConcurrency?: number | undefined;
  readonly tracing: boolean;
  /** ALLOWED_COUNTRIES of the stage: the function carries phone metadata for these only. */
  readonly allowedCountries: readonly string[];
}

/**
 * A phone-verify Lambda with the house defaults: Node.js 24 on arm64, the prebuilt minified ESM
 * bundle (AWS SDK inside, no reliance on the runtime's copy) with its source map beside it (read
 * only when a bug's stack is logged), X-Ray when
 * asked, an explicit log group with retention, and a role that starts with no permissions at all.
 */
export class VerificationFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: VerificationFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    // Own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.logGroupArn}`] }));
    this.function = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(handlerAsset(props.handler, props.allowedCountries)),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      ...(props.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.reservedConcurrency }),
      // No NODE_OPTIONS: --enable-source-maps made every cold import about 10 ms (20 %) slower
      // (npm run bench measures both); a bug's stack is mapped when it is logged instead
      // (functions/adapters/readable-stack.ts).
      environment: props.environment,
    });
  }
}
