import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
export function sensEnv(sens: Pick<SensEmulator, 'url'>, timeoutMs = 300): Record<string, string> {
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

/**
 * A network fault in front of the emulator, not a second SENS: requests go through to the
 * emulator unchanged, and its answer comes back with the fault applied.
 * - `stall-body`: SENS's status line and headers at once, the body never.
 * - `break-body`: the status line and headers, then the connection drops.
 * - `redirect`: a 307 to the emulator itself (a client that follows it hands over the signed request).
 */
export class FaultyLink {
  fault: 'stall-body' | 'break-body' | 'redirect' = 'stall-body';
  private server: Server | undefined;
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly sens: Pick<SensEmulator, 'url'>) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.relay(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private relay(req: IncomingMessage, res: ServerResponse): void {
    if (this.fault === 'redirect') {
      req.resume();
      res.writeHead(307, { Location: `${this.sens.url}${req.url}` }).end();
      return;
    }
    this.open.add(res);
    const upstream = httpRequest(`${this.sens.url}${req.url}`, { method: req.method, headers: req.headers }, (answer: IncomingMessage) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.resume();
      if (this.fault === 'break-body') answer.once('end', () => res.socket?.destroy());
    });
    req.pipe(upstream);
  }
}
