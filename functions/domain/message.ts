/** SENS: one SMS holds at most 90 bytes of EUC-KR text. */
export const SMS_MAX_BYTES = 90;

/** What the text message says and which auto-fill lines follow it (SPEC section 2). */
export interface MessageFormat {
  /** Text with a `{code}` placeholder. */
  readonly template: string;
  /** Android SMS Retriever app hash (11 characters), appended on its own line. */
  readonly androidAppHash?: string | undefined;
  /** WebOTP origin host: the last line becomes `@<domain> #<code>`. */
  readonly webOtpDomain?: string | undefined;
  /** The approved Alimtalk template (`{code}` where its variable is), where Alimtalk is configured. */
  readonly alimtalkTemplate?: string | undefined;
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
