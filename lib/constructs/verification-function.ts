import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, RuntimeFamily, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { handlerAsset, type HandlerName } from '../artifacts';

/**
 * The functions' runtime unless a stage names another (`lambdaRuntime`, docs/deploy.md): the
 * newest Node.js LTS that Lambda runs, and what the bundles are built for (esbuild `node24`).
 */
export const DEFAULT_LAMBDA_RUNTIME = 'nodejs24.x';

/** The oldest Node.js the bundles run on: they are built for it. */
const OLDEST_NODE_MAJOR = 24;

const nodeMajor = (name: string) => Number(/^nodejs([0-9]+)\.x$/.exec(name)?.[1] ?? NaN);

/**
 * The Node.js runtime `name` as this aws-cdk-lib knows it.
 * @throws Error when `name` is not a `nodejsNN.x` of 24 or later that aws-cdk-lib knows
 */
export function nodeRuntime(name: string): Runtime {
  if (!(nodeMajor(name) >= OLDEST_NODE_MAJOR)) throw new Error(`lambdaRuntime must be nodejs${OLDEST_NODE_MAJOR}.x or a later nodejsNN.x, not "${name}"`);
  const known = Runtime.ALL.find((r) => r.family === RuntimeFamily.NODEJS && r.name === name);
  if (!known) throw new Error(`lambdaRuntime: this aws-cdk-lib does not know ${name}; upgrade aws-cdk-lib or choose ${newestNodeRuntime()}`);
  return known;
}

/** The newest Node.js runtime this aws-cdk-lib knows: what cdk-nag's AwsSolutions-L1 asks every function to run. */
export function newestNodeRuntime(): string {
  const versions = Runtime.ALL.map((r) => r.name).filter((n) => Number.isFinite(nodeMajor(n)));
  return versions.reduce((newest, n) => (nodeMajor(n) > nodeMajor(newest) ? n : newest));
}

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
  readonly runtime: Runtime;
}

/**
 * A phone-verify Lambda with the house defaults: Node.js (24 unless the stage says) on arm64, the prebuilt minified ESM
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
      runtime: props.runtime,
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
