// The strict SENS emulator, vendored byte for byte from the product contract's stand-ins (test/emulators/), written from SENS's own
// reference: never a fake of ours, which would only mirror our own reading of the API.
import { startSensEmulator, type SensEmulator } from '../emulators/sens-emulator/sens-emulator.cjs';

export type { SensEmulator };

export const SENS_TEST_CREDENTIALS = {
  serviceId: 'ncp:sms:kr:123456789012:phone-verify',
  accessKey: 'AKIDTESTACCESSKEY',
  secretKey: 'sens-secret-key-for-tests',
  from: '0212345678',
};

/** An approved Alimtalk template as SENS stores it (`#{code}`), and as phone-verify is told it (`{code}`). */
export const ALIMTALK_TEST = {
  alimtalkServiceId: 'ncp:kkobizmsg:kr:123456789012:phone-verify',
  plusFriendId: '@phoneverify',
  templateCode: 'VERIFY_CODE',
  approved: '[phone-verify] 인증번호 [#{code}]를 입력해주세요. 타인에게 알려주지 마세요.',
  configured: '[phone-verify] 인증번호 [{code}]를 입력해주세요. 타인에게 알려주지 마세요.',
};

/** The emulator with the test credentials and the approved Alimtalk template. */
export function startSens(): Promise<SensEmulator> {
  return startSensEmulator({
    ...SENS_TEST_CREDENTIALS,
    alimtalkServiceId: ALIMTALK_TEST.alimtalkServiceId,
    plusFriendId: ALIMTALK_TEST.plusFriendId,
    templates: { [ALIMTALK_TEST.templateCode]: ALIMTALK_TEST.approved },
  });
}

/** The variables that configure Alimtalk against the emulator (with `sensEnv`). */
export const alimtalkEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
  SENS_ALIMTALK_SERVICE_ID: ALIMTALK_TEST.alimtalkServiceId,
  SENS_PLUS_FRIEND_ID: ALIMTALK_TEST.plusFriendId,
  ALIMTALK_TEMPLATE_CODE: ALIMTALK_TEST.templateCode,
  ALIMTALK_TEMPLATE: ALIMTALK_TEST.configured,
  ...overrides,
});

/** The variables that point the runtime (or `npm start`) at `sens`. */
export function sensEnv(sens: Pick<SensEmulator, 'url'>, timeoutMs = 1000): Record<string, string> {
  return {
    SMS_PROVIDER: 'sens',
    SENS_ENDPOINT: sens.url,
    SENS_SERVICE_ID: SENS_TEST_CREDENTIALS.serviceId,
    SENS_ACCESS_KEY: SENS_TEST_CREDENTIALS.accessKey,
    SENS_SECRET_KEY: SENS_TEST_CREDENTIALS.secretKey,
    SENS_FROM: '02-1234-5678',
    SMS_TIMEOUT_MS: String(timeoutMs),
  };
}

/** The code in a message SENS accepted. */
export function codeIn(content: string | undefined): string | undefined {
  return content?.match(/\[([0-9]+)\]/)?.[1];
}
