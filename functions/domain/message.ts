import { ConfigError, VerificationError } from './errors';
import type { PhoneNumber } from './phone';
import type { Channel, SmsMessage } from './ports';

/** SENS: one SMS holds at most 90 bytes of EUC-KR text. */
export const SMS_MAX_BYTES = 90;

/** An approved KakaoTalk Alimtalk template (docs/channels.md). */
export interface AlimtalkTemplate {
  /** Its code in SENS. */
  readonly templateCode: string;
  /** Its text, with `{code}` where the template's variable is. */
  readonly template: string;
}

/** What the message says, how it reaches the person, and which auto-fill lines follow it (docs/channels.md). */
export interface MessageFormat {
  /** Text with a `{code}` placeholder. */
  readonly template: string;
  /** Android SMS Retriever app hash (11 characters), appended on its own line. */
  readonly androidAppHash?: string | undefined;
  /** WebOTP origin host: the last line becomes `@<domain> #<code>`. */
  readonly webOtpDomain?: string | undefined;
  /** The channel a send uses when the request names none. */
  readonly defaultChannel: Channel;
  /** The approved Alimtalk template, where Alimtalk is configured. */
  readonly alimtalk?: AlimtalkTemplate | undefined;
}

/**
 * The one place a send's channel is decided: the one asked for, else the default; Alimtalk only
 * where it is configured (else `unsupported_channel`). The message says its channel, and every
 * provider switches on it.
 */
export function composeMessage(format: MessageFormat, asked: Channel | undefined, to: PhoneNumber, code: string): SmsMessage {
  const channel = asked ?? format.defaultChannel;
  const text = renderMessage(format, code);
  if (channel === 'sms') return { channel, to, text };
  if (!format.alimtalk) throw new VerificationError('unsupported_channel');
  return { channel, to, text, templateCode: format.alimtalk.templateCode, alimtalkText: renderAlimtalk(format.alimtalk.template, code) };
}

/** The channel a send would use, refused as `composeMessage` refuses it (for a send that texts nothing: a test number). */
export function resolveChannel(format: MessageFormat, asked: Channel | undefined): Channel {
  const channel = asked ?? format.defaultChannel;
  if (channel === 'alimtalk' && !format.alimtalk) throw new VerificationError('unsupported_channel');
  return channel;
}

/**
 * The SMS text for `code`. Lines are LF-separated with no trailing newline; the Android hash
 * comes before the WebOTP line because WebOTP reads only the last line.
 */
export function renderMessage(format: MessageFormat, code: string): string {
  const lines = [format.template.replaceAll('{code}', code)];
  if (format.androidAppHash) lines.push(format.androidAppHash);
  if (format.webOtpDomain) lines.push(`@${format.webOtpDomain} #${code}`);
  return lines.join('\n');
}

/** SENS Alimtalk: the content of one message holds at most 1,000 characters. */
export const ALIMTALK_MAX_CHARACTERS = 1000;

/** The approved Alimtalk template with the code filled in where its variable is (`{code}`). */
export function renderAlimtalk(template: string, code: string): string {
  return template.replaceAll('{code}', code);
}

/**
 * Bytes `text` takes in EUC-KR as SENS counts them: ASCII 1, a Hangul syllable or any other
 * Korean-charset character 2. Characters outside the Basic Multilingual Plane (emoji) cannot be
 * sent as SMS at all, so they count as `Infinity`.
 */
export function smsByteLength(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp <= 0xffff ? 2 : Number.POSITIVE_INFINITY;
  }
  return bytes;
}

const ANDROID_APP_HASH = /^[A-Za-z0-9+/]{11}$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * The rules a message format must meet before the first send (docs/channels.md): the code in
 * every template, well-formed auto-fill lines, an SMS that fits one SMS with the longest code and
 * every line, an Alimtalk that fits one Alimtalk, and Alimtalk configured where it is the default.
 * @throws ConfigError naming the setting to fix
 */
export function checkMessageFormat(format: MessageFormat, codeLength: number): void {
  if (!format.template.includes('{code}')) throw new ConfigError('MESSAGE_TEMPLATE must contain {code}');
  if (format.androidAppHash !== undefined && !ANDROID_APP_HASH.test(format.androidAppHash)) {
    throw new ConfigError('ANDROID_APP_HASH must be 11 characters of [A-Za-z0-9+/]');
  }
  if (format.webOtpDomain !== undefined && !HOST_NAME.test(format.webOtpDomain)) {
    throw new ConfigError(`WEBOTP_DOMAIN must be a host name, not "${format.webOtpDomain}"`);
  }
  const longestCode = '0'.repeat(codeLength);
  const bytes = smsByteLength(renderMessage(format, longestCode));
  if (bytes > SMS_MAX_BYTES) {
    throw new ConfigError(
      `MESSAGE_TEMPLATE renders to ${bytes} EUC-KR bytes with a ${codeLength}-digit code and the auto-fill lines; one SMS holds ${SMS_MAX_BYTES}`,
    );
  }
  if (format.alimtalk) {
    if (!format.alimtalk.template.includes('{code}')) throw new ConfigError('ALIMTALK_TEMPLATE must contain {code}');
    const longest = renderAlimtalk(format.alimtalk.template, longestCode).length;
    if (longest > ALIMTALK_MAX_CHARACTERS) {
      throw new ConfigError(`ALIMTALK_TEMPLATE renders to ${longest} characters; an Alimtalk holds ${ALIMTALK_MAX_CHARACTERS}`);
    }
  } else if (format.defaultChannel === 'alimtalk') {
    throw new ConfigError('MESSAGE_CHANNEL=alimtalk needs ALIMTALK_TEMPLATE_CODE and ALIMTALK_TEMPLATE');
  }
}
