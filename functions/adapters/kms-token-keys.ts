import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { VerificationError } from '../domain/errors';
import type { PublishedKey, TokenKeys } from '../domain/token';
import { unavailable } from './aws-errors';
import { DYNAMODB_TIMEOUTS } from './dynamodb-timeouts';
import { publishedKey } from './local-token-keys';

/** How long a container keeps a public key: the JWKS's own cache period (docs/tokens.md). */
export const PUBLIC_KEY_CACHE_MS = 300_000;

/** KMS refusals that say the key cannot sign now (disabled, pending deletion, its store away): 503, like a throttle. */
const KEY_NOT_USABLE = new Set(['DisabledException', 'KMSInvalidStateException', 'KeyUnavailableException', 'DependencyTimeoutException']);

/**
 * The token keys in AWS KMS (docs/tokens.md): the private key never leaves KMS. `Sign` with
 * `ECDSA_SHA_256` over the SHA-256 digest of the signing input (`MessageType: DIGEST`, so the
 * input's size never matters), its DER signature turned into JOSE's `r‖s`. Public keys come from
 * `GetPublicKey` and are kept for the cache period. Keys are named by ARN, never by alias: an
 * alias re-pointed under a running container would make it sign with a `kid` naming another key.
 */
export class KmsTokenKeys implements TokenKeys {
  private readonly cache = new Map<string, { readonly key: Promise<PublishedKey>; readonly until: number }>();

  constructor(
    private readonly kms: KMSClient,
    private readonly signingKeyArn: string,
    private readonly publishedKeyArns: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  async signingKeyId(): Promise<string> {
    return (await this.publicKey(this.signingKeyArn)).kid;
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

  async publishedKeys(): Promise<readonly PublishedKey[]> {
    const arns = [...new Set([this.signingKeyArn, ...this.publishedKeyArns])];
    return Promise.all(arns.map((arn) => this.publicKey(arn)));
  }

  /** The published form of `arn`'s public key, from the cache or `GetPublicKey`; a failure is not cached. */
  private publicKey(arn: string): Promise<PublishedKey> {
    const now = this.now();
    const cached = this.cache.get(arn);
    if (cached && cached.until > now) return cached.key;
    const key = this.kms.send(new GetPublicKeyCommand({ KeyId: arn })).then(
      ({ PublicKey }) => {
        if (!PublicKey) throw new Error('KMS GetPublicKey returned no key');
        return publishedKey(createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' }));
      },
      (error: unknown) => {
        throw kmsFailure(error);
      },
    );
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

function kmsFailure(error: unknown): unknown {
  const name = (error as { name?: string } | null)?.name;
  return name !== undefined && KEY_NOT_USABLE.has(name)
    ? new VerificationError('service_unavailable', { retryAfterSeconds: 2 }, { cause: error })
    : unavailable(error);
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
