import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose';
import { KmsTokenKeys, PUBLIC_KEY_CACHE_MS, derToJose } from '../../functions/adapters/kms-token-keys';
import { LocalTokenKeys } from '../../functions/adapters/local-token-keys';
import { logger, metrics } from '../../functions/adapters/observability';
import { TOKEN_KEY_LEFT_OUT_METRIC } from '../../functions/adapters/telemetry-names';
import { VerificationError } from '../../functions/domain/errors';
import { TokenIssuer } from '../../functions/domain/token';
import { kmsClientFor, useAws, type AwsEmulator } from '../support/aws';

const SETTINGS = { issuer: 'phone-verify/prod', audience: 'phone-verify', ttlSeconds: 600 };

describe('KmsTokenKeys against the AWS emulator (KMS Sign and GetPublicKey, as AWS answers them)', () => {
  const aws = useAws();
  let emu: AwsEmulator;
  beforeEach(() => {
    emu = aws();
  });

  it('signs with the key’s ARN: a signature node:crypto verifies, a token jose verifies with the published key', async () => {
    const key = emu.kms.createKey({ alias: 'phone-verify/prod/token-k1' });
    const keys = new KmsTokenKeys(kmsClientFor(emu), key.arn, []);
    const input = new TextEncoder().encode('header.payload');
    const signature = await keys.sign(input);
    expect(signature).toHaveLength(64);
    expect(verify('sha256', input, { key: emu.kms.publicKey(key.arn)!, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);

    const { token } = await new TokenIssuer(SETTINGS, keys).issue('+821012345678', Date.now(), { channel: 'sms' });
    const published = await keys.publishedKeys();
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: [...published] }), { algorithms: ['ES256'] });
    expect(payload.phone_number).toBe('+821012345678');
    const jwk = emu.kms.publicKey(key.arn)!.export({ format: 'jwk' });
    expect(protectedHeader.kid).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }));
    // Sign got the digest, never the token: MessageType DIGEST, ECDSA_SHA_256, the key by ARN.
    const signs = emu.calls.filter((c) => c.op === 'Sign');
    expect(signs.at(-1)?.input).toMatchObject({ KeyId: key.arn, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(emu.refusals).toEqual([]);
  });

  it('publishes the signing key and each other key named, once each, with the thumbprint as kid', async () => {
    const current = emu.kms.createKey();
    const previous = emu.kms.createKey();
    const keys = new KmsTokenKeys(kmsClientFor(emu), current.arn, [previous.arn, current.arn]);
    const published = await keys.publishedKeys();
    expect(published).toHaveLength(2);
    expect(published[0]).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: await keys.signingKeyId(),
      use: 'sig',
      alg: 'ES256',
    });
    expect(new Set(published.map((k) => k.kid)).size).toBe(2);
    expect(emu.refusals).toEqual([]);
  });

  it('reads each public key once per cache period (300 s), then again', async () => {
    const key = emu.kms.createKey();
    let now = 1_000_000;
    const keys = new KmsTokenKeys(kmsClientFor(emu), key.arn, [], () => now);
    const reads = () => emu.calls.filter((c) => c.op === 'GetPublicKey' && (c.input as { KeyId: string }).KeyId === key.arn).length;
    await keys.publishedKeys();
    await keys.signingKeyId();
    await keys.publishedKeys();
    expect(reads()).toBe(1);
    now += PUBLIC_KEY_CACHE_MS;
    await keys.publishedKeys();
    expect(reads()).toBe(2);
  });

  it.each([
    ['throttled', (emu: AwsEmulator) => (emu.mode.kms = 'throttle'), 'ThrottlingException'],
    ['failing (500)', (emu: AwsEmulator) => (emu.mode.kms = 'fail500'), 'KMSInternalException'],
    ['disabled', (emu: AwsEmulator, arn: string) => emu.kms.disableKey(arn), 'is disabled'],
    ['pending deletion', (emu: AwsEmulator, arn: string) => emu.kms.scheduleKeyDeletion(arn), 'pending deletion'],
    ['refusing access (a policy a deploy is changing)', (emu: AwsEmulator) => (emu.mode.kms = 'accessDenied'), 'AccessDeniedException'],
  ])('answers service_unavailable when KMS is %s: signing and publishing alike', async (_label, breakIt, refusal) => {
    const key = emu.kms.createKey();
    const keys = new KmsTokenKeys(kmsClientFor(emu), key.arn, []);
    breakIt(emu, key.arn);
    for (const attempt of [keys.sign(new Uint8Array([1, 2, 3])), keys.publishedKeys()]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerificationError);
      expect((error as VerificationError).code).toBe('service_unavailable');
    }
    expect(emu.refusals.length).toBeGreaterThan(0);
    expect(emu.refusals.every((r) => r.includes(refusal))).toBe(true);
    // A failed read is not kept: once KMS is back, the keys are published again.
    emu.mode.kms = 'ok';
    if (emu.kms.keyState(key.arn) === 'Disabled') emu.kms.enableKey(key.arn);
    if (emu.kms.keyState(key.arn) === 'Enabled') expect(await keys.publishedKeys()).toHaveLength(1);
  });
});

describe('the JWKS when a published key other than the signing key cannot be read', () => {
  const aws = useAws();
  let emu: AwsEmulator;
  let warned: Array<Record<string, unknown>>;
  let counted: string[];
  beforeEach(() => {
    emu = aws();
    warned = [];
    counted = [];
    jest.spyOn(logger, 'warn').mockImplementation((_message, ...extra) => void warned.push(extra[0] as Record<string, unknown>));
    jest.spyOn(metrics, 'addMetric').mockImplementation((name) => (counted.push(name), metrics));
  });
  afterEach(() => jest.restoreAllMocks());

  const GONE = 'arn:aws:kms:ap-northeast-2:123456789012:key/00000000-0000-4000-8000-000000000000';

  it.each([
    ['disabled', (arn: string) => emu.kms.disableKey(arn), 'DisabledException'],
    ['pending deletion', (arn: string) => emu.kms.scheduleKeyDeletion(arn), 'KMSInvalidStateException'],
  ])('leaves a %s key out, logs and counts it, and publishes the rest', async (_label, retire, error) => {
    const signing = emu.kms.createKey();
    const previous = emu.kms.createKey();
    const other = emu.kms.createKey();
    retire(previous.arn);
    let now = 1_000_000;
    const keys = new KmsTokenKeys(kmsClientFor(emu), signing.arn, [previous.arn, other.arn], () => now);
    const published = await keys.publishedKeys();
    expect(published.map((k) => k.kid)).toEqual([
      await keys.signingKeyId(),
      (await new KmsTokenKeys(kmsClientFor(emu), other.arn, []).publishedKeys())[0]!.kid,
    ]);
    expect(warned).toEqual([{ keyArn: previous.arn, error }]);
    expect(counted).toEqual([TOKEN_KEY_LEFT_OUT_METRIC]);
    // Not asked of KMS again, nor logged again, within the cache period; asked again after it.
    const asked = () => emu.calls.filter((c) => c.op === 'GetPublicKey' && (c.input as { KeyId: string }).KeyId === previous.arn).length;
    await keys.publishedKeys();
    expect([asked(), warned.length]).toEqual([1, 1]);
    now += PUBLIC_KEY_CACHE_MS;
    await keys.publishedKeys();
    expect([asked(), warned.length]).toEqual([2, 2]);
    emu.refusals.length = 0; // refused as asked
  });

  it('leaves out a key that is gone (NotFoundException)', async () => {
    const signing = emu.kms.createKey();
    const keys = new KmsTokenKeys(kmsClientFor(emu), signing.arn, [GONE]);
    expect(await keys.publishedKeys()).toHaveLength(1);
    expect(warned).toEqual([{ keyArn: GONE, error: 'NotFoundException' }]);
    emu.refusals.length = 0;
  });

  it('still answers 503 when the signing key itself cannot be read, or KMS is failing for any key', async () => {
    const signing = emu.kms.createKey();
    const other = emu.kms.createKey();
    emu.kms.disableKey(signing.arn);
    const unreadable = await new KmsTokenKeys(kmsClientFor(emu), signing.arn, [other.arn]).publishedKeys().catch((e: unknown) => e);
    expect((unreadable as VerificationError).code).toBe('service_unavailable');
    emu.kms.enableKey(signing.arn);
    const keys = new KmsTokenKeys(kmsClientFor(emu), signing.arn, [other.arn]);
    await keys.signingKeyId(); // the signing key is cached; KMS then throttles the other
    emu.mode.kms = 'throttle';
    expect(((await keys.publishedKeys().catch((e: unknown) => e)) as VerificationError).code).toBe('service_unavailable');
    expect(warned).toEqual([]);
    emu.refusals.length = 0;
  });
});

describe('derToJose (KMS returns DER; a JWS needs the 64-byte r‖s)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  /** DER of `SEQUENCE { INTEGER r, INTEGER s }` for two non-negative integers given as big-endian bytes. */
  function der(r: Uint8Array, s: Uint8Array): Uint8Array {
    const integer = (bytes: Uint8Array) => {
      let start = 0;
      while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
      const minimal = bytes.subarray(start);
      const body = minimal[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : Buffer.from(minimal);
      return Buffer.concat([Buffer.from([0x02, body.length]), body]);
    };
    const content = Buffer.concat([integer(r), integer(s)]);
    return Buffer.concat([Buffer.from([0x30, content.length]), content]);
  }

  it('turns every DER signature node:crypto makes into one it verifies as r‖s (many keys and messages)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (message) => {
        const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
        const jose = derToJose(signature);
        expect(jose).toHaveLength(64);
        expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('left-pads r and s of any length to 32 bytes and drops DER’s sign byte (leading zeros, high bits, short integers)', () => {
    const scalar = fc.uint8Array({ minLength: 32, maxLength: 32 }).chain((bytes) =>
      fc.nat({ max: 31 }).map((zeros) => {
        const out = Uint8Array.from(bytes);
        out.fill(0, 0, zeros); // shorter than 32 bytes once DER drops the zeros
        return out;
      }),
    );
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        expect(Buffer.from(derToJose(der(r, s)))).toEqual(Buffer.concat([r, s]));
      }),
      { numRuns: 1000 },
    );
    const high = new Uint8Array(32).fill(0xff);
    expect(Buffer.from(derToJose(der(high, Uint8Array.of(1))))).toEqual(Buffer.concat([high, Buffer.alloc(31), Buffer.from([1])]));
  });

  it.each([
    ['empty', new Uint8Array()],
    ['not a SEQUENCE', Uint8Array.of(0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ['a wrong length', Uint8Array.of(0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ['an integer of 34 bytes', Uint8Array.from([0x30, 0x27, 0x02, 0x22, 0x01, ...new Array(33).fill(1), 0x02, 0x01, 0x01])],
    ['trailing bytes', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00)],
  ])('refuses %s', (_label, bytes) => {
    expect(() => derToJose(bytes)).toThrow(/not a DER ECDSA signature/);
  });
});

describe('LocalTokenKeys (npm start and the tests)', () => {
  it('takes a PKCS#8 P-256 key and refuses anything else, naming TOKEN_SIGNING_KEY', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keys = LocalTokenKeys.from(pem);
    const jwk = createPublicKey(pem).export({ format: 'jwk' });
    expect((await keys.publishedKeys())[0]).toMatchObject({ x: jwk.x, y: jwk.y, alg: 'ES256' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => LocalTokenKeys.from('not a pem')).toThrow(/TOKEN_SIGNING_KEY must be a PKCS#8 PEM/);
    expect(() => LocalTokenKeys.from(rsa)).toThrow(/TOKEN_SIGNING_KEY must be an EC P-256/);
    expect(() => LocalTokenKeys.from(p384)).toThrow(/TOKEN_SIGNING_KEY must be an EC P-256/);
  });
});
