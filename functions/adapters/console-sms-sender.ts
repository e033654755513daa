import type { SmsMessage, SmsReceipt, SmsSender } from '../domain/ports';

/**
 * Local development only: prints the text message instead of sending it, so the whole flow
 * can be tried with curl. Configuration refuses it inside Lambda, where it would put codes in logs.
 */
export class ConsoleSmsSender implements SmsSender {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  async send({ to, text, channel, alimtalkText }: SmsMessage): Promise<SmsReceipt> {
    if (channel === 'alimtalk') {
      this.write(
        `\n💬 KakaoTalk Alimtalk to ${to.masked} (console provider, not sent)\n${(alimtalkText ?? text).replace(/^/gm, '   │ ')}\n   (without KakaoTalk, the SMS failover:)\n${text.replace(/^/gm, '   │ ')}\n`,
      );
      return {};
    }
    this.write(`\n📱 SMS to ${to.masked} (console provider, not sent)\n${text.replace(/^/gm, '   │ ')}\n`);
    return {};
  }
}
