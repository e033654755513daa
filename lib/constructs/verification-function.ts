import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { phoneMetadataFile } from '../phone-metadata';

export interface VerificationFunctionProps {
  /** Entry file under `functions/`, e.g. `send-code.ts`. */
  readonly entry: string;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly reservedConcurrency?: number | undefined;
  readonly tracing: boolean;
  /** ALLOWED_COUNTRIES of the stage: the bundle carries phone metadata for these only. */
  readonly allowedCountries: readonly string[];
}

const ROOT = join(__dirname, '..', '..');

/**
 * A phone-verify Lambda with the house defaults: Node.js 24 on arm64, one minified ESM file with
 * the AWS SDK bundled (no reliance on the runtime's copy), source maps, X-Ray when asked, an explicit log
 * group with retention, and a role that starts with no permissions at all.
 */
export class VerificationFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: VerificationFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    // Own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.logGroupArn}`] }));
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(ROOT, 'functions', props.entry),
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      ...(props.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        ...BUNDLING,
        esbuildArgs: { [`--alias:${PHONE_METADATA_MODULE}`]: phoneMetadataFile(props.allowedCountries) },
      },
    });
  }
}

/** The module functions/domain/phone.ts imports its metadata from; bundles get a cut in its place. */
export const PHONE_METADATA_MODULE = 'libphonenumber-js/metadata.max.json';

/** esbuild options for an ESM bundle that carries its own SDK (TOOLCHAIN.md explains each one). */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: [],
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  forceDockerBundling: false,
};
