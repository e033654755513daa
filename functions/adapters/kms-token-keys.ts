import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { VerificationError } from '../domain/errors';
import type { PublishedKey, TokenKeys } from '../domain/token';
import { unavailable } from './aws-errors';
import { DYNAMODB_TIMEOUTS } from './dynamodb-timeouts';
import { publishedKey } from './local-token-keys';
import { metrics, requestLog } from './observability';
import { TOKEN_KEY_LEFT_OUT_METRIC } from './telemetry-names';

/** How long a container keeps a public key: the JWKS's own cache period (docs/tokens.md). */
export const PUBLIC_KEY_CACHE_MS = 300_000;

/**
 * KMS refusals that say the key cannot be used now (disabled, pending deletion, its store away) or
 * that we may not use it (a deploy in progress changes the policy): 503, like a throttle.
 */
const KEY_NOT_USABLE = new Set([
  'DisabledException',
  'KMSInvalidStateException',
  'KeyUnavailableException',
  'DependencyTimeoutException',
  'AccessDeniedException',
]);

/**
 * KMS refusals that say a key cannot be read at all (disabled, pending deletion, gone, not ours
 * to read): a published key other than the signing key is then left out of the JWKS, so one
 * retired key never takes the JWKS down (docs/tokens.md).
 */
const KEY_UNREADABLE = new Set(['DisabledException', 'KMSInvalidStateException', 'NotFoundException', 'AccessDeniedException']);

/**
 * The token keys in AWS KMS (docs/tokens.md): the private key never leaves KMS. `Sign` with
 * `ECDSA_SHA_256` over the SHA-256 digest of the signing input (`MessageType: DIGEST`, so the
 * input's size never matters), its DER signature turned into JOSE's `r‖s`. Public keys come from
 * `GetPublicKey` and are kept for the cache period. Keys are named by ARN, never by alias: an
 * alias re-pointed under a running container would make it sign with a `kid` naming another key.
 */
export class KmsTokenKeys implements TokenKeys {
  private readonly cache = new Map<string, { readonly key: Promise<PublishedKey>; readonly until: number }>();
  /** Published keys KMS could not read, left out of the JWKS until then (as long as a key is kept). */
  private readonly leftOut = new Map<string, number>();

  constructor(
    private readonly kms: KMSClient,
    private readonly signingKeyArn: string,
    private readonly publishedKeyArns: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  async signingKeyId(): Promise<string> {
    return (await this.publicKey(this.signingKeyArn).catch(rethrowAsKmsFailure)).kid;
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    const digest = createHash('sha256').update(signingInput).digest();
    try {
      const { Signature } = await this.kms.send(
        new SignCommand({ KeyId: this.signingKeyArn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      if (!Signature) throw new Error('KMS Sign returned no signature');
      return derToJose(Signature);
    } catch (error) {
      throw kmsFailure(error);
    }
  }

  /**
   * The signing key and every other published key KMS can read. One KMS cannot read (disabled,
   * pending deletion, gone) is left out, logged and counted; the signing key's failure, or KMS
   * itself failing, is a 503.
   */
  async publishedKeys(): Promise<readonly PublishedKey[]> {
    const now = this.now();
    const others = [...new Set(this.publishedKeyArns)].filter((arn) => arn !== this.signingKeyArn && (this.leftOut.get(arn) ?? 0) <= now);
    const [signing, ...read] = await Promise.allSettled([this.signingKeyArn, ...others].map((arn) => this.publicKey(arn)));
    if (signing?.status !== 'fulfilled') throw kmsFailure(signing?.reason);
    const keys = [signing.value];
    for (const [i, outcome] of read.entries()) {
      if (outcome.status === 'fulfilled') keys.push(outcome.value);
      else if (KEY_UNREADABLE.has(errorName(outcome.reason))) this.leaveOut(others[i]!, outcome.reason, now);
      else throw kmsFailure(outcome.reason);
    }
    return keys;
  }

  /** Leaves `arn` out of the JWKS for a cache period: once logged and counted, not asked of KMS on every request. */
  private leaveOut(arn: string, error: unknown, now: number): void {
    this.leftOut.set(arn, now + PUBLIC_KEY_CACHE_MS);
    requestLog().warn('a published token key is left out of the JWKS: KMS cannot read it', { keyArn: arn, error: errorName(error) });
    metrics.addMetric(TOKEN_KEY_LEFT_OUT_METRIC, MetricUnit.Count, 1);
  }

  /** The published form of `arn`'s public key, from the cache or `GetPublicKey`; a failure (KMS's own error) is not cached. */
  private publicKey(arn: string): Promise<PublishedKey> {
    const now = this.now();
    const cached = this.cache.get(arn);
    if (cached && cached.until > now) return cached.key;
    const key = this.kms.send(new GetPublicKeyCommand({ KeyId: arn })).then(({ PublicKey }) => {
      if (!PublicKey) throw new Error('KMS GetPublicKey returned no key');
      return publishedKey(createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' }));
    });
    this.cache.set(arn, { key, until: now + PUBLIC_KEY_CACHE_MS });
    key.catch(() => {
      if (this.cache.get(arn)?.key === key) this.cache.delete(arn);
    });
    return key;
  }
}

/** A KMS client with the hard time limits of every AWS call the functions make: a KMS that stops answering is a 503 within seconds. */
export function kmsClient(): KMSClient {
  return new KMSClient({
    maxAttempts: DYNAMODB_TIMEOUTS.attempts,
    requestHandler: { connectionTimeout: DYNAMODB_TIMEOUTS.connectionMs, requestTimeout: DYNAMODB_TIMEOUTS.requestMs, throwOnRequestTimeout: true },
  });
}

function errorName(error: unknown): string {
  return (error as { name?: string } | null)?.name ?? 'error';
}

function kmsFailure(error: unknown): unknown {
  return KEY_NOT_USABLE.has(errorName(error)) ? new VerificationError('service_unavailable', { retryAfterSeconds: 2 }, { cause: error }) : unavailable(error);
}

function rethrowAsKmsFailure(error: unknown): never {
  throw kmsFailure(error);
}

/**
 * An ECDSA signature in DER (RFC 3279 §2.2.3: `SEQUENCE { INTEGER r, INTEGER s }`, as KMS returns
 * it) as JOSE's fixed-size `r‖s` (RFC 7518 §3.4): each integer without its sign padding, left-padded
 * with zeros to `size` bytes.
 * @throws Error when `der` is not such a signature
 */
export function derToJose(der: Uint8Array, size = 32): Uint8Array {
  const fail = (why: string): never => {
    throw new Error(`not a DER ECDSA signature: ${why}`);
  };
  let at = 0;
  const byte = () => (at < der.length ? der[at++]! : fail('truncated'));
  const length = () => {
    const first = byte();
    if (first < 0x80) return first;
    let value = 0;
    for (let n = first & 0x7f; n > 0; n -= 1) value = (value << 8) | byte();
    return value;
  };
  if (byte() !== 0x30) fail('no SEQUENCE');
  const sequence = length();
  if (sequence !== der.length - at) fail('wrong SEQUENCE length');
  const jose = new Uint8Array(2 * size);
  for (const offset of [0, size]) {
    if (byte() !== 0x02) fail('no INTEGER');
    const bytes = length();
    const end = at + bytes;
    if (end > der.length) fail('truncated INTEGER');
    let start = at;
    while (start < end - 1 && der[start] === 0) start += 1; // the sign byte DER adds before a high bit
    if (end - start > size) fail('INTEGER longer than the curve');
    jose.set(der.subarray(start, end), offset + size - (end - start));
    at = end;
  }
  if (at !== der.length) fail('trailing bytes');
  return jose;
}
