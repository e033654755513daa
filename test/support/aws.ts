import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
// The strict AWS stand-in, vendored byte for byte from the product contract's stand-ins
// (test/emulators/), written from AWS's API references and models: never a fake of ours.
import { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions } from '../emulators/aws-emulator/aws-emulator.cjs';

export type { AwsEmulator };

export const AWS_TEST_CREDENTIALS = { accessKeyId: 'AKIDPHONEVERIFYTEST', secretAccessKey: 'phone-verify-test-secret' };

/** The emulator, verifying SigV4 signatures made with the test credentials; `eventBuses` exist besides the default. */
export function startAws(
  eventBuses: string[] = [],
  options: Omit<AwsEmulatorOptions, 'region' | 'accountId' | 'credentials' | 'eventBuses'> = {},
): Promise<AwsEmulator> {
  return startAwsEmulator({ ...options, region: 'ap-northeast-2', accountId: '123456789012', credentials: AWS_TEST_CREDENTIALS, eventBuses });
}

/** A KMS client pointed at `emu`, one attempt (a test that expects an error gets it at once). */
export function kmsClientFor(emu: AwsEmulator): KMSClient {
  return new KMSClient({ ...awsClientTarget(emu), maxAttempts: 1 });
}

/** An EventBridge client pointed at `emu`, one attempt (the publisher's own rounds are what is tested). */
export function eventBridgeClientFor(emu: AwsEmulator): EventBridgeClient {
  return new EventBridgeClient({ ...awsClientTarget(emu), maxAttempts: 1 });
}

/** Where a client reaches `emu`: its endpoint, region and the test credentials (a provider's client takes it through the functions' own factory). */
export function awsClientTarget(emu: AwsEmulator) {
  return { endpoint: emu.url, region: emu.region, credentials: AWS_TEST_CREDENTIALS };
}

/**
 * The emulator for a describe block, with `eventBuses`: started before its tests, closed after
 * them, and before each test every service back to normal with nothing recorded.
 */
export function useAws(eventBuses: string[] = [], options: Parameters<typeof startAws>[1] = {}): () => AwsEmulator {
  let emu: AwsEmulator | undefined;
  beforeAll(async () => {
    emu = await startAws(eventBuses, options);
  }, 15_000);
  afterAll(async () => {
    await emu?.close();
  }, 15_000);
  beforeEach(() => {
    emu!.mode.kms = 'ok';
    emu!.mode.events = 'ok';
    emu!.mode.sms = 'ok';
    emu!.mode.lambda = 'ok';
    emu!.sms.length = 0;
    emu!.invocations.length = 0;
    emu!.events.length = 0;
    emu!.eventsDropped.length = 0;
    emu!.calls.length = 0;
    emu!.refusals.length = 0;
  });
  return () => emu!;
}

/** What a process started against `emu` needs to reach KMS there through the SDK's own endpoint variables. */
export function awsEnv(emu: AwsEmulator): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_KMS: emu.url,
    AWS_REGION: emu.region,
    AWS_ACCESS_KEY_ID: AWS_TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_TEST_CREDENTIALS.secretAccessKey,
  };
}
