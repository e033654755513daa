import type { APIGatewayProxyEvent } from 'aws-lambda';
import { VerificationError, type InvalidReason } from '../domain/errors';
import { TransportError } from './problem';

/** Request bodies over 4 KiB (decoded) are refused (docs/api.md, "The order a request is judged in"). */
export const MAX_BODY_BYTES = 4096;

/** The send route's limit where a bot challenge is configured: its tokens run to several KB (docs/challenge.md). */
export const CHALLENGE_MAX_BODY_BYTES = 20_480;

/** All values of header `name` (case-insensitive), from the multi-value map when API Gateway gives one. */
export function headerValues(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>, name: string): string[] {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values) return values;
  }
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return [value];
  }
  return [];
}

const badRequest = (reason: InvalidReason) => new VerificationError('invalid_request', { reason });

/**
 * The JSON object in the body, checked in the spec's order: content type (415) → size (413) →
 * I-JSON object (400). I-JSON (RFC 7493): valid UTF-8, no lone surrogates, no duplicate names.
 */
export function readJsonObject(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders' | 'body' | 'isBase64Encoded'>,
  maxBytes = MAX_BODY_BYTES,
): Record<string, unknown> {
  const contentTypes = headerValues(event, 'content-type');
  if (contentTypes.length !== 1 || !isJsonMediaType(contentTypes[0] ?? '')) {
    throw new TransportError('unsupported_media_type');
  }
  const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > maxBytes) {
    throw new TransportError('payload_too_large', { maxBytes });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw badRequest('not_utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('not_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('not_object');
  if (hasDuplicateName(text)) throw badRequest('duplicate_member');
  if (!isWellFormedJson(value)) throw badRequest('not_i_json');
  return value as Record<string, unknown>;
}

/** `application/json`, parameters allowed, but a charset other than UTF-8 is not JSON as RFC 8259 defines it. */
function isJsonMediaType(header: string): boolean {
  const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || ['charset=utf-8', 'charset="utf-8"'].includes(p));
}

/**
 * Whether any object in `text` (already known to be valid JSON) repeats a member name. JSON.parse
 * keeps the last duplicate silently, which lets two parsers disagree about one body.
 */
export function hasDuplicateName(text: string): boolean {
  const objects: Array<Set<string> | null> = []; // null marks an array
  let expectingName = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const names = objects.at(-1);
      if (names && expectingName) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (names.has(name)) return true;
        names.add(name);
        expectingName = false;
      }
      i = end;
    } else if (ch === '{') {
      objects.push(new Set());
      expectingName = true;
    } else if (ch === '[') {
      objects.push(null);
    } else if (ch === '}' || ch === ']') {
      objects.pop();
    } else if (ch === ',') {
      expectingName = Boolean(objects.at(-1));
    }
  }
  return false;
}

/** Unicode noncharacters (RFC 7493 §2.1 refuses them): U+FDD0–U+FDEF and the last two code points of every plane. */
const NONCHARACTER =
  /[\u{FDD0}-\u{FDEF}]|[\u{FFFE}\u{FFFF}\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/u;

/** An I-JSON string: no unpaired surrogate (`"\ud800"` parses, but is not I-JSON) and no noncharacter. */
const isIJsonString = (text: string) => text.isWellFormed() && !NONCHARACTER.test(text);

/** No string or member name anywhere breaks I-JSON's rules for strings. */
function isWellFormedJson(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (!isIJsonString(next)) return false;
    } else if (typeof next === 'object' && next !== null) {
      for (const [name, member] of Object.entries(next)) {
        if (!isIJsonString(name)) return false;
        pending.push(member);
      }
    }
  }
  return true;
}
