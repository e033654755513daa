import type { SmsMessage, SmsReceipt, SmsSender } from '../domain/ports';

/**
 * Local development only: prints the text message instead of sending it, so the whole flow
 * can be tried with curl. Configuration refuses it inside Lambda, where it would put codes in logs.
 */
export class ConsoleSmsSender implements SmsSender {
  readonly provider = 'console';

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  async send(message: SmsMessage): Promise<SmsReceipt> {
    const { to, text } = message;
    const quoted = (lines: string) => lines.replace(/^/gm, '   │ ');
    switch (message.channel) {
      case 'alimtalk':
        this.write(
          `\n💬 KakaoTalk Alimtalk to ${to.masked} (console provider, not sent)\n${quoted(message.alimtalkText)}\n   (without KakaoTalk, the SMS failover:)\n${quoted(text)}\n`,
        );
        return {};
      case 'sms':
        this.write(`\n📱 SMS to ${to.masked} (console provider, not sent)\n${quoted(text)}\n`);
        return {};
    }
  }
}
